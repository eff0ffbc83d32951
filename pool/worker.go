package pool

import (
	"context"
	"errors"
	"runtime/pprof"
	"runtime/trace"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/internal/ring"
)

// worker is one goroutine of the pool. Its counters are written only by its
// own goroutine and summed by Stats, so no counter is shared between workers.
type worker struct {
	p      *Pool
	wake   chan struct{}
	timer  *time.Timer // the idle timeout or rate-limit wait; reused
	exited bool        // guarded by p.mu
	// cur is the handled job running now, for Shutdown and Diagnostics;
	// once it ends, w keeps it until its next job, unless it runs a Go
	// func, waits, parks or retries first, and readers skip it (running),
	// so that a job costs w one store here.
	cur atomic.Pointer[Job]
	// goStart is when the Go func running now started, kept only with a
	// stuck threshold.
	goStart atomic.Int64
	token   bool // holds a rate-limit token, guarded by p.mu
	// tokenWait is set while w waits for a rate-limit token, guarded by
	// p.mu; whoever clears it sends w one wake-up.
	tokenWait bool
	// helpIdle is set while w, helping in a wait, blocks for want of
	// work, guarded by p.mu; whoever clears it sends w one wake-up.
	helpIdle bool
	// gid is w's goroutine, recorded at its first item (help.go).
	gid  atomic.Uint64
	home int // the worker's own shard on the fast lane
	// lastEnd is when the job w ran last ended, while w goes straight on
	// to the next: that job's start, without another clock read. Zero once
	// w has done anything else.
	lastEnd int64
	// On the fast lane a worker sizes its batches by how long its last
	// one took (see pace): grabAt is when it took it, grabN its size.
	grabAt   int64
	grabN    int
	batchCap int
	// spinning is set while w counts in p.nspin; by w itself, or by
	// wakeSpinner before the wake-up that w receives.
	spinning bool

	// A batch of items taken from level heldLvl in one lock, all Go funcs
	// or all jobs (still Queued: see hold); the worker alone reads and
	// writes it, and publishes its size and level for Stats.
	held    [maxBatch]item
	heldI   int
	heldN   int
	heldLvl atomic.Int32
	// heldCnt is the size of the batch when taken and heldBase the worker's
	// taken count then: Stats derives how many are left from taken, so the
	// worker publishes nothing per job.
	heldCnt  atomic.Int64
	heldBase atomic.Uint64
	heldOK   uint64 // funcs of the batch that succeeded, published at its end

	_ [64]byte // keep the counters off the fields above' line
	c counters
}

// Batch limits: the most items a worker takes at once. Go funcs on the
// locked queues come maxBatch at a time. On 2 cores, where the lock is
// shared by the submitter and the workers, 64 ran tiny jobs 1.08-1.55x
// faster than 32 in six interleaved passes of bench (a). The fast lane's
// batches and those of jobs with handles stop at paceBatch: on 16 cores,
// batches of 64 or 128 on the shards ran tiny jobs at 15 M jobs/s against
// 19 M (docs/performance.md).
const (
	maxBatch  = 64
	paceBatch = 32
)

// hold moves up to k items of one kind from the front of q into w's batch:
// Go funcs, or with jobs set jobs with handles, stopping at the first item
// of the other kind. It reads no job, so p.mu covers only moving slots.
// Held jobs stay Queued, so Cancel ends them at once as it would in the
// queue; a job cancelled while queued or held stays counted in p.ghosts
// until w reaches it (see skipGhost).
func (w *worker) hold(q *ring.Ring[item], k, lvl int, jobs bool) {
	n := 0
	for n < k {
		it, ok := q.Front()
		if !ok || (it.job() != nil) != jobs {
			break
		}
		q.PopFront()
		w.held[n] = it
		n++
	}
	w.setHeld(n, lvl)
}

// skipGhost passes over a held job that was cancelled while queued or held:
// it ended where it was cancelled, and leaves the ghost count now.
func (w *worker) skipGhost(j *Job) {
	p := w.p
	p.mu.Lock()
	p.ghosts[j.prio().level()]--
	p.mu.Unlock()
	w.c.taken.Add(1)
	w.c.heldGone.Add(1)
}

func (w *worker) setHeld(n, lvl int) {
	w.heldI, w.heldN = 0, n
	w.heldLvl.Store(int32(lvl))
	w.heldBase.Store(w.c.taken.Load() + 1) // the item popped with the batch runs first
	w.heldCnt.Store(int64(n))
}

