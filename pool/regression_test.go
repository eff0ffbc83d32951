package pool_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// These tests pin down concurrency bugs found in review; each failed before
// its fix.

// TestCloseReturnsAfterPendingJobPromotedDuringClose: workers parked while
// Close waits for a pending job all leave once it has run.
func TestCloseReturnsAfterPendingJobPromotedDuringClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(3)
		a, _ := p.Submit(context.Background(), func(context.Context) error { time.Sleep(time.Second); return nil })
		b, _ := p.Submit(context.Background(), nop, pool.After(a))
		synctest.Wait()
		p.Close() // a deadlock here fails the bubble
		if b.State() != pool.Succeeded {
			t.Fatalf("pending job after Close: %v", b.State())
		}
	})
}

// TestCloseWaitsForRetryWithNoWorkerLeft: with a minimum of 0 workers, Close
// still waits for a job waiting to retry, and starts nothing after it returns.
func TestCloseWaitsForRetryWithNoWorkerLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1, pool.WithMinWorkers(0), pool.WithIdleTimeout(5*time.Millisecond))
		var n atomic.Int32
		j, _ := p.Submit(context.Background(), func(context.Context) error {
			if n.Add(1) == 1 {
				return errors.New("first attempt fails")
			}
			return nil
		}, pool.WithRetry(retry.Policy{MaxAttempts: 2, InitialDelay: 200 * time.Millisecond}))
		time.Sleep(50 * time.Millisecond)
		synctest.Wait()
		if p.Workers() != 0 || j.State() != pool.Pending {
			t.Fatalf("setup: workers %d state %v", p.Workers(), j.State())
		}
		p.Close()
		if j.State() != pool.Succeeded || p.Workers() != 0 {
			t.Fatalf("after Close: job %v, workers %d", j.State(), p.Workers())
		}
	})
}

// TestCancelStopsRetries: cancelling a running job with a retry policy ends
// it, even when its function returns an error of its own.
func TestCancelStopsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		defer p.Close()
		var attempts atomic.Int32
		j, _ := p.Submit(context.Background(), func(context.Context) error {
			attempts.Add(1)
			time.Sleep(time.Second)
			return errors.New("io error")
		}, pool.WithRetry(retry.Policy{MaxAttempts: 5, InitialDelay: time.Millisecond}))
		time.Sleep(500 * time.Millisecond)
		j.Cancel()
		j.Wait(context.Background())
		if a := attempts.Load(); a != 1 || j.State() == pool.Succeeded {
			t.Fatalf("%d attempts after Cancel, state %v", a, j.State())
		}
	})
}

// TestEarlierAttemptContextStaysEnded: a context kept from a failed attempt
// does not come back to life in the next one.
func TestEarlierAttemptContextStaysEnded(t *testing.T) {
	p := newPool(t, 1)
	var saved context.Context
	var errLater error
	var first atomic.Bool
	j, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		if !first.Swap(true) {
			saved = ctx
			return errors.New("fail once")
		}
		errLater = saved.Err()
		if _, ok := pool.JobFromContext(ctx); !ok {
			return errors.New("retry context lost the job")
		}
		return nil
	}, pool.WithRetry(retry.Policy{MaxAttempts: 2, InitialDelay: time.Nanosecond}))
	if err := j.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if errLater == nil {
		t.Fatal("attempt 1's context reports no error during attempt 2")
	}
}

// TestContextCauseOfJobContext: context.Cause of a job's context is never
// nil once the context has ended, whatever the submit's context is.
func TestContextCauseOfJobContext(t *testing.T) {
	p := newPool(t, 1)
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err, cause error
	j, _ := p.Submit(parent, func(ctx context.Context) error {
		<-ctx.Done()
		err, cause = ctx.Err(), context.Cause(ctx)
		return ctx.Err()
	}, pool.WithTimeout(10*time.Millisecond))
	j.Wait(context.Background())
	if err == nil || cause == nil {
		t.Fatalf("ctx.Err() = %v, context.Cause(ctx) = %v", err, cause)
	}
}

// TestMapReportsItemsThatNeverRan: items cancelled by Shutdown are errors,
// not zero values.
func TestMapReportsItemsThatNeverRan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		release := occupy(t, p)
		var got error
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, got = pool.Map(context.Background(), p, []int{1, 2, 3}, func(_ context.Context, v int) (int, error) { return v, nil })
		}()
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p.Shutdown(ctx)
		<-done
		release()
		p.Close()
		if !errors.Is(got, pool.ErrShutdown) {
			t.Fatalf("Map = %v, want ErrShutdown", got)
		}
	})
}

