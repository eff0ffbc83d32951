package pool

import "time"

// After a burst the queues hold empty segments of 128 slots (1 KiB each)
// for reuse, enough for the longest backlog they have held: 8 MB after a
// million queued jobs. A pool that stays idle for its trim interval lets go
// of all but trimKeep of them in each queue, so a long-lived pool that saw
// one burst does not carry it for good, while one that fills and drains
// often keeps reusing its segments.
const (
	// trimKeep is how many empty segments each queue keeps: 1,024 slots.
	trimKeep = 8
	// trimAbove is the queue length past which a queue may hold more
	// empty segments than trimKeep once it drains.
	trimAbove = (trimKeep + 1) * 128
	// trimAfterDefault is the trim interval of a pool without
	// WithIdleTimeout.
	trimAfterDefault = 10 * time.Second
)

// noteLen marks the pool as worth trimming once idle when a queue grows past
// trimAbove. It is on the push path: one compare, and a store only the first
// time.
func (p *Pool) noteLen(n int) {
	if n > trimAbove && !p.grown.Load() {
		p.grown.Store(true)
	}
}

// trimAfter is how long the pool must stay idle before it trims.
func (p *Pool) trimAfter() time.Duration {
	if p.idleAfter > 0 {
		return p.idleAfter
	}
	return trimAfterDefault
}

// idleTrimLocked notes that the pool may have gone idle, with queues that
// grew: if it is idle and the trim timer is not set, it sets it, marking how
// many jobs the pool has taken so far. A worker that parks while the timer
// is set pays one test. p.mu is held.
func (p *Pool) idleTrimLocked() {
	if p.trimArmed || p.closed || !p.idleLocked() {
		return
	}
	p.trimArmed = true
	p.trimMark = p.takenLocked()
	if p.trimTimer == nil {
		p.trimTimer = time.AfterFunc(p.trimAfter(), p.trimIdle)
	} else {
		p.trimTimer.Reset(p.trimAfter())
	}
}

// takenLocked returns how many jobs and funcs the pool has taken in, on the
// locked queues and the shards. p.mu is held; it takes each shard's lock.
func (p *Pool) takenLocked() uint64 {
	n := p.submitted
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		n += s.pushed
		s.mu.Unlock()
	}
	return n
}

// trimIdle runs on the trim timer. If the pool is idle and took nothing in
// since the timer was set, so it has stayed idle for its trim interval,
// every queue lets go of its empty segments beyond trimKeep. If it took
// something in, the timer is set again for a whole interval; if it is busy,
// the next worker to park in an idle pool sets it. So the trim comes between
// one and two intervals after the pool last went idle.
func (p *Pool) trimIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trimArmed = false
	if p.closed || !p.grown.Load() || !p.idleLocked() {
		return
	}
	if taken := p.takenLocked(); taken != p.trimMark {
		p.trimArmed, p.trimMark = true, taken
		p.trimTimer.Reset(p.trimAfter())
		return
	}
	p.grown.Store(false) // before the trim: a push past trimAbove from now on marks it again
	for i := range p.levels {
		p.levels[i].Trim(trimKeep)
	}
	for i := range p.shards { // p.mu may be held while a shard's is taken
		s := &p.shards[i]
		s.mu.Lock()
		s.q.Trim(trimKeep)
		s.mu.Unlock()
	}
}