// clearHeld ends the batch, first publishing the funcs it ran.
func (w *worker) clearHeld() {
	if w.heldOK > 0 {
		// taken before succeeded, so Running never reads negative.
		w.c.taken.Add(w.heldOK)
		w.c.succeeded.Add(w.heldOK)
		w.heldOK = 0
	}
	w.heldI, w.heldN = 0, 0
	w.heldCnt.Store(0)
}

// nextHeld returns the next item of w's batch, or the zero item when the
// batch is empty or a higher level has work (the batch then goes back to
// the queue).
func (w *worker) nextHeld() item {
	if w.heldI == w.heldN {
		if w.heldN > 0 {
			w.clearHeld()
		}
		return item{}
	}
	if w.p.topHint.Load() > w.heldLvl.Load() {
		w.p.mu.Lock()
		w.p.unholdLocked(w)
		w.p.mu.Unlock()
		return item{}
	}
	it := w.held[w.heldI]
	w.held[w.heldI] = item{}
	w.heldI++
	return it
}

// loop takes jobs until the pool is closed and drained.
func (w *worker) loop() {
	p := w.p
	for {
		if it := w.nextHeld(); it.p != nil {
			switch j := it.job(); {
			case j != nil && !j.casState(Queued, Running):
				w.skipGhost(j)
			case j != nil:
				w.runJob(j)
			case p.obs != nil || p.stuckAfter > 0:
				w.forgetJob()
				w.runFunc(it.fn()) // events and start times need per-job bookkeeping
			default:
				w.forgetJob()
				w.runHeld(it.fn())
			}
			continue
		}
		it, ok := w.take()
		if !ok {
			break // p.mu is held
		}
		if w.gid.Load() == 0 {
			w.noteGoid()
		}
		if it.job() != nil {
			w.runJob(it.job())
		} else {
			w.forgetJob()
			w.runFunc(it.fn())
		}
	}
	w.forgetJob() // an exited worker stays in p.workers
	p.retireLocked(w)
	p.mu.Unlock()
}

// take returns the next item, parking while the queue is empty; ok is false
// when w must retire (the pool is closed and drained, w was idle too long,
// or the pool shrank), and then p.mu is still held.
func (w *worker) take() (item, bool) {
	p := w.p
	if p.shards != nil {
		return w.takeFast()
	}
	p.mu.Lock()
	for {
		if p.live > p.max {
			return item{}, false // Resize lowered the maximum; p.mu stays held
		}
		if w.waitToken() {
			w.lastEnd = 0
			continue
		}
		if it, ok := p.popLocked(w); ok {
			w.token = false
			p.mu.Unlock()
			return it, true
		}
		if p.closed && p.pending == 0 {
			return item{}, false
		}
		w.lastEnd = 0
		if !w.parkLocked() {
			return item{}, false
		}
	}
}

// takeFast is take on the fast lane. The locked queues come first while
// they hold work at Normal priority or above (jobs with handles, and Go
// funcs given back by a batch); below Normal, only once the shards are empty.
func (w *worker) takeFast() (item, bool) {
	p := w.p
	w.pace()
	for {
		if top := int(p.topHint.Load()); top >= Normal.level() || (top >= 0 && !p.shardsNonEmpty()) {
			p.mu.Lock()
			it, ok := p.popLocked(w)
			p.mu.Unlock()
			if ok {
				w.stopSpinning()
				return it, true
			}
		}
		if it, ok := w.grab(); ok {
			w.stopSpinning()
			return it, true
		}
		w.lastEnd = 0
		if w.spin() {
			continue
		}
		p.mu.Lock()
		if p.live > p.max {
			return item{}, false // Resize lowered the maximum; p.mu stays held
		}
		if it, ok := p.popLocked(w); ok {
			p.mu.Unlock()
			return it, true
		}
		switch p.idleStepLocked() {
		case lookAgain:
			p.mu.Unlock()
			continue
		case retire:
			return item{}, false
		}
		if !w.parkLocked() {
			return item{}, false
		}
		p.mu.Unlock()
	}
}

// idleStep is what a fast-lane worker that found nothing to take does next.
type idleStep int

const (
	park idleStep = iota
	lookAgain
	retire
)

