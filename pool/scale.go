package pool

import (
	"time"
)

// This file holds the worker lifecycle: starting workers (at New, on demand
// up to the maximum, on Resize) and retiring them (idle too long, above a
// lowered maximum, or at Close).

// spawnLocked starts one more worker, reusing the struct of a retired one so
// that its counters stay in Stats.
func (p *Pool) spawnLocked() {
	var w *worker
	all := p.allWorkers()
	for _, x := range all {
		if x.exited {
			w = x
			break
		}
	}
	if w == nil {
		w = &worker{p: p, wake: make(chan struct{}, 1), batchCap: 1}
		if len(p.shards) > 0 {
			w.home = len(all) % len(p.shards)
		}
		grown := append(all[:len(all):len(all)], w)
		p.workers.Store(&grown)
	}
	w.exited = false
	w.gid.Store(0) // a new goroutine
	p.live++
	p.active++
	p.scaled[0]++
	go w.loop()
	if p.obs != nil {
		p.emit(Event{Kind: EventWorkerStarted, Workers: p.live}, nil)
	}
}

// retireLocked accounts for w leaving: the caller returns from w's loop.
func (p *Pool) retireLocked(w *worker) {
	w.exited = true
	p.live--
	p.active--
	p.scaled[1]++
	if p.obs != nil {
		// Before exited closes: nothing reaches the observer after Close.
		p.emit(Event{Kind: EventWorkerStopped, Workers: p.live}, nil)
	}
	p.notifyIdleLocked()
	p.closeExitedLocked()
}

// closeExitedLocked closes exited once the pool is closed and no worker is
// left, whether they left at Close or had all retired before it.
func (p *Pool) closeExitedLocked() {
	if p.closed && p.live == 0 && p.pending == 0 && !p.exitDone {
		p.exitDone = true
		if p.stopWatch != nil {
			p.stopWatch()
		}
		close(p.exited)
	}
}

// parkLocked parks w until a submit wakes it. It returns false when w should
// retire instead: it was idle for the idle timeout while more than the
// minimum ran. p.mu is held on entry and on return.
func (w *worker) parkLocked() bool {
	p := w.p
	w.forgetJob()
	p.idle = append(p.idle, w)
	p.nidle.Store(int32(len(p.idle)))
	p.active--
	if p.nspin.Load() == 0 && p.shardsNonEmpty() {
		// A Go func landed as w was about to park, and no worker spins to
		// find it: its submitter may have seen no idle worker, so w takes
		// it instead of sleeping on it. A spinner would find it, and wakes
		// another worker once it has work (stopSpinning).
		p.popIdleLocked()
		return true
	}
	p.notifyIdleLocked()
	if p.grown.Load() {
		p.idleTrimLocked()
	}
	if p.idleAfter == 0 || p.live <= p.min {
		p.mu.Unlock()
		<-w.wake
		p.mu.Lock()
		return true
	}
	p.mu.Unlock()
	if w.timer == nil {
		w.timer = time.NewTimer(p.idleAfter)
	} else {
		w.timer.Reset(p.idleAfter)
	}
	select {
	case <-w.wake:
		w.timer.Stop()
		p.mu.Lock()
		return true
	case <-w.timer.C:
	}
	p.mu.Lock()
	for i, x := range p.idle {
		if x == w {
			if p.live <= p.min || p.closed {
				break // keep waiting as a plain idle worker
			}
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.nidle.Store(int32(len(p.idle)))
			p.active++ // retireLocked takes it off again
			return false
		}
	}
	// A submit popped w off the idle list as the timer fired, or w must
	// stay: take the wake-up it sent, or wait for one.
	p.mu.Unlock()
	<-w.wake
	p.mu.Lock()
	return true
}

// Resize sets the number of workers to n: it starts workers at once if
// fewer run, and retires the surplus otherwise, idle ones at once and busy
// ones when their job ends. For an adaptive pool n becomes the maximum, and
// the minimum is lowered to n if it was higher. n < 1 is an error; so is a
// closed pool. Resize does not wait for retiring workers.
func (p *Pool) Resize(n int) error {
	if n < 1 {
		return invalidf("Resize(%d): must be >= 1", n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	fixed := p.min == p.max
	p.max = n
	if fixed || p.min > n {
		p.min = n
	}
	for p.live < n && (fixed || p.live < p.min || p.queued > 0) {
		p.spawnLocked()
	}
	// Wake surplus idle workers: they see live > max and retire.
	for surplus := p.live - n; surplus > 0; surplus-- {
		w := p.popIdleLocked()
		if w == nil {
			break
		}
		w.wake <- struct{}{}
	}
	return nil
}
