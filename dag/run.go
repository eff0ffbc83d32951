package dag

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// Run validates the graph (see Validate) and runs it on p: every node whose
// dependencies have all ended is submitted to p at once, so independent
// nodes run in parallel, each with its priority, timeout and retry options.
// What happens after a node fails is the FailurePolicy among opts; the
// default is SkipDependents.
//
// Run blocks until every node has ended and every job it submitted is
// terminal: nothing it started is left running when it returns. It returns a
// Report and, if any node did not succeed, a *RunError; for an invalid graph
// or option, a nil ctx, p or *Graph, it returns a nil Report and the
// Validate or ErrInvalidOption error, and runs nothing.
//
// When ctx ends, Run stops: queued jobs end Cancelled at once, running jobs
// see their context cancelled, and nodes not yet submitted end Cancelled
// with an error wrapping ErrStopped and ctx's cause. A pool that is closed
// during the run makes the next submit fail with pool.ErrClosed: that node
// ends Cancelled with it, the run stops the same way, and jobs already queued
// still drain. A job that the pool ends without running it (Shutdown's
// sweep, a DropOldest eviction) ends its node Cancelled; Run never hangs on
// it.
//
// Run starts no goroutine. The job of a node that succeeds counts its
// dependents' remaining dependencies down itself, one atomic operation each,
// and submits those that reach zero from its worker; Run's own goroutine
// only submits the nodes without dependencies, settles failed nodes (it
// waits for their jobs, to tell Failed from Cancelled), and watches for jobs
// the pool ended without running: when the oldest node in flight has not
// ended for a millisecond, it waits on that node's Done channel. It must
// not be called from a job of p when p has no other free worker, since the
// nodes need one. A node's job carries no name unless the run has NameJobs.
// The overhead per node, pool job included, is 2 allocations (the job and
// its function) and about 240 bytes allocated, of which the Report keeps
// about 70; for time see docs/performance.md (BenchmarkRunLayered,
// BenchmarkRunChain1M, and BenchmarkPoolFloor, the pool's own cost for the
// same pattern).
func (g *Graph) Run(ctx context.Context, p *pool.Pool, opts ...RunOption) (*Report, error) {
	if ctx == nil {
		return nil, invalidf("Run: nil context")
	}
	if p == nil {
		return nil, invalidf("Run: nil pool")
	}
	if g == nil {
		return nil, invalidf("Run: nil *Graph")
	}
	var cfg runConfig
	for _, o := range opts {
		if o == nil {
			return nil, invalidf("Run: nil option")
		}
		if err := o.applyRun(&cfg); err != nil {
			return nil, err
		}
	}
	pl, err := g.snapshot()
	if err != nil {
		return nil, err
	}
	r := &run{
		pl:     pl,
		p:      p,
		ctx:    ctx,
		policy: cfg.policy,
		keep:   cfg.keep,
		names:  cfg.names,
		nodes:  make([]nodeRun, len(pl.nodes)),
		wake:   make(chan struct{}, 1),
		start:  time.Now(),
	}
	r.rep = &Report{Nodes: make([]NodeReport, len(pl.nodes)), Start: r.start, pl: pl}
	r.coordinate()
	return r.report()
}

// run is the state of one Run.
type run struct {
	pl     *plan
	p      *pool.Pool
	ctx    context.Context
	policy FailurePolicy
	keep   bool // KeepResults
	names  bool // NameJobs
	nodes  []nodeRun
	start  time.Time
	rep    *Report // filled in by Run's goroutine: prefill, then report
	filled int     // NodeReports prefilled

	// sinksEnded counts the nodes without dependents that have ended; the
	// one that ends the last wakes Run. A node ends only after all its
	// dependencies have ended and counted their dependents down, so the
	// run is over when every sink has ended; counting only sinks keeps the
	// workers off one shared counter per node.
	sinksEnded atomic.Int64
	// halted holds the error of nodes the stopped run will not run. Jobs
	// read it before calling the node's function, and under FailFast a
	// failing job sets it, so a worker freed by the failure does not start
	// another node before the run has stopped.
	halted atomic.Pointer[error]

	mu      sync.Mutex
	failed  []int32       // nodes whose function did not succeed, for Run's goroutine to settle
	stopped error         // why the run stopped; nil while it runs
	wake    chan struct{} // a token when failed grew, the run stopped or the last node ended
}

// halt records err as the error of the nodes the run will no longer run,
// unless an error is already recorded, and returns the recorded one.
func (r *run) halt(err error) error {
	r.halted.CompareAndSwap(nil, &err)
	return *r.halted.Load()
}

// signal wakes Run's goroutine.
func (r *run) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// nodeRun is one node's state in one run. The goroutine that ends a node
// (its job, or Run's goroutine for a failure or a job the pool ended unrun)
// writes state, err and value before it counts the node's dependents down,
// so a dependent, which starts after the last count, reads them freely.
//
// The zero nodeRun is a node that has not ended and whose dependencies have
// not ended either, so a run's slab of them needs no initialising pass.
type nodeRun struct {
	depsEnded int32 // dependencies that have ended (atomic)
	blockedBy int32 // 1 + a dependency that did not succeed, 0 if none (atomic)
	attempts  int32
	state     pool.State  // 0 until the node ends
	claimed   atomic.Bool // the node's end was taken in hand, by its job or by Run
	fin       atomic.Bool // the node has ended: state and err are final
	job       atomic.Pointer[pool.Job]

	value any
	err   error
}