// TestDropOldestSkipsGhosts: a job cancelled while queued is no eviction
// victim, and the queue never holds more than its bound.
func TestDropOldestSkipsGhosts(t *testing.T) {
	p := newPool(t, 1, pool.WithQueueSize(1), pool.WithFullPolicy(pool.DropOldest))
	release := occupy(t, p)
	defer release()
	a, _ := p.Submit(context.Background(), nop, pool.WithPriority(pool.Low))
	a.Cancel()
	b, _ := p.Submit(context.Background(), nop, pool.WithPriority(pool.Low))
	c, _ := p.Submit(context.Background(), nop, pool.WithPriority(pool.Low))
	if b.State() != pool.Cancelled || c.State() != pool.Queued {
		t.Fatalf("b %v c %v: want b evicted and c queued", b.State(), c.State())
	}
	if s := p.Stats(); s.Queued != 1 {
		t.Fatalf("queued %d, bound 1", s.Queued)
	}
}

// TestBlockedSubmitWokenByCancel: cancelling a queued job frees its slot for
// a submitter blocked on the full queue.
func TestBlockedSubmitWokenByCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1, pool.WithQueueSize(1))
		release := occupy(t, p)
		queued, _ := p.Submit(context.Background(), nop)
		admitted := make(chan error, 1)
		go func() {
			_, err := p.Submit(context.Background(), nop)
			admitted <- err
		}()
		synctest.Wait()
		queued.Cancel()
		synctest.Wait()
		select {
		case err := <-admitted:
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatal("blocked Submit still waiting after a queued job was cancelled")
		}
		release()
		p.Close()
		reconcile(t, p)
	})
}

// TestCloseWaitsForSkippedChain: Close returns only once a cancelled job's
// whole chain of dependents is complete, and the counts reconcile.
func TestCloseWaitsForSkippedChain(t *testing.T) {
	for range 200 {
		p, _ := pool.New(2)
		release := occupy(t, p)
		head, _ := p.Submit(context.Background(), nop)
		last := head
		for range 5 {
			last, _ = p.Submit(context.Background(), nop, pool.After(last))
		}
		go head.Cancel()
		release()
		p.Close()
		select {
		case <-last.Done():
		default:
			t.Fatalf("Close returned before the chain's end completed: %v", last.State())
		}
		reconcile(t, p)
	}
}

// TestErrOfTerminalJobIsNeverNil: a job seen Cancelled always has its error.
func TestErrOfTerminalJobIsNeverNil(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	defer release()
	for range 200 {
		j, _ := p.Submit(context.Background(), nop)
		var wg sync.WaitGroup
		wg.Go(j.Cancel)
		wg.Go(func() {
			for j.State() != pool.Cancelled {
			}
			if j.Err() == nil {
				t.Error("State() is Cancelled but Err() is nil")
			}
		})
		wg.Wait()
	}
}

// TestWaitReturnsWhenCancelRacesRetryTimer: Pool.Wait sees the pool go idle
// when a job waiting to retry is cancelled as its timer fires.
func TestWaitReturnsWhenCancelRacesRetryTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1)
		defer p.Close()
		for i := range 50 {
			j, _ := p.Submit(context.Background(), func(context.Context) error { return errors.New("x") },
				pool.WithRetry(retry.Policy{MaxAttempts: 2, InitialDelay: time.Millisecond}))
			synctest.Wait()
			time.Sleep(time.Duration(i%3) * time.Millisecond / 2)
			j.Cancel()
			p.Wait(context.Background()) // a lost wake-up deadlocks the bubble
		}
	})
}

// TestWaitReturnsOnlyOnceTerminal: after Wait returns, State is terminal, for
// many tiny jobs (Wait's brief spin once returned a beat early).
func TestWaitReturnsOnlyOnceTerminal(t *testing.T) {
	p := newPool(t, 2)
	for range 20000 {
		j, _ := p.Submit(context.Background(), nop)
		j.Wait(context.Background())
		if s := j.State(); s != pool.Succeeded {
			t.Fatalf("after Wait: %v", s)
		}
	}
}

