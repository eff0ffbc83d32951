package dag

import (
	"context"
	"errors"
	"fmt"
	"runtime"
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
// Run coordinates on the calling goroutine and starts no goroutine of its
// own: a finishing node's job appends its position to a list and wakes the
// coordinator, which counts down its dependents' remaining dependencies and
// submits those that reach zero. It must not be called from a job of p when
// p has no other free worker, since the nodes need one. The overhead per
// node, pool job included, is 4 allocations (the job, its name option's two
// and the job's function) and about 470 bytes allocated, of which the
// Report keeps about 70; for time see docs/performance.md
// (BenchmarkRunLayered, BenchmarkRunChain1M).
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
		procs:  runtime.GOMAXPROCS(0),
		nodes:  make([]nodeRun, len(pl.nodes)),
		wake:   make(chan struct{}, 1),
		start:  time.Now(),
	}
	for i := range r.nodes {
		n := &r.nodes[i]
		n.r, n.idx = r, int32(i)
		n.remaining = pl.depOff[i+1] - pl.depOff[i]
	}
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
	procs  int  // GOMAXPROCS when the run started
	nodes  []nodeRun
	start  time.Time

	// Written by finishing jobs, taken by the coordinator.
	mu       sync.Mutex
	done     []int32       // nodes whose function returned, not yet handled
	reported atomic.Bool   // done is not empty
	wake     chan struct{} // a token when done became non-empty

	// The rest belongs to the coordinator.
	inflight int     // submitted jobs whose node has not ended
	fifo     []int32 // submitted nodes in submit order; ended ones before head
	head     int
	stack    []int32 // ended nodes whose dependents are not yet told
	ended    int
	stopped  error // why the run stopped; nil while it runs
	stopErr  error // the error of the nodes it ends: *halted
	// halted holds the error of nodes the stopped run will not run. Jobs
	// read it before calling the node's function, and under FailFast a
	// failing job sets it, so a worker freed by the failure does not start
	// another node before the coordinator hears of it.
	halted atomic.Pointer[error]
}

// halt records err as the error of the nodes the run will no longer run,
// unless an error is already recorded, and returns the recorded one.
func (r *run) halt(err error) error {
	r.halted.CompareAndSwap(nil, &err)
	return *r.halted.Load()
}

// nodeRun is one node's state in one run.
type nodeRun struct {
	r   *run
	idx int32
	job *pool.Job

	// Written by the node's job before it reports, then read-only.
	value    any
	err      error
	attempts int32
	claimed  atomic.Bool // the node's end was reported, by its job or the coordinator

	// Coordinator only.
	remaining int32      // dependencies not yet ended
	blockedBy int32      // 1 + the first dependency that did not succeed, 0 if none
	state     pool.State // 0 until the node ends
}

var errGoexit = errors.New("dag: node function called runtime.Goexit")

