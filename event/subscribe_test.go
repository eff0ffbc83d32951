package event_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/event"
)

func TestOrderedDeliveryOf10000Events(t *testing.T) {
	for _, opts := range [][]event.SubscribeOption{
		nil,
		{event.Ordered(), event.WithBuffer(16)},
		{event.Concurrent(4), event.Ordered()}, // the last option wins
	} {
		b := event.NewBus()
		const n = 10000
		got := make([]int, 0, n)
		event.Subscribe(b, func(_ context.Context, v int) { got = append(got, v) }, opts...)
		for i := range n {
			if err := event.Publish(context.Background(), b, i); err != nil {
				t.Fatal(err)
			}
		}
		closeBus(t, b)
		if len(got) != n {
			t.Fatalf("delivered %d events, want %d", len(got), n)
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("event %d delivered at position %d: out of order", v, i)
			}
		}
	}
}

func TestConcurrentRunsHandlerInParallel(t *testing.T) {
	tests := []struct {
		name string
		opts []event.SubscribeOption
		want int32
	}{
		{"default is one at a time", nil, 1},
		{"Ordered", []event.SubscribeOption{event.Ordered()}, 1},
		{"Concurrent(4)", []event.SubscribeOption{event.Concurrent(4)}, 4},
		{"Concurrent(0) means 1", []event.SubscribeOption{event.Concurrent(0)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := event.NewBus()
				release := make(chan struct{})
				var running atomic.Int32
				event.Subscribe(b, func(context.Context, int) {
					running.Add(1)
					<-release
				}, tt.opts...)
				for i := range 8 {
					if err := event.Publish(context.Background(), b, i); err != nil {
						t.Fatal(err)
					}
				}
				synctest.Wait()
				if got := running.Load(); got != tt.want {
					t.Errorf("handlers running at once = %d, want %d", got, tt.want)
				}
				close(release)
				closeBus(t, b)
			})
		})
	}
}

func TestOnceRunsExactlyOnceUnderConcurrentPublishes(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := event.NewBus()
			var calls atomic.Int32
			event.Subscribe(b, func(context.Context, int) { calls.Add(1) }, append(m.opts, event.Once())...)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range 1000 {
				wg.Go(func() {
					<-start
					if err := event.Publish(context.Background(), b, i); err != nil {
						t.Error(err)
					}
				})
			}
			close(start)
			wg.Wait()
			closeBus(t, b)
			if n := calls.Load(); n != 1 {
				t.Errorf("Once handler ran %d times, want 1", n)
			}
			if s := b.Stats(); s.Subscribers != 0 || s.Matched != 1 || s.Delivered != 1 {
				t.Errorf("Stats() = %+v, want 0 subscribers, 1 matched, 1 delivered", s)
			}
		})
	}
}

// TestOnceWithConcurrentDeliveryLetsCloseSucceed is issue 16 item 5: the
// delivery goroutines of a Once subscription that did not take its event
// waited for a wake that never came, so Close waited out its whole deadline
// and returned an *UndeliveredError for 0 deliveries.
func TestOnceWithConcurrentDeliveryLetsCloseSucceed(t *testing.T) {
	for _, n := range []int{1, 2, 4, 16} {
		t.Run(fmt.Sprintf("Concurrent(%d)", n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := event.NewBus()
				var calls atomic.Int32
				event.Subscribe(b, func(context.Context, int) { calls.Add(1) }, event.Once(), event.Concurrent(n))
				synctest.Wait() // every delivery goroutine idle
				if err := event.Publish(context.Background(), b, 1); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				if got := calls.Load(); got != 1 {
					t.Fatalf("Once handler ran %d times, want 1", got)
				}
				const deadline = time.Hour
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				defer cancel()
				start := time.Now()
				if err := b.Close(ctx); err != nil {
					t.Fatalf("Close() = %v, want nil", err)
				}
				if waited := time.Since(start); waited != 0 {
					t.Errorf("Close waited %v with nothing left to deliver, want 0", waited)
				}
			})
		})
	}
}

