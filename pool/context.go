package pool

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// errTimeout is the cancellation cause of a job whose WithTimeout expired.
// It matches context.DeadlineExceeded, the job context's Err then.
var errTimeout error = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string        { return "pool: job timed out" }
func (*timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// cancelCtxKey is the context package's private key by which
// context.Cause finds the cancellation state behind a context. A job's
// context answers it with a cancelled context carrying its cause, so that
// context.Cause reports why the job's context ended. The key is learned
// once, from the lookup context.Cause itself makes.
var cancelCtxKey = findCancelCtxKey()

// keyProbe is an ended context that records the *int key looked up in it.
type keyProbe struct {
	context.Context
	key any
}

func (k *keyProbe) Err() error { return context.Canceled }

func (k *keyProbe) Value(key any) any {
	if _, private := key.(*int); private {
		k.key = key
	}
	return nil
}

func findCancelCtxKey() any {
	probe := &keyProbe{Context: context.Background()}
	_ = context.Cause(probe)
	if probe.key == nil {
		return new(int) // not found: a key no lookup uses
	}
	return probe.key
}

// runState is the cancellation state of one attempt's context. The first
// attempt's is made only when something needs it (a submit's context other
// than Background or TODO, a Done channel, a timeout, a Cancel, a start or
// finish too far for Job.span), so a job submitted with Background that
// ignores its context costs nothing here; each retry gets a fresh one, so a
// context kept from an earlier attempt stays ended.
type runState struct {
	job *Job
	// parent is the context the job was submitted with, or nil for
	// Background and TODO; only the first attempt's state has it.
	parent context.Context
	mu     sync.Mutex
	done   chan struct{}
	// cause is why the context ended, nil until it does: context.Canceled,
	// errTimeout, ErrShutdown, a parent's cause. Err derives from it.
	cause    error
	deadline time.Time
	stop     func() bool // releases arm's watch on the parent; arm runs once per attempt
	timer    *time.Timer
	afters   []*afterFunc

	// A start or finish too far from what Job.span counts it from
	// (jobtimes.go).
	farStarted, farFinished atomic.Int64
}

type afterFunc struct {
	f       func()
	stopped bool
}

// parentCtx returns the context j was submitted with. A job submitted with
// any context but Background or TODO keeps it in its first run state, made
// at submit for it, as arm would make it at the start for a cancellable
// one: the rest need no word for it, and a Job fits in 64 bytes.
func (j *Job) parentCtx() context.Context {
	if rs := j.run.Load(); rs != nil && rs.parent != nil {
		return rs.parent
	}
	return context.Background()
}

// keepParent records ctx as the parent of j, a job not yet published.
func (j *Job) keepParent(ctx context.Context) {
	if ctx != context.Background() && ctx != context.TODO() {
		j.run.Store(&runState{job: j, parent: ctx})
	}
}

// firstRun returns the first attempt's state, making it if needed.
func (j *Job) firstRun() *runState {
	if rs := j.run.Load(); rs != nil {
		return rs
	}
	j.run.CompareAndSwap(nil, &runState{job: j})
	return j.run.Load()
}

// curRun returns the current attempt's state, making the first if needed.
func (j *Job) curRun() *runState {
	if j.ext != nil {
		if rs := j.ext.attempt.Load(); rs != nil {
			return rs
		}
	}
	return j.firstRun()
}

// curRunIfAny returns the current attempt's state, or nil if none was made.
func (j *Job) curRunIfAny() *runState {
	if j.ext != nil {
		if rs := j.ext.attempt.Load(); rs != nil {
			return rs
		}
	}
	return j.run.Load()
}

// cancelRun ends the current attempt's context with cause.
func (j *Job) cancelRun(cause error) { j.curRun().cancel(cause) }

// cancel ends the context with the given cause; later calls do nothing. It
// never waits for the job.
func (rs *runState) cancel(cause error) {
	if cause == nil {
		cause = context.Canceled
	}
	rs.mu.Lock()
	if rs.cause != nil {
		rs.mu.Unlock()
		return
	}
	rs.cause = cause
	if rs.done != nil {
		close(rs.done)
	}
	afters := rs.afters
	rs.afters = nil
	rs.mu.Unlock()
	for _, a := range afters {
		if !a.stopped {
			a.f()
		}
	}
}

func (rs *runState) doneChan() <-chan struct{} {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.done == nil {
		rs.done = make(chan struct{})
		if rs.cause != nil {
			close(rs.done)
		}
	}
	return rs.done
}

// errValue is the context's Err: context.DeadlineExceeded for a timeout,
// context.Canceled for any other end, nil before.
func (rs *runState) errValue() error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	switch rs.cause {
	case nil:
		return nil
	case errTimeout:
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// causeValue answers context.Cause's lookup of cancelCtxKey: a cancelled
// context whose cause is rs's, or nil while rs has not ended or ended with
// plain context.Canceled, for which the context's Err is the cause. It
// allocates a little on each call, only once the context has ended with a
// reason: Shutdown, a timeout, the parent's cause.
func (rs *runState) causeValue() any {
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	cause := rs.cause
	rs.mu.Unlock()
	if cause == nil || cause == context.Canceled {
		return nil
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	return ctx.Value(cancelCtxKey)
}

func (rs *runState) ownDeadline() time.Time {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.deadline
}

func (rs *runState) afterFunc(f func()) (stop func() bool) {
	a := &afterFunc{f: f}
	rs.mu.Lock()
	if rs.cause != nil {
		rs.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	rs.afters = append(rs.afters, a)
	rs.mu.Unlock()
	return func() bool {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		if a.stopped || rs.cause != nil {
			return false
		}
		a.stopped = true
		return true
	}
}

// jobContext is the context.Context of a job's first attempt. It is one
// pointer wide, so converting it to an interface allocates nothing.
type jobContext struct{ j *Job }

// attemptContext is the context of a retried job's later attempts.
type attemptContext struct{ rs *runState }

type ctxKey int

const (
	poolKey ctxKey = iota
	jobKey
)

// Deadline is the earlier of the job's timeout and its parent's deadline.
func (c jobContext) Deadline() (time.Time, bool) {
	var own time.Time
	if rs := c.j.run.Load(); rs != nil {
		own = rs.ownDeadline()
	}
	return earliest(c.j.parentCtx(), own)
}

func earliest(parent context.Context, own time.Time) (time.Time, bool) {
	d, ok := parent.Deadline()
	if !own.IsZero() && (!ok || own.Before(d)) {
		return own, true
	}
	return d, ok
}

// Done returns a channel closed when the attempt's context ends.
func (c jobContext) Done() <-chan struct{} { return c.j.firstRun().doneChan() }

// Err returns nil until the context ends, then context.Canceled or, for a
// timeout, context.DeadlineExceeded.
func (c jobContext) Err() error {
	if rs := c.j.run.Load(); rs != nil {
		return rs.errValue()
	}
	return nil
}

// Value looks in the submit's context first, then in the pool's base context.
func (c jobContext) Value(key any) any {
	if key == cancelCtxKey {
		return c.j.run.Load().causeValue()
	}
	return jobValue(c.j, key)
}

// AfterFunc lets context.WithCancel and context.AfterFunc on a job's context
// register a callback instead of starting a goroutine per derived context.
func (c jobContext) AfterFunc(f func()) (stop func() bool) { return c.j.firstRun().afterFunc(f) }

func (c jobContext) String() string { return "pool.jobContext" }

func (c attemptContext) Deadline() (time.Time, bool) {
	return earliest(c.rs.job.parentCtx(), c.rs.ownDeadline())
}
func (c attemptContext) Done() <-chan struct{} { return c.rs.doneChan() }
func (c attemptContext) Err() error            { return c.rs.errValue() }
func (c attemptContext) Value(key any) any {
	if key == cancelCtxKey {
		return c.rs.causeValue()
	}
	return jobValue(c.rs.job, key)
}
func (c attemptContext) AfterFunc(f func()) (stop func() bool) { return c.rs.afterFunc(f) }
func (c attemptContext) String() string                        { return "pool.jobContext" }

// jobValue answers a job context's Value lookups but cancelCtxKey's. The
// context package finds a parent's cancellation state through a Value lookup
// of a private *int key; a job context must not hand out its parent's, or
// context.Cause would report the parent's (nil) cause for the job's own
// cancellation. The check by type is a second guard, should the key not
// have been found.
func jobValue(j *Job, key any) any {
	switch key {
	case poolKey:
		return j.pool
	case jobKey:
		return j
	}
	var v any
	if rs := j.run.Load(); rs != nil && rs.parent != nil {
		v = rs.parent.Value(key)
	}
	if v == nil {
		v = j.pool.ctx.Value(key)
	}
	if _, private := key.(*int); private && v != nil && fmt.Sprintf("%T", v) == "*context.cancelCtx" {
		return nil
	}
	return v
}

// JobFromContext returns the Job whose function received ctx (or a context
// derived from it), so a job can learn its own ID or cancel itself.
func JobFromContext(ctx context.Context) (*Job, bool) {
	j, ok := ctx.Value(jobKey).(*Job)
	return j, ok
}

// ownJob reports whether ctx belongs to a job running on p.
func (p *Pool) ownJob(ctx context.Context) bool {
	if ctx == nil {
		return false
	}
	q, ok := ctx.Value(poolKey).(*Pool)
	return ok && q == p
}

// attemptCtx returns the context for the attempt about to run.
func (j *Job) attemptCtx() context.Context {
	if j.ext != nil {
		if rs := j.ext.attempt.Load(); rs != nil {
			return attemptContext{rs}
		}
	}
	return jobContext{j}
}

// arm prepares the current attempt's context before the function runs: the
// timeout timer and the watch on a cancellable parent. Callbacks hold the
// attempt's state, so a late one cannot end the next attempt.
func (j *Job) arm() {
	var timeout time.Duration
	if j.ext != nil {
		timeout = j.ext.timeout
	}
	parent := j.parentCtx()
	parentDone := parent.Done() != nil
	if timeout == 0 && !parentDone {
		return
	}
	rs := j.curRun()
	if parentDone {
		stop := context.AfterFunc(parent, func() { rs.cancel(context.Cause(parent)) })
		rs.mu.Lock()
		rs.stop = stop
		rs.mu.Unlock()
	}
	if timeout > 0 {
		rs.mu.Lock()
		rs.deadline = time.Now().Add(timeout)
		rs.timer = time.AfterFunc(timeout, func() { rs.cancel(errTimeout) })
		rs.mu.Unlock()
	}
}

// disarm releases what arm set up and ends the attempt's context, so
// contexts derived from it inside the job do not outlive it.
func (j *Job) disarm() {
	rs := j.curRunIfAny()
	if rs == nil {
		return
	}
	rs.mu.Lock()
	stop, timer := rs.stop, rs.timer
	rs.stop, rs.timer = nil, nil
	rs.mu.Unlock()
	if stop != nil {
		stop()
	}
	if timer != nil {
		timer.Stop()
	}
	rs.cancel(context.Canceled)
}

// runCause returns why the current attempt's context ended, or nil.
func (j *Job) runCause() error {
	rs := j.curRunIfAny()
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.cause
}
