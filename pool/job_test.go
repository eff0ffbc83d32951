package pool_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestContextEndedBeforeStartNeverRuns: a job whose ctx ends while it waits
// in the queue never runs and ends Cancelled with the context's error.
func TestContextEndedBeforeStartNeverRuns(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Bool
	j, err := p.Submit(ctx, func(context.Context) error { ran.Store(true); return nil })
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	release()
	if err := j.Wait(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	if ran.Load() || j.State() != pool.Cancelled {
		t.Fatalf("ran=%v state=%v, want not run and Cancelled", ran.Load(), j.State())
	}
	if _, err := p.Submit(ctx, func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit with an ended ctx = %v, want context.Canceled", err)
	}
	p.Wait(context.Background())
	reconcile(t, p)
}

// TestCancel covers Job.Cancel on a queued job and on a running job that
// returns its ctx error or ignores it.
func TestCancel(t *testing.T) {
	tests := []struct {
		name      string
		returnErr bool // whether the job returns ctx.Err() once cancelled
		want      pool.State
	}{
		{"returns ctx error", true, pool.Cancelled},
		{"ignores cancellation", false, pool.Succeeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, 1)
			started := make(chan struct{})
			j, err := p.Submit(context.Background(), func(ctx context.Context) error {
				close(started)
				<-ctx.Done()
				if tt.returnErr {
					return ctx.Err()
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// A queued job behind it is cancelled without running.
			var ran atomic.Bool
			queued, _ := p.Submit(context.Background(), func(context.Context) error { ran.Store(true); return nil })
			<-started
			queued.Cancel()
			if queued.State() != pool.Cancelled || !errors.Is(queued.Err(), context.Canceled) {
				t.Fatalf("queued job after Cancel: %v %v", queued.State(), queued.Err())
			}
			select {
			case <-queued.Done():
			default:
				t.Fatal("Done not closed after cancelling a queued job")
			}
			j.Cancel()
			j.Cancel() // a second call does nothing
			j.Wait(context.Background())
			if j.State() != tt.want {
				t.Fatalf("state = %v, want %v", j.State(), tt.want)
			}
			p.Wait(context.Background())
			if ran.Load() {
				t.Fatal("cancelled queued job ran")
			}
			s := reconcile(t, p)
			if s.Queued != 0 {
				t.Fatalf("queued = %d after cancel, want 0", s.Queued)
			}
		})
	}
}

// TestTimeout: WithTimeout ends the job's context after the duration, and a
// job that returns that error has Failed with DeadlineExceeded.
func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		defer p.Close()
		var took time.Duration
		j, err := p.Submit(context.Background(), func(ctx context.Context) error {
			start := time.Now()
			dl, ok := ctx.Deadline()
			if !ok || dl.Sub(start) != 50*time.Millisecond {
				t.Errorf("Deadline = %v %v, want start+50ms", dl, ok)
			}
			<-ctx.Done()
			took = time.Since(start)
			return ctx.Err()
		}, pool.WithTimeout(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		err = j.Wait(context.Background())
		if took != 50*time.Millisecond {
			t.Fatalf("ctx ended after %v, want 50ms", took)
		}
		if j.State() != pool.Failed || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("state %v err %v, want Failed with DeadlineExceeded", j.State(), err)
		}
	})
}

// TestParentContextCancelsRunningJob: cancelling the submit's ctx cancels the
// running job, which ends Cancelled.
func TestParentContextCancelsRunningJob(t *testing.T) {
	p := newPool(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	j, _ := p.Submit(ctx, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	<-started
	cancel()
	if err := j.Wait(context.Background()); !errors.Is(err, context.Canceled) || j.State() != pool.Cancelled {
		t.Fatalf("state %v err %v", j.State(), err)
	}
}

// TestDerivedContextEndsWithJob: a context derived inside a job ends when the
// job ends, so goroutines tied to it do not leak (goleak checks).
func TestDerivedContextEndsWithJob(t *testing.T) {
	p := newPool(t, 1)
	var derived context.Context
	j, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		var cancel context.CancelFunc
		derived, cancel = context.WithCancel(ctx)
		_ = cancel // deliberately not called: the job's end must cancel it
		return nil
	})
	j.Wait(context.Background())
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("derived context still alive after the job ended")
	}
}