// idleStepLocked decides idleStep; p.mu is held. Go funcs left in the
// shards are a busy shard's: one that a submitter is filling or a worker
// draining. A spinner finds them, or wakes another worker for them once it
// has work (stopSpinning), so with one counted the others park rather than
// loop for them against their peers and the submitter: on 16 cores, with
// that loop, a million tiny Go funcs ran at 7.9-22.0 M jobs/s, against
// 18.7-23.2 M without (docs/performance.md).
// Once the pool is closed they look again instead: Close has woken the
// parked workers for the last time, and each must retire when the shards
// are empty.
func (p *Pool) idleStepLocked() idleStep {
	switch {
	case p.shardsNonEmpty():
		if p.nspin.Load() == 0 || p.closed {
			return lookAgain
		}
		return park
	case p.closed && p.pending == 0:
		return retire
	}
	return park
}

// runFunc runs a job submitted with Go.
func (w *worker) runFunc(fn func()) {
	p := w.p
	w.lastEnd = 0
	w.c.taken.Add(1)
	if p.aborting.Load() || p.ctxDone.Load() {
		w.c.cancelled.Add(1)
		p.emit(Event{Kind: EventCancelled, Err: errShutdownCancel}, nil)
		return
	}
	if p.obs != nil {
		p.emit(Event{Kind: EventStarted}, nil)
	}
	if p.stuckAfter > 0 {
		w.goStart.Store(p.now())
		defer w.goStart.Store(0)
	}
	if pe := w.callFunc(fn); pe != nil {
		w.c.failed.Add(1)
		w.c.panicked.Add(1)
		p.panicked(pe, nil)
		p.finishedFunc(Failed, pe)
		return
	}
	w.c.succeeded.Add(1)
	if p.obs != nil {
		p.finishedFunc(Succeeded, nil)
	}
}

// runHeld runs a func of a held batch. Success is tallied locally and
// published when the batch ends (clearHeld): until then Stats counts the
// batch as queued, which keeps two atomic writes off every tiny job. Rare
// outcomes are published at once.
func (w *worker) runHeld(fn func()) {
	p := w.p
	w.lastEnd = 0
	if p.aborting.Load() || p.ctxDone.Load() {
		w.c.taken.Add(1)
		w.c.cancelled.Add(1)
		return
	}
	if pe := w.callFunc(fn); pe != nil {
		w.c.taken.Add(1)
		w.c.failed.Add(1)
		w.c.panicked.Add(1)
		p.panicked(pe, nil)
		p.finishedFunc(Failed, pe)
		return
	}
	w.heldOK++
}

func (w *worker) callFunc(fn func()) (pe *PanicError) {
	defer func() {
		if v := recover(); v != nil {
			pe = newPanicError(v)
		}
	}()
	fn()
	return nil
}

func (w *worker) callJob(j *Job) (pe *PanicError, err error) {
	defer func() {
		if v := recover(); v != nil {
			pe = newPanicError(v)
			err = pe
		}
	}()
	ctx := j.attemptCtx()
	if w.p.labels || trace.IsEnabled() {
		var end func()
		ctx, end = w.instrument(ctx, j)
		defer end()
	}
	return nil, j.fn(ctx)
}

// instrument sets the job's profiler labels and opens its trace task.
func (w *worker) instrument(ctx context.Context, j *Job) (context.Context, func()) {
	var task *trace.Task
	if trace.IsEnabled() {
		ctx, task = trace.NewTask(ctx, "pool.job")
		trace.Logf(ctx, "job", "id=%d name=%s priority=%s", j.ID(), j.Name(), j.prio())
	}
	if w.p.labels {
		ctx = pprof.WithLabels(ctx, pprof.Labels("pool", w.p.name, "job", j.Name(), "priority", j.prio().String()))
		pprof.SetGoroutineLabels(ctx)
	}
	return ctx, func() {
		if w.p.labels {
			pprof.SetGoroutineLabels(context.Background())
		}
		if task != nil {
			task.End()
		}
	}
}

// running returns the handled job w is running, or nil.
func (w *worker) running() *Job {
	if j := w.cur.Load(); j != nil && j.State() == Running {
		return j
	}
	return nil
}

// forgetJob lets the job w ran last go, so that a run of Go funcs or a
// wait does not keep it, its function and its context alive.
func (w *worker) forgetJob() {
	if w.cur.Load() != nil {
		w.cur.Store(nil)
	}
}

