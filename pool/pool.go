package pool

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/internal/ring"
)

// Pool runs jobs on a set of worker goroutines (fixed, or adaptive between a
// minimum and a maximum), taking them from five priority queues. All its methods are safe for concurrent use. A Pool must be
// made with New; the zero Pool is not usable. Close or Shutdown it to stop its
// workers: nothing the pool starts outlives Close.
type Pool struct {
	// Set by New, read-only afterwards.
	ctx        context.Context
	epoch      time.Time
	capacity   int
	policy     FullPolicy
	onPanic    func(*PanicError)
	log        *slog.Logger
	obs        Observer
	name       string
	exited     chan struct{} // closed when the pool is closed and every worker has returned
	idleAfter  time.Duration // retire workers idle this long; 0 = never
	rate       *limiter      // guarded by mu; nil without WithRateLimit
	stuckAfter time.Duration // 0 without WithStuckThreshold
	labels     bool          // WithProfilerLabels
	stopWatch  func() bool   // releases the watch on ctx
	batch      int           // most Go items a worker takes at once; 1 = no batching
	spinSubmit bool          // GOMAXPROCS > 1 at New: a submitter may spin for mu
	shards     []shard       // the fast lane for Go funcs; nil where it does not apply

	// Read on every job by workers, written rarely: kept apart from the
	// lock's cache line so the submitter's writes do not evict them.
	_        [64]byte
	aborting atomic.Bool // Shutdown's deadline passed: cancel what is left
	ctxDone  atomic.Bool // the base context ended: nothing more starts
	_        [62]byte
	topHint  atomic.Int32 // mirrors top for workers holding a batch; written when top changes

	// The fast lane's shared state, each on its own cache line: cursor is
	// written by every submit, nspin and nidle read by every submit and
	// written when a worker starts or stops spinning or parking, ids
	// written by every Submit.
	_      [60]byte
	cursor atomic.Uint32 // the shard the next submit fills
	_      [60]byte
	nspin  atomic.Int32 // workers spinning, and wake-ups on their way
	nidle  atomic.Int32 // len(idle), for readers without mu
	// nhelp counts workers blocked in a helping wait (help.go); on nidle's
	// line, which every submit reads already.
	nhelp atomic.Int32
	// subWait counts submitters waiting for mu (see lockSubmit).
	subWait atomic.Int32
	// runMask+1 is how many consecutive items a shard takes: 1 until the
	// workers find their funcs tiny; see pace.
	runMask atomic.Uint32
	// oldestFirst: the jobs run long, so workers take the oldest work
	// rather than their own; see pace. Set until a job has been timed.
	oldestFirst atomic.Bool
	// grown: a queue grew past trimAbove since the last idle trim. Read
	// when a worker parks, written by the push that crosses the mark.
	grown atomic.Bool
	_     [46]byte
	ids   atomic.Uint64 // the last job ID given
	_     [56]byte

	_         [64]byte
	mu        sync.Mutex
	levels    [numLevels]ring.Ring[item]
	queued    int // items in levels, ghosts included
	top       int // highest non-empty level, -1 when empty
	submitted uint64
	rejected  uint64
	closed    bool
	idle      []*worker                 // parked workers, most recently parked last
	active    int                       // workers neither parked nor exited
	live      int                       // workers not exited
	min, max  int                       // bounds on live workers; max is Resize's target
	exitDone  bool                      // exited has been closed
	scaled    [2]uint64                 // workers started and retired after New
	workers   atomic.Pointer[[]*worker] // every worker struct ever made, for Stats
	spaceWait []chan struct{}
	idleWait  chan struct{} // closed when the pool next becomes idle
	// pending counts jobs accepted but waiting for dependencies or for a
	// retry; pendingJobs holds them, with the retry timer if any.
	pending     int
	pendingJobs map[*Job]*time.Timer
	// The idle trim (trim.go): the timer, whether it is set, and when the
	// pool last went idle.
	trimTimer *time.Timer
	trimArmed bool
	idleFrom  int64

	// ghosts counts queued items whose job was cancelled while queued: they
	// stay in the ring until popped, and must not count as queued. Every
	// move out of Queued happens under mu, so the count is exact.
	ghosts [numLevels]int
	// cancelled counts jobs cancelled away from a worker: by Cancel, by a
	// drop, or by Shutdown's final sweep.
	cancelled atomic.Uint64
	skipped   atomic.Uint64
}