// TestPanicIsRecovered: a panicking job ends Failed with a *PanicError that
// carries the stack, the panic handler runs once, and the worker lives on.
func TestPanicIsRecovered(t *testing.T) {
	var handled atomic.Int64
	p := newPool(t, 1, pool.WithPanicHandler(func(*pool.PanicError) { handled.Add(1) }))
	j, _ := p.Submit(context.Background(), func(context.Context) error { panic("boom") })
	err := j.Wait(context.Background())
	var pe *pool.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || !strings.Contains(string(pe.Stack), "panic") {
		t.Fatalf("err = %v, want *PanicError with value and stack", err)
	}
	if j.State() != pool.Failed {
		t.Fatalf("state = %v, want Failed", j.State())
	}
	p.Go(func() { panic(errors.New("go boom")) })
	after, _ := p.Submit(context.Background(), func(context.Context) error { return nil })
	if err := after.Wait(context.Background()); err != nil {
		t.Fatalf("worker did not survive the panic: %v", err)
	}
	if handled.Load() != 2 {
		t.Fatalf("panic handler ran %d times, want 2", handled.Load())
	}
	if s := reconcile(t, p); s.Panicked != 2 || s.Failed != 2 {
		t.Fatalf("panicked %d failed %d, want 2 and 2", s.Panicked, s.Failed)
	}
}

// TestJobReportsItself: ID, name, priority, timings and JobFromContext.
func TestJobReportsItself(t *testing.T) {
	p := newPool(t, 1)
	var self *pool.Job
	j, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		self, _ = pool.JobFromContext(ctx)
		return nil
	}, pool.WithName("report"), pool.WithPriority(pool.High))
	j.Wait(context.Background())
	if self != j || j.Name() != "report" || j.Priority() != pool.High || j.ID() == 0 {
		t.Fatalf("job = %p name %q prio %v id %d; self %p", j, j.Name(), j.Priority(), j.ID(), self)
	}
	q, s, f := j.Timing()
	if q.IsZero() || s.Before(q) || f.Before(s) {
		t.Fatalf("timings out of order: %v %v %v", q, s, f)
	}
	j2, _ := p.Submit(context.Background(), func(context.Context) error { return nil })
	if j2.ID() <= j.ID() {
		t.Fatalf("IDs not increasing: %d then %d", j.ID(), j2.ID())
	}
}

// TestSubmitToOwnFullPoolDoesNotDeadlock: a job that submits to its own full
// Block pool with its own ctx is admitted instead of waiting for itself.
func TestSubmitToOwnFullPoolDoesNotDeadlock(t *testing.T) {
	p := newPool(t, 1, pool.WithQueueSize(1))
	inner := make(chan *pool.Job, 1)
	outer, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		// Fill the queue, then submit once more from inside the only worker.
		if _, err := p.Submit(ctx, func(context.Context) error { return nil }); err != nil {
			return err
		}
		j, err := p.Submit(ctx, func(context.Context) error { return nil })
		inner <- j
		return err
	})
	if err := outer.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := (<-inner).Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestTimingStaysOrdered: a worker going straight from job to job reuses
// one clock read as the previous end and the next start; every job still
// reports queued <= started <= finished, and on one worker each starts no
// earlier than the one before it finished.
func TestTimingStaysOrdered(t *testing.T) {
	p := newPool(t, 1)
	var jobs []*pool.Job
	for i := range 200 {
		j, err := p.Submit(context.Background(), func(context.Context) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
		if i%50 == 0 {
			p.Go(func() {}) // a Go func between jobs: the clock must be read again
		}
	}
	p.Wait(context.Background())
	var prevEnd time.Time
	for i, j := range jobs {
		q, s, f := j.Timing()
		if q.IsZero() || s.Before(q) || f.Before(s) {
			t.Fatalf("job %d: queued %v started %v finished %v", i, q, s, f)
		}
		if s.Before(prevEnd) {
			t.Fatalf("job %d started %v before job %d finished %v", i, s, i-1, prevEnd)
		}
		prevEnd = f
	}
}