// runJob runs a job with a handle, deciding its one terminal state.
func (w *worker) runJob(j *Job) {
	p := w.p // popLocked moved j to Running
	w.c.taken.Add(1)
	queued := j.queued()
	start := w.lastEnd
	if start < queued { // no job just ended, or it ended before j was queued
		start = p.now()
	}
	w.lastEnd = 0
	wait := start - queued
	w.c.wait[j.prio().level()].observe(wait)

	// A job whose context ended before it started never runs.
	if err := w.preflight(j); err != nil {
		w.c.cancelled.Add(1)
		j.complete(Cancelled, err)
		p.finished(j, Cancelled, err)
		return
	}
	j.setStarted(start, queued)
	if j.ext != nil && j.ext.retry != nil {
		j.ext.mu.Lock()
		j.ext.attempts++
		j.ext.mu.Unlock()
	}
	w.cur.Store(j)
	if p.aborting.Load() {
		j.cancelRun(errShutdownCancel)
	} else if p.ctx.Err() != nil {
		j.cancelRun(context.Cause(p.ctx))
	}
	j.arm()
	if p.obs != nil || p.log != nil {
		p.started(j, wait)
	}
	var pe *PanicError
	var err error
	if b := j.breaker(); b == nil {
		pe, err = w.callJob(j)
	} else if done, open := b.Allow(); open != nil {
		err = open // fail fast: the function does not run
	} else {
		pe, err = w.callJob(j)
		if pe != nil {
			done(pe)
		} else {
			done(err)
		}
	}

	state := Succeeded
	cause := j.runCause() // before disarm ends the context itself
	switch {
	case pe != nil:
		state = Failed
		w.c.panicked.Add(1)
		p.panicked(pe, j)
	case err != nil:
		state = Failed
		if cause != nil && isCtxErr(err) {
			if cause == errTimeout {
				if !errors.Is(err, errTimeout) { // the function returned ctx.Err()
					err = errors.Join(err, errTimeout)
				}
			} else {
				state = Cancelled
				if cause != context.Canceled && !errors.Is(err, cause) {
					err = errors.Join(cause, err)
				}
			}
		}
	}
	j.disarm()
	end := p.now()
	w.c.run.observe(end - start)
	w.setPace(max(1, end-start))
	// A retry is for failures, not for attempts someone cancelled.
	if state == Failed && pe == nil && (cause == nil || cause == errTimeout) && j.ext != nil && j.ext.retry != nil {
		w.cur.Store(nil) // before another worker can take j again
		if w.retry(j, err) {
			return
		}
	}
	switch state {
	case Succeeded:
		w.c.succeeded.Add(1)
	case Failed:
		w.c.failed.Add(1)
	case Cancelled:
		w.c.cancelled.Add(1)
	}
	j.completeAt(state, err, end)
	p.finished(j, state, err)
	w.lastEnd = end
}

// retry decides whether a failed attempt of j gets another, and if so parks
// j, Pending, until it is due.
func (w *worker) retry(j *Job, err error) bool {
	p := w.p
	if j.ext == nil || j.ext.retry == nil || p.aborting.Load() || j.parentCtx().Err() != nil {
		return false
	}
	j.ext.mu.Lock()
	j.ext.errs = append(j.ext.errs, err)
	attempt := j.ext.attempts
	j.ext.mu.Unlock()
	delay, ok := j.ext.retry.Next(attempt, err)
	if !ok {
		return false
	}
	// The next attempt gets a fresh context; the ended one stays ended for
	// anyone who kept it.
	j.curRun().cancel(context.Canceled) // even if it was never looked at
	j.ext.attempt.Store(&runState{job: j})
	w.c.retried.Add(1)
	if !j.casState(Running, Pending) {
		return false // cannot happen: only the worker moves a running job
	}
	if p.obs != nil || p.log != nil {
		p.retrying(j, err, delay)
	}
	p.scheduleRetry(j, delay)
	return true
}

// preflight returns the cancellation error of a job that must not start.
func (w *worker) preflight(j *Job) error {
	if w.p.aborting.Load() {
		return errShutdownCancel
	}
	if rs := j.curRunIfAny(); rs != nil && rs.errValue() != nil {
		return rs.cause // Cancel reached the job between the queue and here
	}
	if rs := j.run.Load(); rs != nil && rs.parent != nil && rs.parent.Err() != nil {
		return context.Cause(rs.parent)
	}
	if w.p.ctx.Err() != nil {
		return context.Cause(w.p.ctx)
	}
	return nil
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