// New returns a pool with the given number of workers, started at once.
// It returns an error wrapping ErrInvalidOption, and starts nothing, when
// workers < 1 or an option is invalid.
//
// Starting and closing an idle pool of GOMAXPROCS workers costs a few
// microseconds; see docs/performance.md.
func New(workers int, opts ...Option) (*Pool, error) {
	if workers < 1 {
		return nil, invalidf("New(%d): workers must be >= 1", workers)
	}
	c := config{ctx: context.Background(), minWorkers: -1}
	for _, o := range opts {
		if o == nil {
			return nil, invalidf("New: nil option")
		}
		if err := o.applyPool(&c); err != nil {
			return nil, err
		}
	}
	p := &Pool{
		ctx:      c.ctx,
		epoch:    time.Now(),
		capacity: c.queueSize,
		policy:   c.policy,
		onPanic:  c.onPanic,
		log:      c.logger,
		obs:      c.observer,
		name:     c.name,
		top:      -1,
		exited:   make(chan struct{}),
		batch:    maxBatch,

		rate:       c.rate,
		stuckAfter: c.stuckAfter,
		labels:     c.labels,

		pendingJobs: make(map[*Job]*time.Timer),
	}
	p.topHint.Store(-1)
	procs := runtime.GOMAXPROCS(0)
	p.spinSubmit = procs > 1
	if procs >= fastLaneProcs && fastLane(&c, workers) {
		// More shards than cores would only lengthen the scans of idle
		// workers: past that, workers share them.
		n := min(workers, procs)
		p.shards = make([]shard, n)
		p.oldestFirst.Store(true)
	}
	if p.capacity > 0 || p.rate != nil {
		// Held batches would sit outside the bound; a bounded queue pops
		// one job at a time so that it holds exactly what it promises.
		// Held jobs would also start without a rate-limit token.
		p.batch = 1
	}
	p.min, p.max = workers, workers
	if c.maxWorkers > 0 {
		p.max = c.maxWorkers
	}
	if c.minWorkers >= 0 {
		p.min = c.minWorkers
	}
	switch {
	case p.min > p.max:
		return nil, invalidf("WithMinWorkers(%d) above WithMaxWorkers(%d)", p.min, p.max)
	case workers > p.max:
		return nil, invalidf("New(%d) above WithMaxWorkers(%d)", workers, p.max)
	}
	if p.min < p.max {
		p.idleAfter = 10 * time.Second
	}
	if c.idleTimeout > 0 {
		p.idleAfter = c.idleTimeout
	}
	empty := make([]*worker, 0, workers)
	p.workers.Store(&empty)
	p.mu.Lock()
	for range workers {
		p.spawnLocked()
	}
	p.scaled = [2]uint64{}
	p.mu.Unlock()
	if p.ctx.Done() != nil {
		p.stopWatch = context.AfterFunc(p.ctx, p.cancelRunning)
	}
	if p.stuckAfter > 0 {
		go p.watchStuck()
	}
	return p, nil
}

// now returns nanoseconds since the pool's epoch plus one, never 0, so that
// 0 can mean "not yet" in a job's timings; at converts back.
func (p *Pool) now() int64 {
	return int64(time.Since(p.epoch)) + 1
}

// Name returns the name given with WithName, or "".
func (p *Pool) Name() string { return p.name }

// Workers returns the number of worker goroutines running now.
func (p *Pool) Workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live
}

// allWorkers returns every worker struct made so far, exited ones too.
func (p *Pool) allWorkers() []*worker { return *p.workers.Load() }

// Close stops intake and waits until every queued job has run and every
// worker has returned. After Close begins, Go, Submit and TrySubmit return
// ErrClosed. Close is idempotent and safe to call from many goroutines; each
// call waits. It returns nil. A job must not Close its own pool: it would wait
// for itself.
func (p *Pool) Close() error {
	return p.Shutdown(context.Background())
}

// Shutdown stops intake like Close and waits for the queue to drain and the
// workers to return. If ctx ends first, Shutdown cancels what is left: every
// job still queued ends Cancelled at once with an error matching ErrShutdown
// and context.Canceled, every running job has its context cancelled with that
// cause, and Shutdown returns ctx's error without waiting for the running
// jobs to return; call Close or Wait to wait for them. Nothing is dropped
// silently: each cancelled job is counted in Stats and reported to the
// observer. Shutdown is idempotent and safe to call from many goroutines.
func (p *Pool) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		// Wake everyone: parked workers exit once the queue is empty, and
		// blocked submitters see ErrClosed.
		p.closeShardsLocked()
		if p.trimTimer != nil {
			p.trimTimer.Stop()
		}
		for _, w := range p.idle {
			p.active++
			w.wake <- struct{}{}
		}
		p.idle = p.idle[:0]
		p.nidle.Store(0)
		for _, c := range p.spaceWait {
			close(c)
		}
		p.spaceWait = nil
		p.closeExitedLocked()
	}
	p.mu.Unlock()
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
	}
	p.abort()
	return ctx.Err()
}

