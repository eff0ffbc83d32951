package pool

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
)

// This file keeps a job that waits inside its own pool from deadlocking it.
// A worker whose job blocks in a submit on a full queue, or waits for jobs
// of the same pool (Job.Wait, Group.Wait, Map), would hold the very worker
// those jobs need: with one worker, for ever. Such a worker helps instead,
// as ForkJoinPool's join does: its submits are admitted past the bound,
// and while it waits it runs the pool's queued work itself, highest
// priority first, as it would from its loop. The waiting job does not run
// meanwhile, so no more jobs run at once than there are workers, and every
// job it runs is counted as if the worker had taken it.

// goid returns the current goroutine's ID, read from its stack trace: about
// 2 µs, paid by a worker once (noteGoid) and by a waiter or submitter only
// when it would block.
func goid() uint64 {
	var buf [64]byte
	b := bytes.TrimPrefix(buf[:runtime.Stack(buf[:], false)], []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// noteGoid records the goroutine of w, at its first item: an idle pool's
// New and Close never pay for it.
//
//go:noinline
func (w *worker) noteGoid() { w.gid.Store(goid()) }

// callerWorker returns the worker of p whose goroutine is the caller, or
// nil when the caller is none of p's workers.
func (p *Pool) callerWorker() *worker {
	id := goid()
	for _, w := range p.allWorkers() {
		if w.gid.Load() == id {
			return w
		}
	}
	return nil
}

// helpWait is Job.Wait for a worker of j's pool: until j is terminal or
// ctx ends, w runs queued work of the pool, and blocks only when none is
// queued. The job w was running stays w's: Shutdown cancels it, Stats
// count it running.
func (w *worker) helpWait(j *Job, ctx context.Context) error {
	p := w.p
	outer := w.cur.Load()
	last := w.lastEnd
	w.lastEnd = 0
	defer func() {
		w.cur.Store(outer)
		w.lastEnd = last
		if outer != nil && outer.State() == Running {
			// A cancel for the pool reached the jobs w ran meanwhile.
			if p.aborting.Load() {
				outer.cancelRun(errShutdownCancel)
			} else if p.ctxDone.Load() {
				outer.cancelRun(context.Cause(p.ctx))
			}
		}
	}()
	for !j.State().Terminal() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if it := w.nextHeld(); it.p != nil {
			w.runHelped(it, true)
			continue
		}
		if it, ok := w.tryTake(); ok {
			w.runHelped(it, false)
			continue
		}
		if err := w.waitForWork(j, ctx); err != nil {
			return err
		}
	}
	j.settled()
	return j.errValue()
}

// runHelped runs an item w took while helping, as loop would.
func (w *worker) runHelped(it item, held bool) {
	j := it.job()
	switch {
	case j != nil && held && !j.casState(Queued, Running):
		w.skipGhost(j)
	case j != nil:
		w.runJob(j)
	case held && w.p.obs == nil && w.p.stuckAfter == 0:
		w.forgetJob()
		w.runHeld(it.fn())
	default:
		w.forgetJob()
		w.runFunc(it.fn())
	}
	w.lastEnd = 0
}

// tryTake is take without parking: the next item by priority, or false.
func (w *worker) tryTake() (item, bool) {
	p := w.p
	if p.shards != nil {
		w.pace()
		if top := int(p.topHint.Load()); top >= Normal.level() {
			p.mu.Lock()
			it, ok := p.popLocked(w)
			p.mu.Unlock()
			if ok {
				return it, true
			}
		}
		if it, ok := w.grab(); ok {
			return it, true
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for w.waitToken() {
	}
	it, ok := p.popLocked(w)
	if ok {
		w.token = false
	}
	return it, ok
}

// waitForWork blocks a helping worker until j is terminal, ctx ends, or a
// submit or promotion queues work (wakeHelpersLocked).
func (w *worker) waitForWork(j *Job, ctx context.Context) error {
	p := w.p
	done := j.Done()
	p.mu.Lock()
	// Count in nhelp, then look at the shards: a submitter fills a shard,
	// then reads nhelp (pushShard). Either it sees us, or we see its item.
	w.helpIdle = true
	p.nhelp.Add(1)
	// Not queued less ghosts: held ghosts would hide live items.
	// Items left in the ring are ghosts at worst, which a look removes.
	if p.top >= 0 || p.shardsNonEmpty() {
		w.helpIdle = false
		p.nhelp.Add(-1)
		p.mu.Unlock()
		return nil // work came while we looked
	}
	p.mu.Unlock()
	w.forgetJob()
	var err error
	woken := false
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	case <-w.wake:
		woken = true
	}
	p.mu.Lock()
	if w.helpIdle {
		w.helpIdle = false
		p.nhelp.Add(-1)
	} else if !woken {
		<-w.wake // sent as we stopped waiting
	}
	p.mu.Unlock()
	return err
}

// wakeHelpersLocked wakes every helping worker blocked for want of work,
// now that some is queued; p.mu is held. Each looks again; waking all of
// them means none is left asleep beside work another did not take.
func (p *Pool) wakeHelpersLocked() {
	for _, w := range p.allWorkers() {
		if w.helpIdle {
			w.helpIdle = false
			p.nhelp.Add(-1)
			w.wake <- struct{}{} // free: w is neither parked nor woken
		}
	}
}

// wakeHelpers is wakeHelpersLocked for a submitter holding no lock.
func (p *Pool) wakeHelpers() {
	p.mu.Lock()
	p.wakeHelpersLocked()
	p.mu.Unlock()
}
