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

// TestPublishedAtSyncIsReadOnceAndShared checks that every Sync handler of
// one Publish, and any context kept from it, reports the same time: that of
// the first ask, during Publish.
func TestPublishedAtSyncIsReadOnceAndShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		var got log[time.Time]
		var kept []context.Context
		event.Subscribe(b, func(ctx context.Context, _ int) {
			got.add(event.PublishedAt(ctx))
			time.Sleep(time.Minute)
		}, event.Sync())
		event.Subscribe(b, func(ctx context.Context, _ int) {
			got.add(event.PublishedAt(ctx))
			kept = append(kept, ctx)
		}, event.Sync())
		var want []time.Time
		for i := range 2 {
			want = append(want, time.Now(), time.Now())
			if err := event.Publish(context.Background(), b, i); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Hour)
		for _, ctx := range kept {
			got.add(event.PublishedAt(ctx))
		}
		want = append(want, want[0], want[2])
		closeBus(t, b)
		l := got.list()
		if len(l) != len(want) {
			t.Fatalf("got %d times, want %d", len(l), len(want))
		}
		for i := range l {
			if !l[i].Equal(want[i]) {
				t.Errorf("time %d = %v, want %v", i, l[i], want[i])
			}
		}
	})
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
