package pool

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errTimeout is the cancellation cause of a job whose WithTimeout expired.
var errTimeout = errors.New("pool: job timed out")

// runState is the cancellation state of a running job's context. It is made
// only when something needs it (a Done channel, a timeout, a cancellable
// parent, a Cancel), so a job that ignores its context costs nothing here.
type runState struct {
	mu       sync.Mutex
	done     chan struct{}
	err      error // context.Canceled or context.DeadlineExceeded once ended
	cause    error // why: context.Canceled, errTimeout, ErrShutdown, a parent's cause
	deadline time.Time
	stops    []func() bool // parent AfterFunc registrations to release
	timer    *time.Timer
	afters   []*afterFunc
}

type afterFunc struct {
	f       func()
	stopped bool
}

func (j *Job) runState() *runState {
	if rs := j.run.Load(); rs != nil {
		return rs
	}
	j.run.CompareAndSwap(nil, new(runState))
	return j.run.Load()
}

// cancelRun ends the job's context with the given cause; later calls do
// nothing. It never waits for the job.
func (j *Job) cancelRun(cause error) {
	rs := j.runState()
	rs.mu.Lock()
	if rs.err != nil {
		rs.mu.Unlock()
		return
	}
	rs.err = context.Canceled
	if cause == errTimeout {
		rs.err = context.DeadlineExceeded
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

// jobContext is the context.Context a job's function receives. It is one
// pointer wide, so converting it to an interface allocates nothing.
type jobContext struct{ j *Job }

type ctxKey int

const (
	poolKey ctxKey = iota
	jobKey
)

// Deadline is the earlier of the job's timeout and its parent's deadline.
func (c jobContext) Deadline() (time.Time, bool) {
	d, ok := c.j.parent.Deadline()
	if rs := c.j.run.Load(); rs != nil && !rs.deadline.IsZero() {
		if !ok || rs.deadline.Before(d) {
			return rs.deadline, true
		}
	}
	return d, ok
}

// Done returns a channel closed when the job's context ends.
func (c jobContext) Done() <-chan struct{} {
	rs := c.j.runState()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.done == nil {
		rs.done = make(chan struct{})
		if rs.err != nil {
			close(rs.done)
		}
	}
	return rs.done
}

// Err returns nil until the context ends, then context.Canceled or, for a
// timeout, context.DeadlineExceeded.
func (c jobContext) Err() error {
	rs := c.j.run.Load()
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.err
}

// Value looks in the submit's context first, then in the pool's base context.
func (c jobContext) Value(key any) any {
	switch key {
	case poolKey:
		return c.j.pool
	case jobKey:
		return c.j
	}
	if v := c.j.parent.Value(key); v != nil {
		return v
	}
	return c.j.pool.ctx.Value(key)
}

// AfterFunc lets context.WithCancel and context.AfterFunc on a job's context
// register a callback instead of starting a goroutine per derived context.
func (c jobContext) AfterFunc(f func()) (stop func() bool) {
	rs := c.j.runState()
	a := &afterFunc{f: f}
	rs.mu.Lock()
	if rs.err != nil {
		rs.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	rs.afters = append(rs.afters, a)
	rs.mu.Unlock()
	return func() bool {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		if a.stopped || rs.err != nil {
			return false
		}
		a.stopped = true
		return true
	}
}

func (c jobContext) String() string { return "pool.jobContext" }

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

// arm prepares a job's context before its function runs: the timeout timer
// and the watch on a cancellable parent. It runs on the worker.
func (j *Job) arm() {
	var timeout time.Duration
	if j.ext != nil {
		timeout = j.ext.timeout
	}
	parentDone := j.parent.Done() != nil
	if timeout == 0 && !parentDone {
		return
	}
	rs := j.runState()
	if parentDone {
		parent := j.parent
		stop := context.AfterFunc(parent, func() { j.cancelRun(context.Cause(parent)) })
		rs.mu.Lock()
		rs.stops = append(rs.stops, stop)
		rs.mu.Unlock()
	}
	if timeout > 0 {
		rs.mu.Lock()
		rs.deadline = time.Now().Add(timeout)
		rs.timer = time.AfterFunc(timeout, func() { j.cancelRun(errTimeout) })
		rs.mu.Unlock()
	}
}

// disarm releases what arm set up and ends the job's context, so contexts
// derived from it inside the job do not outlive it.
func (j *Job) disarm() {
	rs := j.run.Load()
	if rs == nil {
		return
	}
	rs.mu.Lock()
	stops, timer := rs.stops, rs.timer
	rs.stops, rs.timer = nil, nil
	rs.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	if timer != nil {
		timer.Stop()
	}
	j.cancelRun(context.Canceled)
}

// runCause returns why the job's context ended, or nil if it has not.
func (j *Job) runCause() error {
	rs := j.run.Load()
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.cause
}