var errGoexit = errors.New("dag: node function called runtime.Goexit")

// call is the function of node i's pool job.
func (r *run) call(ctx context.Context, i int32) error {
	n := &r.nodes[i]
	nd := &r.pl.nodes[i]
	if n.job.Load() == nil { // its submitter had no time to store it
		if j, ok := pool.JobFromContext(ctx); ok {
			n.job.Store(j) // before the node can end: Run reads it then
		}
	}
	in := Results{r: r, of: i}
	returned := false
	defer func() {
		if !returned {
			if v := recover(); v != nil {
				n.err = &pool.PanicError{Value: v, Stack: debug.Stack()}
				r.toRun(i)
				panic(v) // let the pool record it and call its panic handler
			}
			n.err = errGoexit
			r.toRun(i)
		}
	}()
	if stop := r.halted.Load(); stop != nil {
		// The run stopped after this job was queued: do not start the node,
		// and end the job Cancelled by cancelling its context first.
		if j := n.job.Load(); j != nil {
			j.Cancel()
		}
		returned = true
		n.err = *stop
		r.toRun(i)
		return ctx.Err()
	}
	var v any
	var err error
	if nd.retry == nil {
		n.attempts = 1
		v, err = nd.fn(ctx, in)
	} else {
		v, err = retry.DoValue(ctx, *nd.retry, func(ctx context.Context) (any, error) {
			n.attempts++
			return nd.fn(ctx, in)
		})
	}
	returned = true
	if err != nil {
		n.err = err
		if r.policy == FailFast {
			r.halt(fmt.Errorf("%w: %w", ErrStopped, &NodeError{Name: nd.name, State: pool.Failed, Err: err}))
		}
		r.toRun(i)
		return err
	}
	if n.claimed.CompareAndSwap(false, true) {
		n.value, n.state = v, pool.Succeeded
		r.finish(i) // the last use of r by this job
	}
	return nil
}

// toRun hands node i, whose function did not succeed, to Run's goroutine,
// which waits for the job to learn whether it Failed or was Cancelled.
func (r *run) toRun(i int32) {
	if !r.nodes[i].claimed.CompareAndSwap(false, true) {
		return
	}
	r.mu.Lock()
	r.failed = append(r.failed, i)
	r.mu.Unlock()
	r.signal()
}

// finish ends node i, whose state and error are set: it counts down its
// dependents' remaining dependencies and resolves those that reach zero,
// then, the same way, those of the dependents that end at once. It runs on
// whichever goroutine ended the node.
func (r *run) finish(i int32) {
	var buf [16]int32
	stack := append(buf[:0], i)
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		un := &r.nodes[u]
		un.fin.Store(true)
		ok := un.state == pool.Succeeded
		if !ok && r.policy == FailFast {
			r.stop(&NodeError{Name: r.pl.nodes[u].name, State: un.state, Err: un.err})
		}
		for _, s := range r.pl.dependents(u) {
			d := &r.nodes[s]
			if !ok && r.policy != RunAll {
				atomic.CompareAndSwapInt32(&d.blockedBy, 0, u+1)
			}
			if atomic.AddInt32(&d.depsEnded, 1) == r.pl.depOff[s+1]-r.pl.depOff[s] && r.resolve(s) {
				stack = append(stack, s)
			}
		}
		if r.pl.sucOff[u+1] == r.pl.sucOff[u] && r.sinksEnded.Add(1) == r.pl.sinks {
			r.signal()
		}
	}
}

// resolve submits node i, whose dependencies have all ended, or, when it
// must not run, sets its state and error and reports true: the caller then
// finishes it.
func (r *run) resolve(i int32) bool {
	n := &r.nodes[i]
	if stop := r.halted.Load(); stop != nil {
		n.state, n.err = pool.Cancelled, *stop
		return true
	}
	if b := atomic.LoadInt32(&n.blockedBy); b != 0 {
		n.state, n.err = pool.Skipped, r.depError(b-1)
		return true
	}
	opts := r.pl.nodes[i].jobOpts
	if !r.names {
		opts = opts[1:] // no name: a nameless job without other options allocates only the Job
	}
	job, err := r.p.Submit(r.ctx, func(ctx context.Context) error { return r.call(ctx, i) }, opts...)
	if err == nil {
		if n.job.Load() == nil { // the job may have run and stored it already
			n.job.Store(job)
		}
		return false
	}
	n.state, n.err = pool.Cancelled, err
	if errors.Is(err, pool.ErrClosed) || r.ctx.Err() != nil {
		r.stop(err)
	}
	return true
}

