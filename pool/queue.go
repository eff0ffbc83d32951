package pool

import (
	"context"
)

// enqueue admits it at level lvl, applying the full-queue policy. ctx is the
// submitter's context (Background for Go): Block waits on it. On success the job, if
// any, has its ID and is Queued.
func (p *Pool) enqueue(ctx context.Context, it item, lvl int, block bool) error {
	if !p.mu.TryLock() { // inline: the uncontended submit pays no call
		p.lockSubmit()
	}
	// Whether the caller was checked for a worker of p, and was one.
	looked, mine := false, false
	for {
		if p.closed {
			p.rejected++
			p.mu.Unlock()
			return ErrClosed
		}
		if p.capacity == 0 || p.queued-p.ghostCount() < p.capacity {
			break
		}
		if p.policy == DropOldest {
			return p.dropOldestLocked(it, lvl)
		}
		if !block || p.policy == Reject {
			p.rejected++
			p.mu.Unlock()
			return ErrQueueFull
		}
		if mine || p.ownJob(ctx) {
			break // a job submitting to its own pool: admit past the bound
		}
		if !looked {
			// Go, or Submit with another context, from a job of the
			// pool: its worker may be the one to free the slot. Look
			// unlocked, then at the queue again.
			p.mu.Unlock()
			mine, looked = p.callerWorker() != nil, true
			p.mu.Lock()
			continue
		}
		if err := p.waitSpaceLocked(ctx); err != nil {
			p.rejected++
			p.mu.Unlock()
			return err
		}
	}
	p.pushLocked(it, lvl, true)
	return nil
}

// lockSubmit takes p.mu for a submit that found it held. When no other
// submitter waits, the holder is most likely a worker taking a batch, or a
// submitter pushing, each for a moment: the submitter then spins for it
// rather than sleep.
// sync.Mutex would not spin while the submitter's P has a goroutine waiting
// (typically the worker it has just woken), and a sleeping submitter is
// woken onto the unlocking worker's P, where it waits behind that worker
// while its own P runs the other (docs/performance.md has the figures).
// Submitters that find others waiting queue on the mutex as before: their
// spinning would only delay each other.
func (p *Pool) lockSubmit() {
	if p.subWait.Add(1) == 1 && p.spinSubmit {
		for range submitSpins {
			pause(30)
			if p.mu.TryLock() {
				p.subWait.Add(-1)
				return
			}
		}
	}
	p.mu.Lock()
	p.subWait.Add(-1)
}

// pushLocked appends it, counts it as submitted if fresh (not a pending job
// coming due), wakes a parked worker and unlocks p.mu.
func (p *Pool) pushLocked(it item, lvl int, fresh bool) {
	if fresh {
		p.submitted++
	}
	p.levels[lvl].PushBack(it)
	p.noteLen(p.levels[lvl].Len())
	p.queued++
	if lvl > p.top {
		p.setTopLocked(lvl)
	}
	w := p.popIdleLocked()
	if w == nil && p.nhelp.Load() > 0 {
		p.wakeHelpersLocked() // a worker waiting in a job can run it
	} else if w == nil && p.live < p.max {
		p.spawnLocked() // adaptive: no job waits while a worker could be added
	}
	if fresh && p.obs != nil {
		// Under the lock, so no worker can report the job started first.
		p.emitSubmitted(it, lvl)
	}
	p.mu.Unlock()
	if w != nil {
		w.wake <- struct{}{}
	}
}

// waitSpaceLocked waits, with p.mu held on entry and exit, until a worker
// takes a job or the pool closes; it returns ctx's error if ctx ends first.
func (p *Pool) waitSpaceLocked(ctx context.Context) error {
	c := make(chan struct{}, 1)
	p.spaceWait = append(p.spaceWait, c)
	p.mu.Unlock()
	select {
	case <-c:
		p.mu.Lock()
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		for i, w := range p.spaceWait {
			if w == c {
				p.spaceWait = append(p.spaceWait[:i], p.spaceWait[i+1:]...)
				return ctx.Err()
			}
		}
		// Our slot was signalled as ctx ended: pass it on.
		p.signalSpaceLocked()
		return ctx.Err()
	}
}

// signalSpaceLocked wakes the longest-waiting blocked submitter.
func (p *Pool) signalSpaceLocked() {
	if len(p.spaceWait) > 0 {
		c := p.spaceWait[0]
		p.spaceWait = p.spaceWait[1:]
		c <- struct{}{}
	}
}