// call is the function of the node's pool job.
func (n *nodeRun) call(ctx context.Context) error {
	nd := &n.r.pl.nodes[n.idx]
	in := Results{r: n.r, of: n.idx}
	returned := false
	defer func() {
		if !returned {
			if v := recover(); v != nil {
				n.err = &pool.PanicError{Value: v, Stack: debug.Stack()}
				n.report()
				panic(v) // let the pool record it and call its panic handler
			}
			n.err = errGoexit
		}
		n.report()
	}()
	if stop := n.r.halted.Load(); stop != nil {
		// The run stopped after this job was queued: do not start the node,
		// and end the job Cancelled by cancelling its context first.
		if j, ok := pool.JobFromContext(ctx); ok {
			j.Cancel()
		}
		returned = true
		n.err = *stop
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
	n.value, n.err = v, err
	if err != nil && n.r.policy == FailFast {
		n.r.halt(fmt.Errorf("%w: %w", ErrStopped, &NodeError{Name: nd.name, State: pool.Failed, Err: err}))
	}
	return err
}

// report tells the coordinator that the node's function has returned.
func (n *nodeRun) report() {
	if !n.claimed.CompareAndSwap(false, true) {
		return
	}
	r := n.r
	r.mu.Lock()
	r.done = append(r.done, n.idx)
	r.reported.Store(true)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// coordinate runs the graph until every node has ended.
func (r *run) coordinate() {
	ctxDone := r.ctx.Done()
	if r.ctx.Err() != nil {
		r.stop(context.Cause(r.ctx))
		ctxDone = nil
	}
	for _, i := range r.pl.roots {
		r.resolve(i)
	}
	r.drain()
	var spare []int32
	for r.ended < len(r.nodes) {
		var batch []int32
		r.mu.Lock()
		if len(r.done) > 0 {
			batch, r.done = r.done, spare[:0]
			r.reported.Store(false)
		}
		r.mu.Unlock()
		if len(batch) > 0 {
			for _, i := range batch {
				r.returned(i)
			}
			spare = batch
			r.drain()
			continue
		}
		if r.inflight == 0 {
			panic("dag: internal error: nodes left but nothing in flight")
		}
		if r.inflight <= r.procs && r.spin() {
			continue
		}
		select {
		case <-r.wake:
		case <-ctxDone:
			ctxDone = nil
			r.stop(context.Cause(r.ctx))
		case <-r.watch():
			r.sweep(false)
		}
		r.drain()
	}
}

// spinRounds is how many times the coordinator yields, looking for a node
// that ended, before it blocks when no more nodes than GOMAXPROCS are in
// flight: a node of a chain that runs in a few microseconds then hands its
// successor over without the coordinator parking and being woken, nor
// asking its job for a Done channel. With more in flight, one of them
// reports soon anyway. (On 2 loaded cores: a 1 M-node chain 35-50% faster
// in three interleaved pairs of runs.)
const spinRounds = 64

// spin yields the processor up to spinRounds times while no node has
// reported, and reports whether one has.
func (r *run) spin() bool {
	for range spinRounds {
		runtime.Gosched()
		if r.reported.Load() {
			return true
		}
	}
	return false
}

// returned ends a node whose function returned (or panicked).
func (r *run) returned(i int32) {
	n := &r.nodes[i]
	r.inflight--
	if n.err == nil {
		n.state = pool.Succeeded
	} else {
		// Failures are rare: wait the moment it takes the pool to settle
		// the job, to learn whether it counts as Failed or Cancelled.
		n.job.Wait(context.Background())
		n.settle()
	}
	r.stack = append(r.stack, i)
}

// drain tells the dependents of every ended node on the stack, resolving
// those whose last dependency that was.
func (r *run) drain() {
	for len(r.stack) > 0 {
		u := r.stack[len(r.stack)-1]
		r.stack = r.stack[:len(r.stack)-1]
		r.ended++
		ok := r.nodes[u].state == pool.Succeeded
		if !ok && r.policy == FailFast && r.stopped == nil {
			r.stop(&NodeError{Name: r.pl.nodes[u].name, State: r.nodes[u].state, Err: r.nodes[u].err})
		}
		for _, s := range r.pl.dependents(u) {
			d := &r.nodes[s]
			if !ok && d.blockedBy == 0 && r.policy != RunAll {
				d.blockedBy = u + 1
			}
			if d.remaining--; d.remaining == 0 {
				r.resolve(s)
			}
		}
	}
}

// resolve submits node i, whose dependencies have all ended, or ends it at
// once when it must not run.
func (r *run) resolve(i int32) {
	n := &r.nodes[i]
	switch {
	case r.stopped != nil:
		n.state, n.err = pool.Cancelled, r.stopErr
	case n.blockedBy != 0:
		n.state, n.err = pool.Skipped, r.depError(n.blockedBy-1)
	default:
		job, err := r.p.Submit(r.ctx, n.call, r.pl.nodes[i].jobOpts...)
		if err == nil {
			n.job = job
			r.inflight++
			r.fifo = append(r.fifo, i)
			return
		}
		n.state, n.err = pool.Cancelled, err
		if r.stopped == nil && (errors.Is(err, pool.ErrClosed) || r.ctx.Err() != nil) {
			r.stop(err)
		}
	}
	r.stack = append(r.stack, i)
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

// stop stops the run for cause: nothing more is submitted, and every job in
// flight is cancelled.
func (r *run) stop(cause error) {
	r.stopped = cause
	r.stopErr = r.halt(fmt.Errorf("%w: %w", ErrStopped, cause))
	for _, i := range r.fifo[r.head:] {
		if r.nodes[i].state == 0 {
			r.nodes[i].job.Cancel()
		}
	}
	r.sweep(true)
}

// watch returns the Done channel of the oldest job in flight, or nil when
// none is. Waiting on it, besides the wake channel, catches jobs the pool
// ends without running their function, which therefore never report.
func (r *run) watch() <-chan struct{} {
	for r.head < len(r.fifo) && r.nodes[r.fifo[r.head]].state != 0 {
		r.head++
	}
	if r.head == len(r.fifo) {
		return nil
	}
	return r.nodes[r.fifo[r.head]].job.Done()
}

// sweep ends the nodes whose job is terminal although their function never
// ran. It scans the jobs in flight from the oldest: all of them when all is
// set, otherwise up to the first one not terminal.
func (r *run) sweep(all bool) {
	for _, i := range r.fifo[r.head:] {
		n := &r.nodes[i]
		if n.state != 0 {
			continue
		}
		if !n.job.State().Terminal() {
			if all {
				continue
			}
			return
		}
		if n.claimed.CompareAndSwap(false, true) {
			r.inflight--
			n.settle()
			r.stack = append(r.stack, i)
		}
	}
}

// settle takes the final state and error of the node's terminal job. A node
// whose function never ran because the run had stopped keeps the run's stop
// error rather than the job's bare context.Canceled.
func (n *nodeRun) settle() {
	n.state = n.job.State()
	switch {
	case n.attempts > 0:
		n.err = n.job.Err()
	case n.err != nil:
		// The function was called and found the run stopped.
	case n.state == pool.Cancelled && n.r.stopErr != nil:
		// Cancelled in the queue by stop: no worker reached it.
		n.err = n.r.stopErr
	default:
		n.err = n.job.Err()
	}
}
