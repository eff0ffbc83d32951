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
// grew: if it is idle, it arms the trim timer. p.mu is held.
func (p *Pool) idleTrimLocked() {
	if p.closed || !p.idleLocked() {
		return
	}
	p.idleFrom = p.now()
	if p.trimArmed {
		return // trimIdle sees the later start and waits the rest
	}
	p.trimArmed = true
	if p.trimTimer == nil {
		p.trimTimer = time.AfterFunc(p.trimAfter(), p.trimIdle)
	} else {
		p.trimTimer.Reset(p.trimAfter())
	}
}

// trimIdle runs on the trim timer: if the pool has stayed idle for its trim
// interval, every queue lets go of its empty segments beyond trimKeep. A pool
// busy again is left alone; it arms the timer again when it next goes idle.
func (p *Pool) trimIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trimArmed = false
	if p.closed || !p.grown.Load() || !p.idleLocked() {
		return
	}
	if left := p.trimAfter() - time.Duration(p.now()-p.idleFrom); left > 0 {
		p.trimArmed = true
		p.trimTimer.Reset(left)
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
