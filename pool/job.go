package pool

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/threadsystem/threadsystem/retry"
)

// Job is the handle of one submitted job. Its methods are safe for concurrent
// use from many goroutines. A Job is created by Submit, TrySubmit or Call; the
// zero Job is not usable.
//
// Everything a job's function did happens before its Done channel closes, so
// after Wait or <-Done() the caller sees the function's writes.
type Job struct {
	pool   *Pool
	fn     func(context.Context) error
	parent context.Context // the submit's context: values, deadline, cancellation
	id     uint64
	state  atomic.Uint32
	prio   Priority
	// fail boxes the job's error, written once before state becomes
	// terminal: a pointer rather than an interface, which keeps a Job in a
	// 112-byte allocation, and nil (no allocation) for success.
	fail *error

	// Times in nanoseconds since the pool's epoch; 0 means "not yet".
	queuedAt, startedAt, finishedAt atomic.Int64

	done  unsafe.Pointer           // chan struct{}, made on first Done call; atomic
	hooks atomic.Pointer[doneHook] // run once at completion; hooksFired after
	run   atomic.Pointer[runState] // the running context's state, made lazily
	ext   *jobExt                  // rarely used options; nil when none
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

// doneHook is one callback in a job's completion list.
type doneHook struct {
	f    func(*Job)
	next *doneHook
}

// hooksFired marks a job whose hooks have run: later ones run at once.
var hooksFired = &doneHook{}

// whenDone runs f(j) once j is terminal: at once if it already is, else on
// the goroutine that completes j. f must not block.
func (j *Job) whenDone(f func(*Job)) {
	for {
		head := j.hooks.Load()
		if head == hooksFired {
			f(j)
			return
		}
		if j.hooks.CompareAndSwap(head, &doneHook{f: f, next: head}) {
			return
		}
	}
}

// Attempts returns how many times the job's function has started: 1 for a
// job that ran once, more for a retried one, 0 if it never ran.
func (j *Job) Attempts() int {
	if j.ext == nil || j.ext.retry == nil {
		if j.startedAt.Load() != 0 {
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
		if err := j.Err(); err != nil && j.startedAt.Load() != 0 {
			return []error{err}
		}
		return nil
	}
	j.ext.mu.Lock()
	defer j.ext.mu.Unlock()
	return append([]error(nil), j.ext.errs...)
}

// closedChan is shared by every job whose Done is first asked for after it
// finished.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// ID returns the job's identifier, unique within its pool and increasing in
// submission order.
func (j *Job) ID() uint64 { return j.id }

// Name returns the name given with WithName, or "".
func (j *Job) Name() string {
	if j.ext == nil {
		return ""
	}
	return j.ext.name
}

// Priority returns the job's priority.
func (j *Job) Priority() Priority { return j.prio }

// State returns the job's current state. It may change right after the call
// unless it is terminal.
func (j *Job) State() State { return State(j.state.Load()) }

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

// errValue returns the job's error; the caller knows it is settled.
func (j *Job) errValue() error {
	if j.fail == nil {
		return nil
	}
	return *j.fail
}

// Boxes for the errors jobs commonly end with, so that ending with them
// allocates nothing.
var (
	boxedCanceled = func() *error { e := context.Canceled; return &e }()
	boxedShutdown = func() *error { var e error = errShutdownCancel; return &e }()
	boxedDropped  = func() *error { var e error = errDroppedCancel; return &e }()
)

func boxErr(err error) *error {
	switch err {
	case nil:
		return nil
	case context.Canceled:
		return boxedCanceled
	case errShutdownCancel:
		return boxedShutdown
	case errDroppedCancel:
		return boxedDropped
	}
	return &err
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

// settled waits out the instant between a job's move to a terminal state
// and its completion, so that a terminal job always shows its error.
func (j *Job) settled() {
	for j.finishedAt.Load() == 0 {
		runtime.Gosched()
	}
}

// Done returns a channel closed when the job reaches a terminal state. It is
// safe to call from many goroutines and returns the same channel each time.
func (j *Job) Done() <-chan struct{} {
	if p := atomic.LoadPointer(&j.done); p != nil {
		return chanOf(p)
	}
	c := make(chan struct{})
	if atomic.CompareAndSwapPointer(&j.done, nil, chanPointer(c)) {
		return c
	}
	return chanOf(atomic.LoadPointer(&j.done))
}

// A channel is one pointer: Job.done holds it as such, which needs no
// interface (16 bytes) and no box.
func chanPointer(c chan struct{}) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&c)) }

func chanOf(p unsafe.Pointer) chan struct{} { return *(*chan struct{})(unsafe.Pointer(&p)) }

// Wait blocks until the job is terminal and returns its error, or until ctx
// ends and returns ctx's error. It does not cancel the job.
func (j *Job) Wait(ctx context.Context) error {
	if j.State().Terminal() || j.spinUntilDone() {
		j.settled()
		return j.errValue()
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
			if j.state.CompareAndSwap(uint32(Pending), uint32(Cancelled)) {
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
// reached yet is the zero time. A worker that goes straight from one job to
// the next reads the clock once between them: the next job's start is then
// the previous one's end (or its own queueing, if later), early by the
// fraction of a microsecond the worker takes to fetch it.
func (j *Job) Timing() (queued, started, finished time.Time) {
	p := j.pool
	return p.at(j.queuedAt.Load()), p.at(j.startedAt.Load()), p.at(j.finishedAt.Load())
}

// complete records the terminal state and wakes every waiter. Only the
// goroutine that won the transition to a terminal state calls it.
func (j *Job) complete(s State, err error) {
	j.completeAt(s, err, j.pool.now())
}

// completeAt is complete for a caller that has just read the clock.
func (j *Job) completeAt(s State, err error, now int64) {
	if err != nil {
		// Skipped for success: a pointer store costs a write barrier
		// while the GC marks, and fail is still nil.
		j.fail = boxErr(err)
	}
	j.finishedAt.Store(now)
	j.state.Store(uint32(s))
	if !atomic.CompareAndSwapPointer(&j.done, nil, chanPointer(closedChan)) {
		if p := atomic.LoadPointer(&j.done); p != chanPointer(closedChan) {
			close(chanOf(p))
		}
	}
	// Hooks were pushed newest first: run them in registration order.
	var list []func(*Job)
	for h := j.hooks.Swap(hooksFired); h != nil; h = h.next {
		list = append(list, h.f)
	}
	for i := len(list) - 1; i >= 0; i-- {
		list[i](j)
	}
}