func TestOnceUnsubscribedBeforeEventNeverRuns(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := event.NewBus()
			var calls atomic.Int32
			unsub := event.Subscribe(b, func(context.Context, int) { calls.Add(1) }, append(m.opts, event.Once())...)
			unsub()
			if err := event.Publish(context.Background(), b, 1); err != nil {
				t.Fatal(err)
			}
			closeBus(t, b)
			if n := calls.Load(); n != 0 {
				t.Errorf("handler ran %d times after unsubscribe", n)
			}
		})
	}
}

func TestHandlerPanicIsIsolatedAndReported(t *testing.T) {
	boom := errors.New("boom")
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var reported log[error]
			b := event.NewBus(event.WithErrorHandler(reported.add))
			var ok atomic.Int32
			event.Subscribe(b, func(context.Context, int) { panic(boom) }, append(m.opts, event.WithName("bad"))...)
			event.Subscribe(b, func(context.Context, int) { ok.Add(1) }, m.opts...)
			for i := range 3 {
				if err := event.Publish(context.Background(), b, i); err != nil {
					t.Fatalf("Publish = %v, want nil: panics are not Publish's errors", err)
				}
			}
			closeBus(t, b)
			if n := ok.Load(); n != 3 {
				t.Errorf("healthy handler ran %d times, want 3", n)
			}
			errs := reported.list()
			if len(errs) != 3 {
				t.Fatalf("error handler got %d errors, want 3", len(errs))
			}
			for _, err := range errs {
				var pe *event.PanicError
				if !errors.As(err, &pe) || !errors.Is(err, boom) {
					t.Fatalf("reported %v, want a *PanicError wrapping boom", err)
				}
				if pe.Subscriber != "bad" || pe.Value != boom {
					t.Errorf("PanicError = {%q, %v}, want {bad, boom}", pe.Subscriber, pe.Value)
				}
				if !strings.Contains(string(pe.Stack), "TestHandlerPanicIsIsolatedAndReported") {
					t.Errorf("stack does not show the panicking handler:\n%s", pe.Stack)
				}
			}
			if s := b.Stats(); s.Failed != 3 || s.Delivered != 3 {
				t.Errorf("Stats() = %+v, want 3 failed, 3 delivered", s)
			}
		})
	}
}

func TestHandlerUnsubscribingItselfRunsOnce(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := event.NewBus()
			var calls atomic.Int32
			var unsub func()
			unsub = event.Subscribe(b, func(context.Context, int) {
				calls.Add(1)
				unsub()
			}, m.opts...)
			for i := range 10 {
				if err := event.Publish(context.Background(), b, i); err != nil {
					t.Fatal(err)
				}
			}
			closeBus(t, b)
			if n := calls.Load(); n != 1 {
				t.Errorf("handler ran %d times, want 1", n)
			}
			if s := b.Stats(); s.Subscribers != 0 || s.Pending != 0 {
				t.Errorf("Stats() = %+v, want no subscriber and nothing pending", s)
			}
		})
	}
}

func TestUnsubscribeDiscardsBufferedEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		release := make(chan struct{})
		var got log[int]
		unsub := event.Subscribe(b, func(_ context.Context, v int) {
			got.add(v)
			<-release
		})
		for i := range 5 {
			if err := event.Publish(context.Background(), b, i); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait() // event 0 is being handled, 1-4 wait in the buffer
		unsub()
		unsub() // idempotent
		close(release)
		closeBus(t, b)
		if l := got.list(); len(l) != 1 || l[0] != 0 {
			t.Errorf("handled %v, want only [0]", l)
		}
		if s := b.Stats(); s.Dropped != 4 || s.Delivered != 1 || s.Subscribers != 0 {
			t.Errorf("Stats() = %+v, want 4 dropped, 1 delivered, 0 subscribers", s)
		}
	})
}

func TestConcurrentUnsubscribeWhilePublishing(t *testing.T) {
	type ev struct{ afterUnsubscribe bool }
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := event.NewBus()
			var seen atomic.Int32
			var late atomic.Int32
			unsub := event.Subscribe(b, func(_ context.Context, e ev) {
				if e.afterUnsubscribe {
					late.Add(1)
				}
				seen.Add(1)
			}, m.opts...)
			var done atomic.Bool
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for range 2000 {
						if err := event.Publish(context.Background(), b, ev{done.Load()}); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			for range 2 {
				wg.Go(func() {
					for seen.Load() < 100 {
						if err := event.Publish(context.Background(), b, ev{done.Load()}); err != nil {
							t.Error(err)
							return
						}
					}
					unsub()
					done.Store(true)
				})
			}
			wg.Wait()
			closeBus(t, b)
			if n := late.Load(); n != 0 {
				t.Errorf("handler got %d events published after unsubscribe returned", n)
			}
			if s := b.Stats(); s.Subscribers != 0 || s.Matched != s.Delivered+s.Dropped {
				t.Errorf("Stats() = %+v, want 0 subscribers and matched = delivered + dropped", s)
			}
		})
	}
}