// abort cancels every queued job and every running job's context. Workers
// keep popping whatever a racing abort missed, and cancel it too.
func (p *Pool) abort() {
	p.aborting.Store(true)
	p.mu.Lock()
	var funcs int
	var jobs []*Job
	for lvl := range p.levels {
		for {
			it, ok := p.levels[lvl].PopFront()
			if !ok {
				break
			}
			p.queued--
			if j := it.job(); j == nil {
				funcs++
			} else if p.cancelQueuedLocked(j) {
				jobs = append(jobs, j)
			}
		}
	}
	// Ghosts held in a worker's batch or left in a shard stay counted:
	// the worker that passes them, or drainShardsLocked, uncounts them.
	p.setTopLocked(-1)
	funcs += p.drainShardsLocked(&jobs)
	var waiting []*Job
	for j, t := range p.pendingJobs {
		if t != nil {
			t.Stop()
		}
		if j.casState(Pending, Cancelled) {
			p.cancelled.Add(1)
			waiting = append(waiting, j)
		}
	}
	clear(p.pendingJobs)
	p.pending = 0
	p.cancelled.Add(uint64(funcs))
	p.wakeTokenWaitersLocked()
	p.wakeForExitLocked()
	p.closeExitedLocked()
	p.mu.Unlock()
	for range funcs {
		p.emit(Event{Kind: EventCancelled, Err: errShutdownCancel, Priority: Normal}, nil)
	}
	for _, j := range append(jobs, waiting...) {
		j.complete(Cancelled, errShutdownCancel)
		p.finished(j, Cancelled, errShutdownCancel)
	}
	p.notifyIdle()
	p.cancelRunning()
}

// cancelRunning cancels the context of every job a worker is running. A job
// that starts after the scan checks aborting and ctx itself.
func (p *Pool) cancelRunning() {
	cause := errShutdownCancel
	if !p.aborting.Load() {
		cause = nil // the base context ended: use its cause
		p.ctxDone.Store(true)
	}
	for _, w := range p.allWorkers() {
		if j := w.running(); j != nil {
			if cause != nil {
				j.cancelRun(cause)
			} else {
				j.cancelRun(context.Cause(p.ctx))
			}
		}
	}
}

// cancelQueuedLocked moves a job that leaves the queue without running to
// Cancelled and counts it; false means it was a ghost, cancelled already,
// which it uncounts. The caller completes the job after unlocking.
func (p *Pool) cancelQueuedLocked(j *Job) bool {
	if j.casState(Queued, Cancelled) {
		p.cancelled.Add(1)
		return true
	}
	p.ghosts[j.prio().level()]--
	return false
}

// dropped ends an item evicted from a full queue (or refused a place in it)
// under DropOldest: a Go func is counted here, a job was moved to Cancelled
// and counted under the lock.
func (p *Pool) dropped(it item) {
	j := it.job()
	if j == nil {
		p.cancelled.Add(1)
		p.emit(Event{Kind: EventCancelled, Err: errDroppedCancel, Priority: Normal}, nil)
		return
	}
	j.complete(Cancelled, errDroppedCancel)
	p.finished(j, Cancelled, errDroppedCancel)
}

// cancelledPending ends a job that Cancel moved from Pending to Cancelled.
func (p *Pool) cancelledPending(j *Job, err error) {
	p.cancelled.Add(1)
	j.complete(Cancelled, err)
	p.finished(j, Cancelled, err)
	p.settlePending(j) // last: Close and Wait may return once it is settled
}

// Wait blocks until nothing is pending, queued or running, or until ctx
// ends, and returns ctx's error in that case. Jobs submitted while Wait waits
// extend the wait. It is safe to call from many goroutines and on a closed
// pool; called from one of the pool's own jobs it waits for itself and only
// ctx can end it.
func (p *Pool) Wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		if p.idleLocked() {
			p.mu.Unlock()
			return nil
		}
		if p.idleWait == nil {
			p.idleWait = make(chan struct{})
		}
		c := p.idleWait
		p.mu.Unlock()
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *Pool) idleLocked() bool {
	return p.queued == 0 && p.active == 0 && p.pending == 0 && !p.shardsNonEmpty()
}

// popIdleLocked takes the most recently parked worker off the idle list and
// counts it active; nil if none is parked. The caller wakes it.
func (p *Pool) popIdleLocked() *worker {
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	w := p.idle[n-1]
	p.idle = p.idle[:n-1]
	p.nidle.Store(int32(n - 1))
	p.active++
	return w
}

// notifyIdle wakes Wait callers if the pool is idle.
func (p *Pool) notifyIdle() {
	p.mu.Lock()
	p.notifyIdleLocked()
	p.mu.Unlock()
}

func (p *Pool) notifyIdleLocked() {
	if p.idleWait != nil && p.idleLocked() {
		close(p.idleWait)
		p.idleWait = nil
	}
}
