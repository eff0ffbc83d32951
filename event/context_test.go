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

// TestSyncPublishedAtWhileHandlersAsk checks when a Sync handler's
// PublishedAt is the publish time: always while some handler of the type
// asks at least once every 64 publishes, however late in the handler;
// after 64 or more publishes without an ask, the first ask gets the time of
// the ask, and the publish after it is exact again.
func TestSyncPublishedAtWhileHandlersAsk(t *testing.T) {
	every := func(n int) func(int) bool { return func(i int) bool { return i%n == n-1 } }
	// Gaps of 15 and 64 publishes in turn: the ask after the short gap
	// does not reset the count of quiet publishes, the long gap still
	// keeps the type timed.
	uneven := func(i int) bool { i %= 79; return i == 14 || i == 78 }
	tests := []struct {
		name  string
		asks  func(i int) bool // whether the handler asks on event i
		exact bool             // every answer is the publish time
	}{
		{"asks every event", every(1), true},
		{"asks every 10th", every(10), true},
		{"asks every 64th", every(64), true},
		{"asks after gaps of 15 and 64", uneven, true},
		{"asks every 100th", every(100), false},
	}
	const events = 400
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := event.NewBus()
				type asked struct {
					event     int
					at, asked time.Time
				}
				var got log[asked]
				event.Subscribe(b, func(ctx context.Context, v int) {
					if tt.asks(v) {
						time.Sleep(time.Second) // ask late
						got.add(asked{v, event.PublishedAt(ctx), time.Now()})
					}
				}, event.Sync())
				want := make([]time.Time, events)
				nAsks := 0
				for i := range events {
					time.Sleep(time.Minute)
					want[i] = time.Now()
					if err := event.Publish(context.Background(), b, i); err != nil {
						t.Fatal(err)
					}
					if tt.asks(i) {
						nAsks++
					}
				}
				closeBus(t, b)
				l := got.list()
				if len(l) != nAsks {
					t.Fatalf("handler asked %d times, want %d", len(l), nAsks)
				}
				for _, a := range l {
					switch {
					case tt.exact && !a.at.Equal(want[a.event]):
						t.Errorf("event %d: PublishedAt = %v, want the publish time %v", a.event, a.at, want[a.event])
					case !tt.exact && !a.at.Equal(a.asked):
						t.Errorf("event %d, asked after 99 quiet publishes: PublishedAt = %v, want the time asked %v",
							a.event, a.at, a.asked)
					}
				}
			})
		})
	}
}

// TestSyncPublishedAtAfterQuietPublishesIsExactAgain checks that the ask
// after a run of quiet publishes brings the exact time back for the next
// publish, and for a subscription added later.
func TestSyncPublishedAtAfterQuietPublishesIsExactAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		ask := false
		var at []time.Time
		event.Subscribe(b, func(ctx context.Context, v int) {
			if ask {
				time.Sleep(time.Second)
				at = append(at, event.PublishedAt(ctx))
			}
		}, event.Sync())
		publish := func(i int) time.Time {
			time.Sleep(time.Minute)
			now := time.Now()
			if err := event.Publish(context.Background(), b, i); err != nil {
				t.Fatal(err)
			}
			return now
		}
		for i := range 100 {
			publish(i)
		}
		ask = true
		first := publish(100)
		second := publish(101)
		event.Subscribe(b, func(context.Context, int) {}, event.Sync())
		third := publish(102)
		closeBus(t, b)
		if len(at) != 3 {
			t.Fatalf("asked %d times, want 3", len(at))
		}
		if want := first.Add(time.Second); !at[0].Equal(want) {
			t.Errorf("first ask after 100 quiet publishes: PublishedAt = %v, want the time of the ask %v", at[0], want)
		}
		if !at[1].Equal(second) || !at[2].Equal(third) {
			t.Errorf("next asks: PublishedAt = %v, %v, want %v, %v", at[1], at[2], second, third)
		}
	})
}

// uncomparableCtx is a context whose values cannot be compared with ==.
type uncomparableCtx struct {
	context.Context
	tags []string
}

// TestQuietSyncContextsKeepTheirParent publishes more than 64 events to a
// Sync handler that does not ask PublishedAt, with the same or a new parent
// context each time, of a comparable type or not: every handler context
// must carry its own Publish's values, and comparing contexts must not
// panic.
func TestQuietSyncContextsKeepTheirParent(t *testing.T) {
	bg := context.Background()
	same := context.WithValue(bg, ctxKey{}, -1)
	tests := []struct {
		name   string
		parent func(i int) (context.Context, any)
	}{
		{"same parent", func(int) (context.Context, any) { return same, -1 }},
		{"new parent each time", func(i int) (context.Context, any) { return context.WithValue(bg, ctxKey{}, i), i }},
		{"uncomparable parent", func(i int) (context.Context, any) {
			return uncomparableCtx{context.WithValue(bg, ctxKey{}, i), nil}, i
		}},
		{"alternating", func(i int) (context.Context, any) {
			if i%2 == 0 {
				return same, -1
			}
			return uncomparableCtx{context.WithValue(bg, ctxKey{}, i), nil}, i
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := event.NewBus()
			type kept struct {
				ctx  context.Context
				want any
			}
			var got []kept
			wants := map[int]any{}
			event.Subscribe(b, func(ctx context.Context, v int) { got = append(got, kept{ctx, wants[v]}) }, event.Sync())
			for i := range 200 {
				ctx, want := tt.parent(i)
				wants[i] = want
				if err := event.Publish(ctx, b, i); err != nil {
					t.Fatal(err)
				}
			}
			closeBus(t, b)
			if len(got) != 200 {
				t.Fatalf("handled %d events, want 200", len(got))
			}
			for i, k := range got {
				if v := k.ctx.Value(ctxKey{}); v != k.want {
					t.Errorf("event %d: handler context has value %v, want %v", i, v, k.want)
				}
				if at := event.PublishedAt(k.ctx); at.IsZero() {
					t.Errorf("event %d: PublishedAt of a kept context is zero", i)
				}
			}
		})
	}
}
