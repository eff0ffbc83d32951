package pool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

func nop(context.Context) error { return nil }

// TestAfterWaitsForDependencies: a dependent job is Pending, holds no
// worker, and runs once its dependency succeeded.
func TestAfterWaitsForDependencies(t *testing.T) {
	p := newPool(t, 1)
	gate := make(chan struct{})
	var order []string
	a, _ := p.Submit(context.Background(), func(context.Context) error {
		<-gate
		order = append(order, "a")
		return nil
	}, pool.WithName("a"))
	b, err := p.Submit(context.Background(), func(context.Context) error {
		order = append(order, "b")
		return nil
	}, pool.After(a))
	if err != nil {
		t.Fatal(err)
	}
	if b.State() != pool.Pending {
		t.Fatalf("dependent state = %v, want Pending", b.State())
	}
	if s := p.Stats(); s.Pending != 1 {
		t.Fatalf("Stats.Pending = %d, want 1", s.Pending)
	}
	close(gate)
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != "a" || order[1] != "b" {
		t.Fatalf("order = %v, want [a b]", order)
	}
	p.Wait(context.Background())
	reconcile(t, p)
}

// TestCancelledDependencyDoesNotBlockAWorker: the Python port blocks a worker
// forever on a cancelled dependency. Here the dependent ends Skipped at once,
// naming the dependency, its own dependents follow, and the worker is free.
func TestCancelledDependencyDoesNotBlockAWorker(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	a, _ := p.Submit(context.Background(), nop, pool.WithName("fetch"))
	b, _ := p.Submit(context.Background(), nop, pool.After(a), pool.WithName("parse"))
	c, _ := p.Submit(context.Background(), nop, pool.After(b))
	a.Cancel()
	for _, j := range []*pool.Job{b, c} {
		select {
		case <-j.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("job %d still %v after its dependency was cancelled", j.ID(), j.State())
		}
		if j.State() != pool.Skipped {
			t.Fatalf("job %d state = %v, want Skipped", j.ID(), j.State())
		}
	}
	var de *pool.DependencyError
	if !errors.As(b.Err(), &de) || de.Name != "fetch" || de.State != pool.Cancelled {
		t.Fatalf("b.Err() = %v, want a DependencyError naming fetch, cancelled", b.Err())
	}
	if !errors.As(c.Err(), &de) || de.Name != "parse" || de.State != pool.Skipped {
		t.Fatalf("c.Err() = %v, want a DependencyError naming parse, skipped", c.Err())
	}
	release()
	ok, _ := p.Submit(context.Background(), nop)
	if err := ok.Wait(context.Background()); err != nil {
		t.Fatalf("a later job did not run: %v", err)
	}
	p.Wait(context.Background())
	if s := reconcile(t, p); s.Skipped != 2 || s.Pending != 0 {
		t.Fatalf("skipped %d pending %d, want 2 and 0", s.Skipped, s.Pending)
	}
}

// TestDependencyOutcomes: each way a dependency can end decides the
// dependent's fate.
func TestDependencyOutcomes(t *testing.T) {
	tests := []struct {
		name string
		dep  func(context.Context) error
		want pool.State
	}{
		{"succeeded", nop, pool.Succeeded},
		{"failed", func(context.Context) error { return errors.New("no") }, pool.Skipped},
		{"panicked", func(context.Context) error { panic("no") }, pool.Skipped},
		{"cancelled", func(ctx context.Context) error {
			j, _ := pool.JobFromContext(ctx)
			j.Cancel()
			return ctx.Err()
		}, pool.Skipped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, 2)
			dep, _ := p.Submit(context.Background(), tt.dep)
			j, _ := p.Submit(context.Background(), nop, pool.After(dep))
			j.Wait(context.Background())
			if j.State() != tt.want {
				t.Fatalf("dependent = %v (%v), want %v", j.State(), j.Err(), tt.want)
			}
			p.Wait(context.Background())
			reconcile(t, p)
		})
	}
}

// TestCloseRunsPendingJobs: Close waits for dependents that become ready
// while it drains; Shutdown's deadline cancels the ones still pending.
func TestCloseRunsPendingJobs(t *testing.T) {
	p := newPool(t, 1)
	gate := make(chan struct{})
	a, _ := p.Submit(context.Background(), func(context.Context) error { <-gate; return nil })
	var ran atomic.Bool
	b, _ := p.Submit(context.Background(), func(context.Context) error { ran.Store(true); return nil }, pool.After(a))
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	close(gate)
	<-closed
	if !ran.Load() || b.State() != pool.Succeeded {
		t.Fatalf("pending job after Close: ran=%v state=%v", ran.Load(), b.State())
	}

	q := newPool(t, 1)
	release := occupy(t, q)
	c, _ := q.Submit(context.Background(), nop)
	d, _ := q.Submit(context.Background(), nop, pool.After(c))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q.Shutdown(ctx)
	release()
	q.Close()
	if d.State() != pool.Cancelled && d.State() != pool.Skipped {
		t.Fatalf("pending job after an expired Shutdown: %v", d.State())
	}
	reconcile(t, q)
}

