package pool

import (
	"context"
	"errors"
	"sync"
)

// GroupOption configures a Group.
type GroupOption interface {
	applyGroup(*groupConfig) error
}

type groupConfig struct {
	failFast bool
	limit    int
}

type groupOptionFunc func(*groupConfig) error

func (f groupOptionFunc) applyGroup(c *groupConfig) error { return f(c) }

// FailFast makes the group's first failure cancel the rest, like errgroup:
// the group's context is cancelled with that error as its cause, jobs not yet
// running end Cancelled, running jobs see their context end, and Wait returns
// only the failures, not the cancellations they caused.
func FailFast() GroupOption {
	return groupOptionFunc(func(c *groupConfig) error { c.failFast = true; return nil })
}

// WithLimit bounds the group's jobs in flight (queued or running) to n: Go
// and Submit wait for a slot, like errgroup's SetLimit. n < 1 is an error.
func WithLimit(n int) GroupOption {
	return groupOptionFunc(func(c *groupConfig) error {
		if n < 1 {
			return invalidf("WithLimit(%d): limit must be >= 1", n)
		}
		c.limit = n
		return nil
	})
}

// Group is a set of jobs on one pool that are waited for and cancelled
// together. Its methods are safe for concurrent use. Make one with
// Pool.Group; the zero Group is not usable.
type Group struct {
	p        *Pool
	ctx      context.Context
	cancel   context.CancelCauseFunc
	failFast bool
	sem      chan struct{} // nil without a limit
	err      error         // a bad option: every call returns it

	wg   sync.WaitGroup
	mu   sync.Mutex
	live map[*Job]struct{}
	errs []error
	st   GroupStats
}

// GroupStats counts a group's jobs. Total counts accepted jobs; Running
// counts those a worker is executing now.
type GroupStats struct {
	Total, Succeeded, Failed, Cancelled, Skipped, Running int
}

// Group returns a new group of jobs on p whose contexts derive from ctx.
// An invalid option does not panic: every Go, Submit and Wait of the group
// then returns the error.
func (p *Pool) Group(ctx context.Context, opts ...GroupOption) *Group {
	var c groupConfig
	g := &Group{p: p, live: make(map[*Job]struct{})}
	for _, o := range opts {
		if o == nil {
			g.err = invalidf("nil GroupOption")
			break
		}
		if err := o.applyGroup(&c); err != nil {
			g.err = err
			break
		}
	}
	if ctx == nil {
		g.err = invalidf("Group: nil context")
		ctx = context.Background()
	}
	g.ctx, g.cancel = context.WithCancelCause(ctx)
	g.failFast = c.failFast
	if c.limit > 0 {
		g.sem = make(chan struct{}, c.limit)
	}
	return g
}

// Context returns the context the group's jobs derive from. It is cancelled
// by Cancel, by the first failure of a FailFast group, and when Wait returns.
func (g *Group) Context() context.Context { return g.ctx }

// Go runs fn as a job of the group. Errors from the submit itself (a closed
// pool, say) are not returned but reported by Wait, as errgroup does.
func (g *Group) Go(fn func(context.Context) error) {
	if _, err := g.Submit(fn); err != nil {
		g.record(err)
	}
}

// Submit runs fn as a job of the group with the pool's job options and
// returns its handle. Under WithLimit it first waits for a slot, or for the
// group's context to end. On error nothing was enqueued; the error is not
// recorded for Wait (Go records it).
func (g *Group) Submit(fn func(context.Context) error, opts ...JobOption) (*Job, error) {
	if g.err != nil {
		return nil, g.err
	}
	if fn == nil {
		return nil, ErrNilFunc
	}
	if g.ctx.Err() != nil {
		return nil, context.Cause(g.ctx)
	}
	if g.sem != nil {
		select {
		case g.sem <- struct{}{}:
		case <-g.ctx.Done():
			return nil, context.Cause(g.ctx)
		}
	}
	g.wg.Add(1)
	j, err := g.p.Submit(g.ctx, func(ctx context.Context) error {
		g.mu.Lock()
		g.st.Running++
		g.mu.Unlock()
		defer func() {
			g.mu.Lock()
			g.st.Running--
			g.mu.Unlock()
		}()
		return fn(ctx)
	}, opts...)
	if err != nil {
		g.release()
		return nil, err
	}
	g.mu.Lock()
	g.st.Total++
	g.live[j] = struct{}{}
	g.mu.Unlock()
	j.whenDone(g.done)
	return j, nil
}

// anyLive returns one of the group's jobs not yet ended, or nil.
func (g *Group) anyLive() *Job {
	g.mu.Lock()
	defer g.mu.Unlock()
	for j := range g.live {
		return j
	}
	return nil
}

func (g *Group) release() {
	if g.sem != nil {
		<-g.sem
	}
	g.wg.Done()
}

// done accounts for a finished job of the group.
func (g *Group) done(j *Job) {
	s, err := j.State(), j.Err()
	byGroup := g.ctx.Err() != nil && s != Succeeded && s != Failed
	g.mu.Lock()
	delete(g.live, j)
	switch s {
	case Succeeded:
		g.st.Succeeded++
	case Failed:
		g.st.Failed++
	case Cancelled:
		g.st.Cancelled++
	case Skipped:
		g.st.Skipped++
	}
	if err != nil && !byGroup {
		g.errs = append(g.errs, err)
	}
	g.mu.Unlock()
	if s == Failed && g.failFast {
		g.stop(err)
	}
	g.release()
}

func (g *Group) record(err error) {
	if g.ctx.Err() != nil && (errors.Is(err, g.ctx.Err()) || errors.Is(err, context.Cause(g.ctx))) {
		return // caused by the group's own cancellation
	}
	g.mu.Lock()
	g.errs = append(g.errs, err)
	g.mu.Unlock()
}

// stop cancels the group's context with cause and every job not yet done.
func (g *Group) stop(cause error) {
	g.cancel(cause)
	g.mu.Lock()
	live := make([]*Job, 0, len(g.live))
	for j := range g.live {
		live = append(live, j)
	}
	g.mu.Unlock()
	for _, j := range live {
		j.Cancel()
	}
}

// Cancel cancels the group: jobs not yet running never run and end
// Cancelled, running jobs see their context end, and later submits fail
// with context.Canceled. It does not wait; repeated calls do nothing more.
func (g *Group) Cancel() { g.stop(context.Canceled) }

// Wait blocks until every job of the group has ended, then cancels the
// group's context and returns the errors of the jobs that failed or were
// cancelled or skipped from outside the group, joined with errors.Join; nil
// if every job succeeded. Everything the jobs did happens before Wait
// returns. After Wait the group's context is done, so the group takes no
// more jobs: start a new group for more work. A job of the group must not
// call Wait: it would wait for itself. Called from another job of the same
// pool, Wait helps run the pool's queue meanwhile, as Job.Wait does, so
// a job that fans out to a group and waits for it never deadlocks the pool.
func (g *Group) Wait() error {
	if g.err != nil {
		return g.err
	}
	if w := g.p.callerWorker(); w != nil {
		// A job of the pool waits: it helps run the queue until the
		// group's jobs have ended.
		for j := g.anyLive(); j != nil; j = g.anyLive() {
			w.helpWait(j, context.Background())
		}
	}
	g.wg.Wait()
	g.cancel(nil)
	g.mu.Lock()
	defer g.mu.Unlock()
	return errors.Join(g.errs...)
}

// Stats returns a snapshot of the group's counts.
func (g *Group) Stats() GroupStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.st
}
