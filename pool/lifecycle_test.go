package pool_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestSubmitAfterCloseIsRejected: after Close or Shutdown every way in
// returns ErrClosed and nothing it was given runs (the Python port accepts
// such jobs and never runs them).
func TestSubmitAfterCloseIsRejected(t *testing.T) {
	stops := map[string]func(*pool.Pool) error{
		"Close":    (*pool.Pool).Close,
		"Shutdown": func(p *pool.Pool) error { return p.Shutdown(context.Background()) },
	}
	submits := map[string]func(*pool.Pool, *atomic.Int64) error{
		"Go": func(p *pool.Pool, ran *atomic.Int64) error { return p.Go(func() { ran.Add(1) }) },
		"Submit": func(p *pool.Pool, ran *atomic.Int64) error {
			_, err := p.Submit(context.Background(), func(context.Context) error { ran.Add(1); return nil })
			return err
		},
		"TrySubmit": func(p *pool.Pool, ran *atomic.Int64) error {
			_, err := p.TrySubmit(context.Background(), func(context.Context) error { ran.Add(1); return nil })
			return err
		},
	}
	for sname, stop := range stops {
		for name, submit := range submits {
			p := newPool(t, 2)
			if err := stop(p); err != nil {
				t.Fatalf("%s: %v", sname, err)
			}
			var ran atomic.Int64
			if err := submit(p, &ran); !errors.Is(err, pool.ErrClosed) {
				t.Errorf("%s after %s = %v, want ErrClosed", name, sname, err)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			if ran.Load() != 0 {
				t.Errorf("%s after %s: the function ran", name, sname)
			}
			if s := reconcile(t, p); s.Submitted != 0 || s.Rejected != 1 {
				t.Errorf("%s after %s: submitted %d rejected %d, want 0 and 1", name, sname, s.Submitted, s.Rejected)
			}
		}
	}
}

// TestCloseRunsEveryQueuedJob: Close with 10,000 queued jobs runs all of them
// (the Python port silently loses jobs queued at shutdown).
func TestCloseRunsEveryQueuedJob(t *testing.T) {
	p := newPool(t, 2)
	release := occupy(t, p)
	var ran atomic.Int64
	const n = 10000
	for i := range n {
		var err error
		if i%2 == 0 {
			err = p.Go(func() { ran.Add(1) })
		} else {
			_, err = p.Submit(context.Background(), func(context.Context) error { ran.Add(1); return nil })
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan error)
	go func() { closed <- p.Close() }()
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if ran.Load() != n {
		t.Fatalf("Close ran %d of %d queued jobs", ran.Load(), n)
	}
	if s := reconcile(t, p); s.Succeeded != n+2 {
		t.Fatalf("succeeded = %d, want %d", s.Succeeded, n+2)
	}
}

// TestShutdownDeadlineCancelsTheRest: a deadline too short to drain leaves
// every accepted job Succeeded or Cancelled with ErrShutdown, none Queued.
func TestShutdownDeadlineCancelsTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(2)
		if err != nil {
			t.Fatal(err)
		}
		const n = 10000
		jobs := make([]*pool.Job, n)
		for i := range jobs {
			jobs[i], err = p.Submit(context.Background(), func(ctx context.Context) error {
				select {
				case <-time.After(time.Millisecond):
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := p.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown = %v, want DeadlineExceeded", err)
		}
		// Shutdown does not wait for running jobs; Close does.
		p.Close()
		var succeeded, cancelled int
		for i, j := range jobs {
			switch j.State() {
			case pool.Succeeded:
				succeeded++
			case pool.Cancelled:
				cancelled++
				if err := j.Err(); !errors.Is(err, pool.ErrShutdown) || !errors.Is(err, context.Canceled) {
					t.Fatalf("job %d cancelled with %v, want ErrShutdown and context.Canceled", i, err)
				}
			default:
				t.Fatalf("job %d ended %v", i, j.State())
			}
		}
		if succeeded == 0 || cancelled == 0 {
			t.Fatalf("succeeded %d, cancelled %d: want both non-zero", succeeded, cancelled)
		}
		s := reconcile(t, p)
		if int(s.Succeeded) != succeeded || int(s.Cancelled) != cancelled || s.Queued != 0 {
			t.Fatalf("stats %+v disagree with jobs: %d succeeded, %d cancelled", s, succeeded, cancelled)
		}
	})
}

// TestCloseAndShutdownAreIdempotent calls both many times from many
// goroutines while jobs run.
func TestCloseAndShutdownAreIdempotent(t *testing.T) {
	p := newPool(t, 4)
	var ran atomic.Int64
	for range 1000 {
		p.Go(func() { ran.Add(1) })
	}
	done := make(chan error, 20)
	for i := range 20 {
		go func() {
			if i%2 == 0 {
				done <- p.Close()
			} else {
				done <- p.Shutdown(context.Background())
			}
		}()
	}
	for range 20 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if ran.Load() != 1000 {
		t.Fatalf("ran %d of 1000", ran.Load())
	}
}

// TestWaitReturnsWhenIdle: Wait returns once nothing is queued or running, and
// honours its context while jobs run.
func TestWaitReturnsWhenIdle(t *testing.T) {
	p := newPool(t, 2)
	release := occupy(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a busy pool and a cancelled ctx = %v", err)
	}
	var ran atomic.Int64
	for range 100 {
		p.Go(func() { ran.Add(1) })
	}
	release()
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 100 {
		t.Fatalf("Wait returned with %d of 100 jobs run", ran.Load())
	}
	if s := reconcile(t, p); s.Running != 0 || s.Queued != 0 || s.Idle != 2 {
		t.Fatalf("after Wait: %+v", s)
	}
}

// TestStatsCountHeldBatchAsQueued: Go funcs a worker took in a batch but has
// not started are still Queued in Stats, and the counts reconcile while the
// worker is busy.
func TestStatsCountHeldBatchAsQueued(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	gate := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	defer open()
	started := make(chan struct{})
	p.Go(func() { close(started); <-gate })
	for range 1000 {
		p.Go(func() {})
	}
	release()
	<-started // the worker took the blocking func and a batch behind it
	s := reconcile(t, p)
	if s.Running != 1 || s.Queued != 1000 {
		t.Fatalf("running %d queued %d, want 1 and 1000", s.Running, s.Queued)
	}
	open()
	p.Wait(context.Background())
	if s := reconcile(t, p); s.Queued != 0 || s.Succeeded != 1002 {
		t.Fatalf("after: %+v", s)
	}
}
