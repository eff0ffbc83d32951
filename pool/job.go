package pool

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

// Job is the handle of one submitted job. Its methods are safe for concurrent
// use from many goroutines. A Job is created by Submit, TrySubmit or Call; the
// zero Job is not usable.
//
// Everything a job's function did happens before its Done channel closes, so
// after Wait or <-Done() the caller sees the function's writes.
type Job struct {
	// word and queuedAt are plain words, first in the struct, where 64-bit
	// atomics are aligned on every platform: submit fills them in with
	// plain stores before any other goroutine can see the job, and from
	// then on only sync/atomic's functions touch them (jobword.go,
	// jobtimes.go). Two locked stores fewer cost a Submit about 2% less
	// CPU.
	word     uint64 // ID, priority and state
	queuedAt int64  // ns since the pool's epoch, plus one; 0 means not yet

	span atomic.Uint64 // when it started and finished (jobtimes.go)
	pool *Pool
	fn   func(context.Context) error

	note atomic.Pointer[jobNote]  // waiters until the job ends, then its outcome (outcome.go)
	run  atomic.Pointer[runState] // the first attempt's context state and the submit's context (context.go)
	ext  *jobExt                  // rarely used options; nil when none
}

// jobExt holds the options most jobs do not use, keeping Job small.
type jobExt struct {
	name    string
	timeout time.Duration
	deps    []*Job
	waiting atomic.Int32 // dependencies not yet Succeeded
	retry   *retry.Policy
	breaker *retry.Breaker
	attempt atomic.Pointer[runState] // the context state of a retry; nil on the first attempt

	mu       sync.Mutex
	attempts int
	errs     []error // the error of each failed attempt
}

func (j *Job) breaker() *retry.Breaker {
	if j.ext == nil {
		return nil
	}
	return j.ext.breaker
}

// Attempts returns how many times the job's function has started: 1 for a
// job that ran once, more for a retried one, 0 if it never ran.
func (j *Job) Attempts() int {
	if j.ext == nil || j.ext.retry == nil {
		if j.started() {
			return 1
		}
		return 0
	}
	j.ext.mu.Lock()
	defer j.ext.mu.Unlock()
	return j.ext.attempts
}

// AttemptErrors returns the error of every failed attempt of a job with a
// retry policy, oldest first; the last one is also Err's once it is terminal.
func (j *Job) AttemptErrors() []error {
	if j.ext == nil || j.ext.retry == nil {
		if err := j.Err(); err != nil && j.started() {
			return []error{err}
		}
		return nil
	}
	j.ext.mu.Lock()
	defer j.ext.mu.Unlock()
	return append([]error(nil), j.ext.errs...)
}

// ID returns the job's identifier, unique within its pool and increasing in
// the order each goroutine submits; a rejected submit uses one up too.
func (j *Job) ID() uint64 { return j.loadWord() >> idShift }

// Name returns the name given with WithName, or "".
func (j *Job) Name() string {
	if j.ext == nil {
		return ""
	}
	return j.ext.name
}

// Priority returns the job's priority.
func (j *Job) Priority() Priority { return j.prio() }

// State returns the job's current state. It may change right after the call
// unless it is terminal.
func (j *Job) State() State { return j.loadState() }

// Err returns the job's error once it is terminal: nil for Succeeded, the
// function's error for Failed (a *PanicError if it panicked), and the reason
// for Cancelled and Skipped. It returns nil while the job is not terminal.
func (j *Job) Err() error {
	if !j.State().Terminal() {
		return nil
	}
	j.settled()
	return j.errValue()
}

// spinUntilDone yields a few times for a job about to finish, which saves
// making its Done channel when waiting on many tiny jobs in turn. It reports
// whether the job finished.
func (j *Job) spinUntilDone() bool {
	for range 8 {
		runtime.Gosched()
		if j.State().Terminal() {
			return true
		}
	}
	return false
}

// Wait blocks until the job is terminal and returns its error, or until ctx
// ends and returns ctx's error. It does not cancel the job. It is safe to
// call from many goroutines, any number of times.
//
// Called from inside a job of the same pool, Wait does not leave its worker
// idle: until the job is terminal, the worker runs the pool's queued jobs
// itself, highest priority first, as its loop would (as ForkJoinPool's join
// does), and blocks only while none is queued. So a job waiting for jobs it
// queued never deadlocks the pool, even one of a single worker. The waiting
// job does not run meanwhile, so no more jobs execute at once than there are
// workers; Stats counts both as Running. A job that waits must not hold a
// lock that other jobs of its pool take: its worker may run one of them
// inside the wait. Telling a worker from another goroutine costs Wait about
// 2 µs when the job is not about to finish.
func (j *Job) Wait(ctx context.Context) error {
	if j.State().Terminal() || j.spinUntilDone() {
		j.settled()
		return j.errValue()
	}
	if w := j.pool.callerWorker(); w != nil {
		return w.helpWait(j, ctx) // a job of the pool waits: run the queue meanwhile
	}
	select {
	case <-j.Done():
		return j.errValue()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Cancel asks the job to stop. A job not yet running never runs and ends
// Cancelled at once with an error matching context.Canceled. A running job
// has its context cancelled: it ends Cancelled if its function returns that
// context's error, otherwise it keeps the outcome the function gives it.
// Cancel does not wait; calling it again, or on a terminal job, does nothing.
func (j *Job) Cancel() {
	for {
		switch s := j.State(); s {
		case Pending:
			if j.casState(Pending, Cancelled) {
				j.pool.cancelledPending(j, context.Canceled)
				return
			}
		case Queued:
			if j.pool.cancelQueued(j) {
				return
			}
		case Running:
			j.cancelRun(context.Canceled)
			return
		default:
			return
		}
	}
}

// Timing reports when the job was queued, started and finished; a step not
// reached yet is the zero time. For a retried job they are its last
// attempt's: queued again when its delay ran out, and not started until
// that attempt starts. A worker that goes straight from one job to
// the next reads the clock once between them: the next job's start is then
// the previous one's end (or its own queueing, if later), early by the
// fraction of a microsecond the worker takes to fetch it.
func (j *Job) Timing() (queued, started, finished time.Time) {
	p := j.pool
	q, s, f := j.times()
	return p.at(q), p.at(s), p.at(f)
}

// complete records the terminal state and wakes every waiter. Only the
// goroutine that won the transition to a terminal state calls it.
func (j *Job) complete(s State, err error) {
	j.completeAt(s, err, j.pool.now())
}

// completeAt is complete for a caller that has just read the clock.
func (j *Job) completeAt(s State, err error, now int64) {
	j.setFinished(now)
	j.storeState(s)
	j.end(err)
}
