package event_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/event"
)

func TestPublishedAt(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := event.NewBus()
				type seen struct{ at, derived, handled time.Time }
				var got log[seen]
				event.Subscribe(b, func(ctx context.Context, _ int) {
					derived := context.WithValue(ctx, ctxKey{}, 1)
					got.add(seen{event.PublishedAt(ctx), event.PublishedAt(derived), time.Now()})
					time.Sleep(time.Minute) // later events are handled late
				}, m.opts...)
				var want []time.Time
				for i := range 3 {
					want = append(want, time.Now())
					if err := event.Publish(context.Background(), b, i); err != nil {
						t.Fatal(err)
					}
					if !m.sync() {
						time.Sleep(time.Second)
					}
				}
				closeBus(t, b)
				l := got.list()
				if len(l) != 3 {
					t.Fatalf("handled %d events, want 3", len(l))
				}
				for i, s := range l {
					if !s.at.Equal(want[i]) || !s.derived.Equal(want[i]) {
						t.Errorf("event %d: PublishedAt = %v (derived ctx %v), want %v (handled at %v)", i, s.at, s.derived, want[i], s.handled)
					}
				}
			})
		})
	}
}

func TestPublishedAtOutsideHandlerIsZero(t *testing.T) {
	if got := event.PublishedAt(context.Background()); !got.IsZero() {
		t.Errorf("PublishedAt(Background) = %v, want zero", got)
	}
}

// TestPublishedAtIsPublishTime checks that every handler of one Publish,
// and any context kept from it, reports the time Publish was called however
// late it asks: after sleeping, after other handlers of the same Publish
// slept, and after Publish and Close returned. It runs on a bus from NewBus
// and on a zero Bus.
func TestPublishedAtIsPublishTime(t *testing.T) {
	buses := []struct {
		name string
		new  func() *event.Bus
	}{
		{"NewBus", func() *event.Bus { return event.NewBus() }},
		{"zero Bus", func() *event.Bus { return new(event.Bus) }},
	}
	const handlers, events = 2, 3
	for _, bt := range buses {
		for _, m := range modes {
			t.Run(bt.name+"/"+m.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					time.Sleep(time.Hour) // the bus is made well after the bubble's start
					b := bt.new()
					type asked struct {
						event, handler int
						at             time.Time
						ctx            context.Context
					}
					var got log[asked]
					for h := range handlers {
						event.Subscribe(b, func(ctx context.Context, v int) {
							time.Sleep(time.Minute) // ask late
							got.add(asked{v, h, event.PublishedAt(ctx), ctx})
						}, m.opts...)
					}
					var want []time.Time
					for i := range events {
						time.Sleep(time.Second)
						want = append(want, time.Now())
						if err := event.Publish(context.Background(), b, i); err != nil {
							t.Fatal(err)
						}
					}
					closeBus(t, b)
					time.Sleep(time.Hour)
					l := got.list()
					if len(l) != handlers*events {
						t.Fatalf("handlers asked %d times, want %d", len(l), handlers*events)
					}
					for _, a := range l {
						if !a.at.Equal(want[a.event]) {
							t.Errorf("event %d, handler %d: PublishedAt = %v, want %v", a.event, a.handler, a.at, want[a.event])
						}
						if at := event.PublishedAt(a.ctx); !at.Equal(want[a.event]) {
							t.Errorf("event %d, handler %d: kept context's PublishedAt = %v after Close, want %v", a.event, a.handler, at, want[a.event])
						}
					}
				})
			})
		}
	}
}

// TestSyncContextsAreNotReused publishes more events than one block of Sync
// handler contexts holds, from one or many goroutines, and keeps every
// handler context: each must still carry its own Publish's context values
// and publish time after later publishes.
func TestSyncContextsAreNotReused(t *testing.T) {
	tests := []struct {
		name                string
		publishers, perEach int
	}{
		{"one publisher", 1, 300},
		{"eight publishers", 8, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := event.NewBus()
				type kept struct {
					ctx  context.Context
					want int
					at   time.Time
				}
				var got log[kept]
				event.Subscribe(b, func(ctx context.Context, v int) {
					got.add(kept{ctx, v, event.PublishedAt(ctx)})
				}, event.Sync())
				var wg sync.WaitGroup
				for p := range tt.publishers {
					wg.Go(func() {
						for i := range tt.perEach {
							v := p*tt.perEach + i
							ctx := context.WithValue(context.Background(), ctxKey{}, v)
							if err := event.Publish(ctx, b, v); err != nil {
								t.Error(err)
							}
							time.Sleep(time.Millisecond) // each publish its own time
						}
					})
				}
				wg.Wait()
				closeBus(t, b)
				l := got.list()
				if len(l) != tt.publishers*tt.perEach {
					t.Fatalf("handled %d events, want %d", len(l), tt.publishers*tt.perEach)
				}
				for _, k := range l {
					if v := k.ctx.Value(ctxKey{}); v != k.want {
						t.Errorf("event %d: kept context has value %v", k.want, v)
					}
					if at := event.PublishedAt(k.ctx); !at.Equal(k.at) {
						t.Errorf("event %d: kept context's PublishedAt = %v, was %v", k.want, at, k.at)
					}
				}
			})
		})
	}
}