// TestRetryHoldsNoWorker: a failing job is retried under its policy; while
// it waits for the next attempt it is Pending, not Running, and the worker
// runs other jobs.
func TestRetryHoldsNoWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		defer p.Close()
		var calls atomic.Int64
		errFlaky := errors.New("flaky")
		pol := retry.Policy{MaxAttempts: 3, InitialDelay: time.Second, Multiplier: 2}
		start := time.Now()
		j, err := p.Submit(context.Background(), func(context.Context) error {
			if calls.Add(1) < 3 {
				return errFlaky
			}
			return nil
		}, pool.WithRetry(pol))
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if s := p.Stats(); s.Running != 0 || s.Pending != 1 || j.State() != pool.Pending {
			t.Fatalf("waiting for a retry: running %d pending %d state %v", s.Running, s.Pending, j.State())
		}
		other, _ := p.Submit(context.Background(), nop)
		if err := other.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) != 0 {
			t.Fatalf("another job had to wait %v for the retrying one", time.Since(start))
		}
		if err := j.Wait(context.Background()); err != nil {
			t.Fatalf("retried job: %v", err)
		}
		if took := time.Since(start); took != 3*time.Second {
			t.Fatalf("two retries took %v, want 1s + 2s", took)
		}
		if j.Attempts() != 3 || len(j.AttemptErrors()) != 2 {
			t.Fatalf("attempts %d errors %v", j.Attempts(), j.AttemptErrors())
		}
		s := reconcile(t, p)
		if s.Retried != 2 || s.Succeeded != 2 {
			t.Fatalf("retried %d succeeded %d, want 2 and 2", s.Retried, s.Succeeded)
		}
	})
}

// TestRetryGivesUp: after MaxAttempts the job ends Failed with the last
// attempt's error; a Permanent error stops at once.
func TestRetryGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		defer p.Close()
		errAlways := errors.New("always")
		pol := retry.Policy{MaxAttempts: 4, InitialDelay: time.Millisecond}
		j, _ := p.Submit(context.Background(), func(context.Context) error { return errAlways }, pool.WithRetry(pol))
		if err := j.Wait(context.Background()); !errors.Is(err, errAlways) || j.Attempts() != 4 {
			t.Fatalf("err %v attempts %d, want errAlways after 4", err, j.Attempts())
		}
		perm, _ := p.Submit(context.Background(), func(context.Context) error {
			return retry.Permanent(errAlways)
		}, pool.WithRetry(pol))
		if perm.Wait(context.Background()); perm.Attempts() != 1 || perm.State() != pool.Failed {
			t.Fatalf("permanent error: attempts %d state %v", perm.Attempts(), perm.State())
		}
		if _, err := p.Submit(context.Background(), nop, pool.WithRetry(retry.Policy{Multiplier: 0.5})); !errors.Is(err, pool.ErrInvalidOption) {
			t.Fatalf("invalid policy = %v, want ErrInvalidOption", err)
		}
	})
}

// TestCancelDuringRetryWait: cancelling a job waiting for its next attempt
// ends it at once, and the timer never runs it.
func TestCancelDuringRetryWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		defer p.Close()
		var calls atomic.Int64
		j, _ := p.Submit(context.Background(), func(context.Context) error {
			calls.Add(1)
			return errors.New("fail")
		}, pool.WithRetry(retry.Policy{MaxAttempts: retry.Forever, InitialDelay: time.Hour}))
		synctest.Wait()
		j.Cancel()
		if j.State() != pool.Cancelled {
			t.Fatalf("state %v, want Cancelled", j.State())
		}
		time.Sleep(2 * time.Hour)
		if calls.Load() != 1 {
			t.Fatalf("ran %d times, want 1", calls.Load())
		}
		p.Wait(context.Background())
		reconcile(t, p)
	})
}

// TestBreakerFailsJobsFastWhileOpen: once the breaker trips, jobs fail with
// retry.ErrOpen without running; after its open time a probe runs again.
func TestBreakerFailsJobsFastWhileOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		defer p.Close()
		b, err := retry.NewBreaker(retry.BreakerConfig{FailureThreshold: 2, OpenTimeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		var ran atomic.Int64
		failing := func(context.Context) error { ran.Add(1); return errors.New("down") }
		for range 2 {
			j, _ := p.Submit(context.Background(), failing, pool.WithBreaker(b))
			j.Wait(context.Background())
		}
		j, _ := p.Submit(context.Background(), failing, pool.WithBreaker(b))
		if err := j.Wait(context.Background()); !errors.Is(err, retry.ErrOpen) || ran.Load() != 2 {
			t.Fatalf("while open: err %v, ran %d; want ErrOpen and 2", err, ran.Load())
		}
		time.Sleep(time.Minute)
		ok, _ := p.Submit(context.Background(), func(context.Context) error { ran.Add(1); return nil }, pool.WithBreaker(b))
		if err := ok.Wait(context.Background()); err != nil || b.State() != retry.Closed {
			t.Fatalf("probe after the open time: %v, breaker %v", err, b.State())
		}
		if _, err := p.Submit(context.Background(), nop, pool.WithBreaker(nil)); !errors.Is(err, pool.ErrInvalidOption) {
			t.Fatalf("WithBreaker(nil) = %v", err)
		}
	})
}