// TestCancelHeldJobEndsAtOnce: a worker takes short jobs in batches; a job
// waiting in a worker's batch is still Queued, so Cancel ends it at once,
// it never runs, and the counts reconcile.
func TestCancelHeldJobEndsAtOnce(t *testing.T) {
	p := newPool(t, 1)
	ctx := context.Background()
	var ran [40]atomic.Bool
	jobs, release := holdBatch(t, p, len(ran), func(i int) { ran[i].Store(true) })
	jobs[0].Cancel()
	if st := jobs[0].State(); st != pool.Cancelled {
		release()
		t.Fatalf("cancelled job is %v, want Cancelled at once", st)
	}
	// Nothing moves while first runs, so the count is exact: the cancelled
	// job no longer counts as queued though it sits in the worker's batch.
	s := p.Stats()
	release()
	if s.Queued != len(jobs)-1 || s.Cancelled != 1 {
		t.Fatalf("after a held job's cancel: Queued %d, Cancelled %d; want %d, 1", s.Queued, s.Cancelled, len(jobs)-1)
	}
	p.Wait(ctx)
	if ran[0].Load() {
		t.Fatal("the cancelled job ran")
	}
	for i, j := range jobs[1:] {
		if j.State() != pool.Succeeded || !ran[i+1].Load() {
			t.Fatalf("job %d: %v", i+1, j.State())
		}
	}
	if s := reconcile(t, p); s.Cancelled != 1 || s.Queued != 0 || s.Running != 0 {
		t.Fatalf("stats: %+v", s)
	}
	assertNoGhostCounted(t, p)
}

// holdBatch has the one worker of p learn that jobs are short, then run a
// job that blocks until release while n short jobs, each calling run with
// its index, queue behind it: the worker takes a batch of them with the
// blocking one. It returns once that job runs.
func holdBatch(t *testing.T, p *pool.Pool, n int, run func(i int)) (jobs []*pool.Job, release func()) {
	t.Helper()
	ctx := context.Background()
	if j, _ := p.Submit(ctx, nop); j.Wait(ctx) != nil {
		t.Fatal("warm-up job failed")
	}
	gate, gate2 := make(chan struct{}), make(chan struct{})
	p.Go(func() { <-gate })
	first, _ := p.Submit(ctx, func(context.Context) error { <-gate2; return nil })
	for i := range n {
		j, err := p.Submit(ctx, func(context.Context) error { run(i); return nil })
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	close(gate)
	for first.State() != pool.Running {
		runtime.Gosched()
	}
	return jobs, func() { close(gate2) }
}

// assertNoGhostCounted checks, on an idle one-worker pool, that no
// cancelled job is still counted as a ghost: one job queued behind a busy
// worker shows as one.
func assertNoGhostCounted(t *testing.T, p *pool.Pool) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	p.Go(func() { close(started); <-gate })
	<-started
	p.Submit(context.Background(), nop)
	s := p.Stats()
	close(gate)
	if s.Queued != 1 {
		t.Fatalf("one job queued, Stats says %d", s.Queued)
	}
}

// TestShutdownEndsHeldJobs: jobs a worker took in a batch but has not run
// are not in the queue when Shutdown's deadline passes; each still ends in
// exactly one terminal state, and the counts reconcile.
func TestShutdownEndsHeldJobs(t *testing.T) {
	p, err := pool.New(2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tiny := func(context.Context) error { return nil }
	if j, _ := p.Submit(ctx, tiny); j.Wait(ctx) != nil { // workers learn jobs are short
		t.Fatal("warm-up job failed")
	}
	var jobs []*pool.Job
	for range 5000 {
		j, err := p.Submit(ctx, tiny)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	p.Shutdown(done)
	p.Close()
	for i, j := range jobs {
		if st := j.State(); st != pool.Succeeded && st != pool.Cancelled {
			t.Fatalf("job %d ended %v", i, st)
		}
	}
	if s := reconcile(t, p); s.Submitted != uint64(len(jobs))+1 || s.Queued != 0 || s.Running != 0 {
		t.Fatalf("stats: %+v", s)
	}
}

// TestGhostInGivenBackBatch: a job cancelled while in a worker's batch goes
// back to the queue with the rest of the batch when a Highest job arrives;
// it never runs, the Highest job runs next, and the counts reconcile with
// the ghost counted once.
func TestGhostInGivenBackBatch(t *testing.T) {
	p := newPool(t, 1)
	ctx := context.Background()
	var order []int // appended by the one worker only
	jobs, release := holdBatch(t, p, 40, func(i int) { order = append(order, i) })
	jobs[0].Cancel() // held in the worker's batch behind the blocking job
	const highest = -1
	p.Submit(ctx, func(context.Context) error { order = append(order, highest); return nil }, pool.WithPriority(pool.Highest))
	release()
	p.Wait(ctx)
	if jobs[0].State() != pool.Cancelled {
		t.Fatalf("cancelled job ended %v", jobs[0].State())
	}
	want := []int{highest}
	for i := 1; i < 40; i++ {
		want = append(want, i)
	}
	if !slices.Equal(order, want) {
		t.Fatalf("ran %v, want %v", order, want)
	}
	if s := reconcile(t, p); s.Cancelled != 1 || s.Queued != 0 || s.Running != 0 {
		t.Fatalf("stats: %+v", s)
	}
	assertNoGhostCounted(t, p)
}