// depError is the error of a node skipped because dependency d did not
// succeed.
func (r *run) depError(d int32) error {
	dn := &r.nodes[d]
	e := &DependencyError{Dependency: r.pl.nodes[d].name, State: dn.state, Origin: r.pl.nodes[d].name, Err: dn.err}
	if de, ok := dn.err.(*DependencyError); ok && dn.state == pool.Skipped {
		e.Origin, e.Err = de.Origin, de.Err
	}
	return e
}

// stop stops the run for cause, unless it has stopped already: nothing more
// is submitted, every job in flight is cancelled, and Run's goroutine is
// woken to collect the jobs that end without running. Any goroutine may
// call it.
func (r *run) stop(cause error) {
	r.mu.Lock()
	if r.stopped != nil {
		r.mu.Unlock()
		return
	}
	r.stopped = cause
	r.mu.Unlock()
	r.halt(fmt.Errorf("%w: %w", ErrStopped, cause))
	for i := range r.nodes {
		n := &r.nodes[i]
		if j := n.job.Load(); j != nil && !n.fin.Load() {
			j.Cancel()
		}
	}
	r.signal()
}

// stallTick is how long Run's goroutine lets the oldest node in flight go
// without ending before it looks for a job the pool ended without running,
// by waiting on that node's Done channel. While the oldest nodes keep
// ending it only walks past them, once a tick.
const stallTick = time.Millisecond

// coordinate runs the graph until every node has ended.
func (r *run) coordinate() {
	ctxDone := r.ctx.Done()
	if r.ctx.Err() != nil {
		r.stop(context.Cause(r.ctx))
		ctxDone = nil
	}
	for _, i := range r.pl.roots {
		if r.resolve(i) {
			r.finish(i)
		}
	}
	var (
		timer    *time.Timer
		tickC    <-chan time.Time
		last     = -1 // cursor at the last tick
		watching bool // looking for jobs ended unrun
		cursor   int  // in pl.order: every node before it has ended
		spare    []int32
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for r.sinksEnded.Load() < r.pl.sinks {
		if ctxDone != nil && r.ctx.Err() != nil {
			ctxDone = nil
			r.stop(context.Cause(r.ctx))
		}
		r.mu.Lock()
		batch := r.failed
		r.failed = spare[:0]
		stopped := r.stopped != nil
		r.mu.Unlock()
		for _, i := range batch {
			n := &r.nodes[i]
			n.job.Load().Wait(context.Background())
			r.settle(i)
			r.finish(i)
		}
		spare = batch
		if len(batch) > 0 {
			continue
		}
		watching = watching || stopped
		var watchC <-chan struct{}
		watched := int32(-1)
		for watching {
			for cursor < len(r.pl.order) && r.nodes[r.pl.order[cursor]].fin.Load() {
				cursor++
			}
			if cursor == len(r.pl.order) {
				break // the last nodes are ending: the last one wakes us
			}
			c := r.pl.order[cursor]
			n := &r.nodes[c]
			j := n.job.Load()
			if j == nil {
				// Being submitted by the job that ended its last
				// dependency: look again in a tick.
				break
			}
			if !j.State().Terminal() {
				watchC, watched = j.Done(), c
				break
			}
			if !n.claimed.CompareAndSwap(false, true) {
				// Its function ran: it has ended, or waits in failed
				// with a wake-up token sent.
				if n.fin.Load() {
					continue
				}
				break
			}
			r.settle(c)
			r.finish(c)
		}
		if watchC == nil {
			if timer == nil {
				timer = time.NewTimer(stallTick)
			} else if tickC == nil {
				timer.Reset(stallTick)
			}
			tickC = timer.C
		} else {
			tickC = nil
		}
		var more <-chan struct{} // ready at once while the Report is not prefilled
		if r.filled < len(r.nodes) {
			r.prefill(prefillChunk)
			more = closedChan
		}
		select {
		case <-more:
		case <-r.wake:
		case <-ctxDone:
		case <-tickC:
			tickC = nil
			for cursor < len(r.pl.order) && r.nodes[r.pl.order[cursor]].fin.Load() {
				cursor++
			}
			if cursor == last {
				watching = true // the oldest node in flight has not ended for a tick
			} else {
				last = cursor
			}
		case <-watchC:
			if r.nodes[watched].fin.Load() && !stopped {
				watching = false // it ended by itself: the run is not stalled
				last = -1
			}
		}
	}
}

// closedChan is a closed channel, for a select that must not block.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// settle takes the final state and error of the node's terminal job. A node
// whose function never ran because the run had stopped keeps the run's stop
// error rather than the job's bare context.Canceled.
func (r *run) settle(i int32) {
	n := &r.nodes[i]
	j := n.job.Load()
	n.state = j.State()
	switch {
	case n.attempts > 0:
		n.err = j.Err()
	case n.err != nil:
		// The function was called and found the run stopped.
	case n.state == pool.Cancelled && r.halted.Load() != nil:
		// Cancelled in the queue by stop: no worker reached it.
		n.err = *r.halted.Load()
	default:
		n.err = j.Err()
	}
}
