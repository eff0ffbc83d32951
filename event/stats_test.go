package event_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/threadsystem/threadsystem/event"
)

func TestStatsReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		release := make(chan struct{})
		block := func(context.Context, int) { <-release }
		event.Subscribe(b, func(context.Context, int) {}, event.Sync())
		event.Subscribe(b, func(context.Context, int) { panic("x") }, event.Sync())
		event.Subscribe(b, block, event.WithBuffer(1), event.WithFullPolicy(event.Drop))
		event.Subscribe(b, block, event.WithBuffer(1), event.WithFullPolicy(event.Fail))
		gone := event.Subscribe(b, block, event.WithBuffer(8))
		event.Subscribe(b, func(context.Context, string) {}) // matches nothing published
		var errs int
		for i := range 5 {
			if err := event.Publish(context.Background(), b, i); errors.Is(err, event.ErrFull) {
				errs++
			} else if err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		if got := b.Stats(); got.Pending != 2+2+5 || got.Subscribers != 6 {
			t.Errorf("while blocked: Stats() = %+v, want 9 pending, 6 subscribers", got)
		}
		gone() // 1 running, 4 buffered: dropped
		close(release)
		closeBus(t, b)
		if errs != 3 {
			t.Errorf("Publish returned ErrFull %d times, want 3", errs)
		}
		got := b.Stats()
		tests := []struct {
			name      string
			got, want uint64
		}{
			{"Published", got.Published, 5},
			{"Matched", got.Matched, 25},
			{"Delivered", got.Delivered, 5 + 2 + 2 + 1},
			{"Failed", got.Failed, 5},
			{"Dropped", got.Dropped, 3 + 4},
			{"Rejected", got.Rejected, 3},
			{"Abandoned", got.Abandoned, 0},
			{"Pending", got.Pending, 0},
			{"Matched - outcomes", got.Matched - (got.Delivered + got.Failed + got.Dropped + got.Rejected + got.Abandoned), 0},
		}
		for _, tt := range tests {
			if tt.got != tt.want {
				t.Errorf("Stats().%s = %d, want %d", tt.name, tt.got, tt.want)
			}
		}
		if got.Subscribers != 5 {
			t.Errorf("Stats().Subscribers = %d, want 5", got.Subscribers)
		}
	})
}

// syncBehaviour is what a Sync handler in
// TestSyncDeliveriesAreCountedByTheirPublish does.
type syncBehaviour int

const (
	returns          syncBehaviour = iota
	panics                         // panics
	exits                          // calls runtime.Goexit, ending Publish's goroutine
	unsubscribesNext               // unsubscribes the next subscription
	republishes                    // publishes event 1 from inside event 0's delivery
)

// TestSyncDeliveriesAreCountedByTheirPublish checks that the Sync
// deliveries of one Publish are all counted by the time it returns (or its
// goroutine ends), not counting subscriptions skipped because they were
// unsubscribed or their Once event was taken meanwhile, and that a Stats
// read from a handler shows no Sync delivery pending.
func TestSyncDeliveriesAreCountedByTheirPublish(t *testing.T) {
	type spec struct {
		do   syncBehaviour
		once bool
	}
	tests := []struct {
		name                   string
		subs                   []spec // Sync subscriptions, in order
		ran, delivered, failed uint64 // matched is delivered + failed
	}{
		{"all return", []spec{{do: returns}, {do: returns}, {do: returns}}, 3, 3, 0},
		{"one panics", []spec{{do: returns}, {do: panics}, {do: returns}}, 3, 2, 1},
		{"one unsubscribes the next", []spec{{do: unsubscribesNext}, {do: returns}, {do: returns}}, 2, 2, 0},
		// The nested Publish takes the Once event; the outer one skips it.
		{"nested publish takes a Once", []spec{{do: republishes}, {do: returns, once: true}, {do: returns}}, 5, 5, 0},
		{"one calls Goexit", []spec{{do: returns}, {do: exits}, {do: returns}}, 2, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := event.NewBus()
			var ran atomic.Uint64
			var inside log[event.Stats]
			unsub := make([]func(), len(tt.subs))
			for i, sp := range tt.subs {
				opts := []event.SubscribeOption{event.Sync()}
				if sp.once {
					opts = append(opts, event.Once())
				}
				unsub[i] = event.Subscribe(b, func(ctx context.Context, v int) {
					ran.Add(1)
					inside.add(b.Stats())
					switch sp.do {
					case panics:
						panic("handler panics")
					case exits:
						runtime.Goexit()
					case unsubscribesNext:
						unsub[i+1]()
					case republishes:
						if v == 0 {
							if err := event.Publish(ctx, b, 1); err != nil {
								t.Error(err)
							}
						}
					}
				}, opts...)
			}
			var wg sync.WaitGroup
			wg.Go(func() {
				if err := event.Publish(context.Background(), b, 0); err != nil {
					t.Error(err)
				}
			})
			wg.Wait()
			got := b.Stats()
			if n := ran.Load(); n != tt.ran {
				t.Errorf("handlers ran %d times, want %d", n, tt.ran)
			}
			if got.Matched != tt.delivered+tt.failed || got.Delivered != tt.delivered || got.Failed != tt.failed || got.Pending != 0 {
				t.Errorf("after Publish: Stats() = %+v, want %d matched, %d delivered, %d failed, 0 pending",
					got, tt.delivered+tt.failed, tt.delivered, tt.failed)
			}
			// Sync deliveries are counted when their Publish is done
			// with its Sync handlers: never pending.
			for i, s := range inside.list() {
				if s.Pending != 0 || s.Matched != s.Delivered+s.Failed {
					t.Errorf("handler call %d: Stats() = %+v, want 0 pending and matched = delivered + failed", i, s)
				}
			}
			closeBus(t, b)
		})
	}
}
