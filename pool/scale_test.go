package pool_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestAdaptiveScaling: a burst scales up to the maximum with no job waiting
// while a worker could be added, and a quiet spell scales back down to the
// minimum after the idle timeout.
func TestAdaptiveScaling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var events []pool.EventKind
		obs := pool.ObserverFunc(func(e pool.Event) {
			if e.Kind == pool.EventWorkerStarted || e.Kind == pool.EventWorkerStopped {
				mu.Lock()
				events = append(events, e.Kind)
				mu.Unlock()
			}
		})
		p, err := pool.New(1, pool.WithMinWorkers(1), pool.WithMaxWorkers(8),
			pool.WithIdleTimeout(time.Second), pool.WithObserver(obs))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		var jobs []*pool.Job
		for range 8 {
			j, _ := p.Submit(context.Background(), func(context.Context) error {
				time.Sleep(100 * time.Millisecond)
				return nil
			})
			jobs = append(jobs, j)
		}
		synctest.Wait()
		if s := p.Stats(); s.Workers != 8 || s.Running != 8 || s.Queued != 0 {
			t.Fatalf("during the burst: workers %d running %d queued %d, want 8 8 0", s.Workers, s.Running, s.Queued)
		}
		for _, j := range jobs {
			j.Wait(context.Background())
			if q, started, _ := j.Timing(); started.Sub(q) != 0 {
				t.Fatalf("job %d waited %v for a worker", j.ID(), started.Sub(q))
			}
		}
		time.Sleep(500 * time.Millisecond)
		if n := p.Workers(); n != 8 {
			t.Fatalf("workers retired before the idle timeout: %d", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if s := p.Stats(); s.Workers != 1 || s.Retired != 7 || s.Started != 7 {
			t.Fatalf("after a quiet spell: workers %d started %d retired %d, want 1 7 7", s.Workers, s.Started, s.Retired)
		}
		mu.Lock()
		defer mu.Unlock()
		started, stopped := 0, 0
		for _, k := range events {
			if k == pool.EventWorkerStarted {
				started++
			} else {
				stopped++
			}
		}
		if started != 8 || stopped != 7 {
			t.Fatalf("observer saw %d starts and %d stops, want 8 (one at New) and 7", started, stopped)
		}
	})
}

// TestScaleFromZero: a pool with no minimum starts a worker on demand and
// closes cleanly with none left.
func TestScaleFromZero(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(1, pool.WithMinWorkers(0), pool.WithMaxWorkers(2), pool.WithIdleTimeout(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n := p.Workers(); n != 0 {
			t.Fatalf("idle pool kept %d workers, min 0", n)
		}
		j, _ := p.Submit(context.Background(), nop)
		if err := j.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		reconcile(t, p)
	})
}

func TestResize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(2)
		defer p.Close()
		if err := p.Resize(6); err != nil {
			t.Fatal(err)
		}
		if n := p.Workers(); n != 6 {
			t.Fatalf("after Resize(6): %d workers", n)
		}
		gate := make(chan struct{})
		for range 6 {
			p.Go(func() { <-gate })
		}
		synctest.Wait()
		if err := p.Resize(3); err != nil {
			t.Fatal(err)
		}
		if n := p.Workers(); n != 6 {
			t.Fatalf("busy workers retired before their jobs ended: %d", n)
		}
		close(gate)
		p.Wait(context.Background())
		synctest.Wait()
		if n := p.Workers(); n != 3 {
			t.Fatalf("after Resize(3) and the jobs ending: %d workers", n)
		}
		for _, bad := range []int{0, -1} {
			if err := p.Resize(bad); !errors.Is(err, pool.ErrInvalidOption) {
				t.Fatalf("Resize(%d) = %v", bad, err)
			}
		}
		p.Close()
		if err := p.Resize(4); !errors.Is(err, pool.ErrClosed) {
			t.Fatalf("Resize after Close = %v", err)
		}
	})
}

func TestScalingOptionsValidated(t *testing.T) {
	for _, tt := range []struct {
		name    string
		workers int
		opts    []pool.Option
	}{
		{"min above max", 1, []pool.Option{pool.WithMinWorkers(5), pool.WithMaxWorkers(2)}},
		{"workers above max", 4, []pool.Option{pool.WithMaxWorkers(2)}},
		{"negative min", 1, []pool.Option{pool.WithMinWorkers(-1)}},
		{"zero max", 1, []pool.Option{pool.WithMaxWorkers(0)}},
		{"zero idle timeout", 1, []pool.Option{pool.WithIdleTimeout(0)}},
	} {
		if _, err := pool.New(tt.workers, tt.opts...); !errors.Is(err, pool.ErrInvalidOption) {
			t.Errorf("%s: New = %v, want ErrInvalidOption", tt.name, err)
		}
	}
}
