package pool

import (
	"context"
)

// enqueue admits it at level lvl, applying the full-queue policy. ctx is the
// submitter's context (Background for Go): Block waits on it. On success the job, if
// any, has its ID and is Queued.
func (p *Pool) enqueue(ctx context.Context, it item, lvl int, block bool) error {
	p.mu.Lock()
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
		if p.ownJob(ctx) {
			break // a job submitting to its own pool: admit past the bound
		}
		if err := p.waitSpaceLocked(ctx); err != nil {
			p.rejected++
			p.mu.Unlock()
			return err
		}
	}
	p.pushLocked(it, lvl)
	return nil
}

// pushLocked appends it, counts it, wakes a parked worker and unlocks p.mu.
func (p *Pool) pushLocked(it item, lvl int) {
	p.submitted++
	if it.job != nil {
		it.job.id = p.submitted
	}
	p.levels[lvl].PushBack(it)
	p.queued++
	if lvl > p.top {
		p.top = lvl
	}
	var w *worker
	if n := len(p.idle); n > 0 {
		w = p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.active++
	}
	p.mu.Unlock()
	if p.obs != nil {
		p.emitSubmitted(it, lvl)
	}
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
// the lowest non-empty level, or it itself when its level is lower still. It
// unlocks p.mu.
func (p *Pool) dropOldestLocked(it item, lvl int) error {
	low := 0
	for low < numLevels && p.levels[low].Len() == 0 {
		low++
	}
	if low > lvl || low == numLevels {
		// The newcomer ranks below everything queued: it is the one dropped.
		p.submitted++
		if it.job != nil {
			it.job.id = p.submitted
		}
		p.mu.Unlock()
		if p.obs != nil {
			p.emitSubmitted(it, lvl)
		}
		p.cancelQueued(it, errDroppedCancel)
		return nil
	}
	victim, _ := p.levels[low].PopFront()
	p.queued--
	p.fixTopLocked()
	p.pushLocked(it, lvl) // unlocks
	p.cancelQueued(victim, errDroppedCancel)
	return nil
}

// popLocked removes the oldest item of the highest non-empty level.
func (p *Pool) popLocked() (item, bool) {
	if p.top < 0 {
		return item{}, false
	}
	it, _ := p.levels[p.top].PopFront()
	p.queued--
	if p.levels[p.top].Len() == 0 {
		p.fixTopLocked()
	}
	if len(p.spaceWait) > 0 {
		p.signalSpaceLocked()
	}
	return it, true
}

func (p *Pool) fixTopLocked() {
	p.top = numLevels - 1
	for p.top >= 0 && p.levels[p.top].Len() == 0 {
		p.top--
	}
}

func (p *Pool) ghostCount() int {
	n := int64(0)
	for i := range p.ghosts {
		n += p.ghosts[i].Load()
	}
	return int(n)
}
