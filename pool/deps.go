package pool

import (
	"fmt"
	"time"
)

// DependencyError is the error of a job Skipped because a job it depends on
// did not succeed. It unwraps to that job's error.
type DependencyError struct {
	// ID, Name and State describe the dependency that did not succeed.
	ID    uint64
	Name  string
	State State
	// Err is the dependency's error.
	Err error
}

// Error names the dependency and how it ended.
func (e *DependencyError) Error() string {
	name := e.Name
	if name == "" {
		name = fmt.Sprintf("job %d", e.ID)
	}
	return fmt.Sprintf("pool: skipped: dependency %s %s: %v", name, e.State, e.Err)
}

// Unwrap returns the dependency's error.
func (e *DependencyError) Unwrap() error { return e.Err }

// admitPending accepts j as Pending (for its dependencies) and wires its
// dependencies' completion to it. The caller holds no lock.
func (p *Pool) admitPending(j *Job) error {
	p.mu.Lock()
	if p.closed {
		p.rejected++
		p.mu.Unlock()
		return ErrClosed
	}
	p.submitted++
	p.pending++
	p.pendingJobs[j] = nil
	if p.obs != nil {
		p.emitSubmitted(jobItem(j), j.prio().level())
	}
	p.mu.Unlock()
	j.ext.waiting.Store(int32(len(j.ext.deps)))
	for _, d := range j.ext.deps {
		d.whenDone(func(d *Job) { p.depDone(j, d) })
	}
	return nil
}

// depDone is told that d, one of j's dependencies, is terminal.
func (p *Pool) depDone(j *Job, d *Job) {
	if s := d.State(); s != Succeeded {
		if j.casState(Pending, Skipped) {
			err := &DependencyError{ID: d.ID(), Name: d.Name(), State: s, Err: d.Err()}
			p.skipped.Add(1)
			j.complete(Skipped, err)
			p.finished(j, Skipped, err)
			p.settlePending(j) // last: Close and Wait may return once it is settled
		}
		return
	}
	if j.ext.waiting.Add(-1) == 0 {
		p.promote(j)
	}
}

// promote queues a pending job whose wait is over: its dependencies all
// succeeded, or its retry delay passed. It bypasses the bound and the closed
// check: the job was accepted long ago.
func (p *Pool) promote(j *Job) {
	p.mu.Lock()
	if _, ok := p.pendingJobs[j]; !ok {
		p.mu.Unlock() // cancelled or swept by Shutdown meanwhile
		return
	}
	delete(p.pendingJobs, j)
	p.pending--
	p.wakeForExitLocked()
	if !j.casState(Pending, Queued) {
		p.notifyIdleLocked()
		p.closeExitedLocked()
		p.mu.Unlock()
		return
	}
	j.requeued(p.now())
	p.pushLocked(jobItem(j), j.prio().level(), false)
}

// settlePending forgets a pending job that ended without being queued.
func (p *Pool) settlePending(j *Job) {
	p.mu.Lock()
	if t, ok := p.pendingJobs[j]; ok {
		delete(p.pendingJobs, j)
		p.pending--
		if t != nil {
			t.Stop()
		}
		p.wakeForExitLocked()
		p.notifyIdleLocked()
		p.closeExitedLocked()
	}
	p.mu.Unlock()
}

// wakeForExitLocked wakes parked workers of a closed pool once nothing is
// pending, so that they see there is nothing left and return.
func (p *Pool) wakeForExitLocked() {
	if !p.closed || p.pending > 0 {
		return
	}
	for _, w := range p.idle {
		p.active++
		w.wake <- struct{}{}
	}
	p.idle = p.idle[:0]
	p.nidle.Store(0)
}

// scheduleRetry parks j, Pending, until its next attempt is due.
func (p *Pool) scheduleRetry(j *Job, delay time.Duration) {
	p.mu.Lock()
	if p.aborting.Load() {
		// Shutdown swept the pending jobs already: this one ends with them.
		ok := j.casState(Pending, Cancelled)
		p.mu.Unlock()
		if ok {
			p.cancelled.Add(1)
			j.complete(Cancelled, errShutdownCancel)
			p.finished(j, Cancelled, errShutdownCancel)
		}
		return
	}
	// The state is read under the lock: a Cancel that took j out of
	// Pending before this point found nothing to settle, so j must not be
	// parked; one after it finds j parked and settles it. Read after
	// unlocking, as it once was, the state could already be the next
	// attempt's (the timer fired, another worker ran that attempt and
	// parked it again), and settling on it forgot a parked job: TestStress
	// found such a job left Pending after Close.
	if j.State() != Pending {
		p.mu.Unlock()
		return
	}
	p.pending++
	p.pendingJobs[j] = time.AfterFunc(delay, func() { p.promote(j) })
	p.mu.Unlock()
}