func TestSubscribeNilHandlerPanics(t *testing.T) {
	b := event.NewBus()
	defer closeBus(t, b)
	defer func() {
		if r := recover(); r == nil {
			t.Error("Subscribe(nil) did not panic")
		}
	}()
	event.Subscribe[int](b, nil)
}

func TestHandlerCallingGoexitIsCountedAndDeliveryGoesOn(t *testing.T) {
	var reported log[error]
	b := event.NewBus(event.WithErrorHandler(reported.add))
	var got log[int]
	event.Subscribe(b, func(_ context.Context, v int) {
		got.add(v)
		if v == 0 {
			runtime.Goexit()
		}
	})
	for i := range 3 {
		if err := event.Publish(context.Background(), b, i); err != nil {
			t.Fatal(err)
		}
	}
	closeBus(t, b)
	if n := got.len(); n != 3 {
		t.Errorf("handled %d events, want 3: delivery must survive Goexit", n)
	}
	var pe *event.PanicError
	if errs := reported.list(); len(errs) != 1 || !errors.As(errs[0], &pe) || !strings.Contains(pe.Error(), "Goexit") {
		t.Errorf("reported %v, want one *PanicError naming Goexit", errs)
	}
	if s := b.Stats(); s.Failed != 1 || s.Delivered != 2 {
		t.Errorf("Stats() = %+v, want 1 failed, 2 delivered", s)
	}
}

// TestLargeSizesCostNothingUntilUsed: WithBuffer and Concurrent take any
// size, so a huge one must not allocate its buffer or start its goroutines
// at Subscribe (found by FuzzSubscribeOptions: WithBuffer(1<<40) ran out of
// memory); the buffer grows and goroutines start as events wait.
func TestLargeSizesCostNothingUntilUsed(t *testing.T) {
	t.Run("WithBuffer", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := event.NewBus()
			gate := make(chan struct{})
			var got log[int]
			event.Subscribe(b, func(_ context.Context, v int) { <-gate; got.add(v) },
				event.WithBuffer(1<<40), event.WithFullPolicy(event.Fail))
			const n = 1000 // past the 256 allocated at first
			for i := range n {
				if err := event.Publish(context.Background(), b, i); err != nil {
					t.Fatalf("Publish #%d: %v", i, err)
				}
			}
			close(gate)
			closeBus(t, b)
			l := got.list()
			for i, v := range l {
				if v != i {
					t.Fatalf("event %d delivered at position %d: the grown buffer lost order", v, i)
				}
			}
			if len(l) != n {
				t.Fatalf("delivered %d events, want %d", len(l), n)
			}
		})
	})
	t.Run("Concurrent", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// runtime.NumGoroutine counts goroutines outside the bubble
			// too (a goroutine of an earlier test may still be exiting),
			// so the goroutine counts are bounds, and the exact check is
			// on the handlers held at once.
			const slack = 4
			b := event.NewBus()
			gate := make(chan struct{})
			var held atomic.Int32
			before := runtime.NumGoroutine()
			event.Subscribe(b, func(context.Context, int) { held.Add(1); <-gate }, event.Concurrent(1<<30))
			if d := runtime.NumGoroutine() - before; d > 1+slack {
				t.Errorf("Subscribe started %d goroutines, want 1", d)
			}
			for i := range 8 {
				if err := event.Publish(context.Background(), b, i); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
			}
			if n := held.Load(); n != 8 {
				t.Errorf("%d deliveries held at once for 8 events, want 8", n)
			}
			if d := runtime.NumGoroutine() - before; d > 8+slack {
				t.Errorf("%d goroutines for 8 held events, want 8", d)
			}
			close(gate)
			closeBus(t, b)
		})
	})
}
