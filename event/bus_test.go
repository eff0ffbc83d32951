package event_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/event"
)

func TestCloseWhilePublishingLosesNothing(t *testing.T) {
	tests := []struct {
		name string
		opts []event.SubscribeOption
	}{
		{"async", []event.SubscribeOption{event.WithBuffer(64)}},
		{"concurrent", []event.SubscribeOption{event.Concurrent(4), event.WithBuffer(64)}},
		{"sync", []event.SubscribeOption{event.Sync()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := event.NewBus()
			var handled atomic.Uint64
			warm := make(chan struct{})
			var once sync.Once
			event.Subscribe(b, func(context.Context, int) {
				if handled.Add(1) == 1000 {
					once.Do(func() { close(warm) })
				}
			}, tt.opts...)
			var accepted atomic.Uint64
			var wg sync.WaitGroup
			publishUntilClosed(t, b, &wg, &accepted, -1)
			<-warm
			closeBus(t, b)
			// Publish calls accepted are all done when Close returns, but
			// their callers may not have counted them yet.
			h := handled.Load()
			wg.Wait()
			if a := accepted.Load(); h != a || handled.Load() != h {
				t.Errorf("Close returned nil with %d events handled, %d accepted, %d handled later", h, a, handled.Load()-h)
			}
			if s := b.Stats(); s.Delivered != accepted.Load() || s.Pending != 0 {
				t.Errorf("Stats() = %+v, want delivered = %d accepted, nothing pending", s, accepted.Load())
			}
		})
	}
}

func TestCloseGivesUpAndReportsUndelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		var handled, cancelled atomic.Uint64
		event.Subscribe(b, func(ctx context.Context, _ int) {
			select {
			case <-time.After(3 * time.Millisecond):
			case <-ctx.Done():
				cancelled.Add(1)
			}
			handled.Add(1)
		}, event.WithBuffer(32))
		var accepted atomic.Uint64
		var wg sync.WaitGroup
		publishUntilClosed(t, b, &wg, &accepted, 100)
		time.Sleep(10 * time.Millisecond) // fake time: 4 events handled, Close gives up mid-handler
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		err := b.Close(ctx)
		var ue *event.UndeliveredError
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ue) {
			t.Fatalf("Close = %v, want an *UndeliveredError wrapping DeadlineExceeded", err)
		}
		wg.Wait()
		synctest.Wait() // the handler running at the give-up sees ctx done and returns
		if ue.Count == 0 {
			t.Errorf("Close reported 0 undelivered; the test wants a backlog")
		}
		if h, a := handled.Load(), accepted.Load(); h+ue.Count != a {
			t.Errorf("handled %d + reported %d != accepted %d", h, ue.Count, a)
		}
		if cancelled.Load() != 1 {
			t.Errorf("%d handlers saw their ctx cancelled, want the 1 running at give-up", cancelled.Load())
		}
		if err2 := b.Close(context.Background()); err2 != err {
			t.Errorf("second Close = %v, want the first one's error %v", err2, err)
		}
		s := b.Stats()
		if s.Abandoned != ue.Count || s.Pending != 0 || s.Delivered != handled.Load() {
			t.Errorf("Stats() = %+v, want abandoned %d, delivered %d, nothing pending", s, ue.Count, handled.Load())
		}
	})
}

func TestCloseWaitsForBlockedPublisher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		var got log[int]
		release := fullSubscriber(t, b, &got)
		errc := make(chan error, 2)
		go func() { errc <- event.Publish(context.Background(), b, 2) }()
		synctest.Wait()
		go func() { errc <- b.Close(context.Background()) }()
		synctest.Wait()
		if len(errc) != 0 {
			t.Fatalf("Close or Publish returned while the subscriber was blocked: %v", <-errc)
		}
		close(release)
		for range 2 {
			if err := <-errc; err != nil {
				t.Errorf("got %v, want nil from both Publish and Close", err)
			}
		}
		if n := got.len(); n != 3 {
			t.Errorf("handled %d events, want 3", n)
		}
	})
}

func TestCloseGivingUpReleasesBlockedPublisher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		var got log[int]
		release := fullSubscriber(t, b, &got)
		errc := make(chan error, 1)
		go func() { errc <- event.Publish(context.Background(), b, 2) }()
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var ue *event.UndeliveredError
		if err := b.Close(ctx); !errors.As(err, &ue) || ue.Count != 1 {
			t.Errorf("Close = %v, want 1 undelivered (the buffered event)", err)
		}
		if err := <-errc; !errors.Is(err, event.ErrClosed) {
			t.Errorf("blocked Publish = %v, want ErrClosed", err)
		}
		close(release)
		synctest.Wait()
		if s := b.Stats(); s.Delivered != 1 || s.Abandoned != 1 || s.Rejected != 1 || s.Pending != 0 {
			t.Errorf("Stats() = %+v, want 1 delivered, 1 abandoned, 1 rejected", s)
		}
	})
}

func TestCloseIsIdempotentAndConcurrent(t *testing.T) {
	b := event.NewBus()
	var n atomic.Int32
	event.Subscribe(b, func(context.Context, int) { n.Add(1) })
	for i := range 100 {
		if err := event.Publish(context.Background(), b, i); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := b.Close(context.Background()); err != nil {
				t.Errorf("Close = %v", err)
			}
			// Every Close returns only once the bus has drained.
			if got := n.Load(); got != 100 {
				t.Errorf("Close returned with %d of 100 events handled", got)
			}
		})
	}
	wg.Wait()
	closeBus(t, b)
}

func TestSubscribeAfterCloseIsNoOp(t *testing.T) {
	b := event.NewBus()
	closeBus(t, b)
	for _, m := range modes {
		unsub := event.Subscribe(b, func(context.Context, int) { t.Error("handler ran") }, m.opts...)
		unsub()
		unsub()
	}
	if s := b.Stats(); s.Subscribers != 0 {
		t.Errorf("Subscribers = %d after Close, want 0", s.Subscribers)
	}
	// goleak in TestMain checks no delivery goroutine was started.
}

func TestZeroBusWorks(t *testing.T) {
	var b event.Bus
	if err := event.Publish(context.Background(), &b, 1); err != nil {
		t.Fatalf("Publish on zero Bus = %v", err)
	}
	var got log[int]
	event.Subscribe(&b, func(_ context.Context, v int) { got.add(v) })
	if err := event.Publish(context.Background(), &b, 2); err != nil {
		t.Fatal(err)
	}
	closeBus(t, &b)
	if l := got.list(); len(l) != 1 || l[0] != 2 {
		t.Errorf("got %v, want [2]", l)
	}
}

func TestCloseWithoutSubscribers(t *testing.T) {
	var zero event.Bus
	for _, b := range []*event.Bus{event.NewBus(), &zero} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("Close(cancelled ctx) on an idle bus = %v, want nil", err)
		}
	}
}

// publishUntilClosed starts 8 publishers, each publishing up to n events (n
// below 0: no limit) until Publish returns ErrClosed, counting in accepted
// the events Publish took.
func publishUntilClosed(t *testing.T, b *event.Bus, wg *sync.WaitGroup, accepted *atomic.Uint64, n int) {
	for range 8 {
		wg.Go(func() {
			for i := 0; n < 0 || i < n; i++ {
				err := event.Publish(context.Background(), b, i)
				if errors.Is(err, event.ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Publish = %v", err)
					return
				}
				accepted.Add(1)
			}
		})
	}
}