// dropOldestLocked admits it into a full queue by evicting the oldest job of
// the lowest non-empty level, or it itself when its level is lower still.
// Ghosts met on the way are discarded: they are no victims. It unlocks p.mu.
func (p *Pool) dropOldestLocked(it item, lvl int) error {
	for low := 0; low < numLevels; low++ {
		q := &p.levels[low]
		for q.Len() > 0 && low <= lvl {
			victim, _ := q.PopFront()
			p.queued--
			if q.Len() == 0 {
				p.fixTopLocked()
			}
			if j := victim.job(); j != nil && !p.cancelQueuedLocked(j) {
				if p.queued-p.ghostCount() < p.capacity {
					p.pushLocked(it, lvl, true) // a ghost made room
					return nil
				}
				continue
			}
			p.pushLocked(it, lvl, true) // unlocks
			p.dropped(victim)
			return nil
		}
		if q.Len() > 0 {
			break // the lowest live level ranks above the newcomer
		}
	}
	// The newcomer ranks below everything queued: it is the one dropped.
	p.submitted++
	if j := it.job(); j != nil {
		p.cancelQueuedLocked(j)
	}
	if p.obs != nil {
		p.emitSubmitted(it, lvl)
	}
	p.mu.Unlock()
	p.dropped(it)
	return nil
}

// popLocked removes the oldest live item of the highest non-empty level; a
// job it returns is already Running. When the item is a Go func and more of
// them follow it, it also moves up to p.batch-1 of them into w's held batch,
// so that a busy worker takes the lock once per batch instead of once per
// job. Batches take a share of the level small enough (a quarter of it over
// the workers) that the tail of a queue still spreads across workers.
func (p *Pool) popLocked(w *worker) (item, bool) {
	for p.top >= 0 {
		lvl := p.top
		q := &p.levels[lvl]
		it, _ := q.PopFront()
		p.queued--
		if len(p.spaceWait) > 0 {
			p.signalSpaceLocked()
		}
		if j := it.job(); j != nil {
			if !j.casState(Queued, Running) {
				p.ghosts[lvl]-- // cancelled while queued: already completed
				if q.Len() == 0 {
					p.fixTopLocked()
				}
				continue
			}
			// Short jobs come in batches too, sized by how long the
			// worker's last job ran (setPace).
			if p.batch > 1 && w.batchCap > 1 {
				if k := min(p.batch-1, w.batchCap-1, q.Len()/(4*p.live)); k > 0 {
					w.hold(q, k, lvl, true)
					p.queued -= w.heldN
				}
			}
		} else if p.batch > 1 {
			if k := min(p.batch-1, q.Len()/(4*p.live)); k > 0 {
				w.hold(q, k, lvl, false)
				p.queued -= w.heldN
			}
		}
		if q.Len() == 0 {
			p.fixTopLocked()
		}
		return it, true
	}
	return item{}, false
}

func (p *Pool) fixTopLocked() {
	top := numLevels - 1
	for top >= 0 && p.levels[top].Len() == 0 {
		top--
	}
	p.setTopLocked(top)
}

func (p *Pool) setTopLocked(top int) {
	if top != p.top {
		p.top = top
		p.topHint.Store(int32(top))
	}
}

// unholdLocked puts a worker's unrun batch back at the front of its level,
// in order, when a higher level has work.
func (p *Pool) unholdLocked(w *worker) {
	lvl := int(w.heldLvl.Load())
	q := &p.levels[lvl]
	for i := w.heldN - 1; i >= w.heldI; i-- {
		q.PushFront(w.held[i]) // a ghost among them goes back counted as one
		w.held[i] = item{}
	}
	p.queued += w.heldN - w.heldI
	if lvl > p.top {
		p.setTopLocked(lvl)
	}
	w.clearHeld()
}

func (p *Pool) ghostCount() int {
	n := 0
	for _, g := range p.ghosts {
		n += g
	}
	return n
}

// cancelQueued moves a queued job to Cancelled at the user's request. It
// reports false if the job was no longer Queued.
func (p *Pool) cancelQueued(j *Job) bool {
	p.mu.Lock()
	if !j.casState(Queued, Cancelled) {
		p.mu.Unlock()
		return false
	}
	// It stays in the queue, or in a worker's batch, until a worker
	// passes it.
	p.ghosts[j.prio().level()]++
	p.cancelled.Add(1)
	p.signalSpaceLocked() // the ghost freed a slot of a bounded queue
	p.wakeTokenWaitersLocked()
	p.mu.Unlock()
	j.complete(Cancelled, context.Canceled)
	p.finished(j, Cancelled, context.Canceled)
	return true
}

// submitSpins is how many times lockSubmit tries the lock, about 1 µs in
// all: longer than any worker holds it without being descheduled.
const submitSpins = 64

// pause spins about n cycles without touching memory.
//
//go:noinline
func pause(n int) {
	for range n {
	}
}
