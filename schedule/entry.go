package schedule

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// kind tells which call made an entry.
type kind uint8

const (
	kindOnce kind = iota // After, At
	kindEvery
	kindCron
)

// Entry is the handle of one scheduled function. Its methods are safe for
// concurrent use; they take the scheduler's lock briefly and never wait for a
// run. An Entry is made by After, At, Every or Cron; the zero Entry is not
// usable.
//
// An entry ends when it will never fire again and no run of it is in
// progress: after its last firing and that run's retries, after Cancel and
// the runs then in progress, when its pool closes, or at Scheduler.Close
// (which does not wait for runs). Done closes then. A run is over when its
// function returns or when the pool ends its job unrun (dropped under
// DropOldest, cancelled by Shutdown), each of the runs in flight at once
// under AllowOverlap included; the scheduler notices an unrun job within a
// second.
//
// A waiting Entry costs about 170 bytes of heap, its heap slot included
// (BenchmarkMemory, a million entries).
type Entry struct {
	s      *Scheduler
	fn     func(context.Context) error
	cfg    *config       // nil when no option was given
	sched  cron.Schedule // Cron only
	period int64         // Every only, in nanoseconds
	id     uint64

	key     int64 // heap key: the earliest of fireAt, retryAt and a recheck
	due     int64 // the next firing before jitter, or never
	fireAt  int64 // due plus jitter, or never
	retryAt int64 // when a waiting retry is due, or never
	lastRun int64 // when the last run was submitted; valid when runs > 0

	live    *attempt // runs submitted and not yet settled, newest first
	lastErr error
	done    chan struct{} // made on first Done call

	index    int32  // in the heap, -1 when out
	inflight int32  // runs submitted and not yet finished
	attempt  int32  // attempt number of the latest run (1 = first)
	runs     uint32 // runs submitted, retries not counted
	kind     kind
	outcome  Outcome
	queued   bool // QueueOne: a firing waits for the run in progress
	ended    bool
	cancel   bool // Cancel was called
}

// closedChan is returned by Done for entries that ended before Done was asked.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// ID returns the entry's identifier, unique within its scheduler and
// increasing in creation order.
func (e *Entry) ID() uint64 { return e.id }

// Next returns when the entry fires next (jitter included, or a waiting
// retry if that comes first), or the zero time if no firing is scheduled:
// it ended, or it is a FixedDelay entry waiting for its run to finish.
func (e *Entry) Next() time.Time {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	next := min(e.fireAt, e.retryAt)
	if e.ended || next == never {
		return time.Time{}
	}
	return e.s.timeOf(next)
}

// LastRun returns when the latest run was submitted to the pool, or the zero
// time if none was.
func (e *Entry) LastRun() time.Time {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	if e.runs == 0 && e.attempt == 0 {
		return time.Time{}
	}
	return e.s.timeOf(e.lastRun)
}

// LastErr returns the error of the latest outcome: the function's error for
// Failed (or a *PanicError), the context's for Cancelled, the pool's error
// for Rejected (pool.ErrQueueFull or pool.ErrClosed), the failed attempt's
// while Retrying, and nil otherwise.
func (e *Entry) LastErr() error {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	return e.lastErr
}

// Outcome returns the latest outcome: of the latest finished run, or of the
// latest firing that was Skipped, Rejected or Missed. It is None until the
// entry first fires.
func (e *Entry) Outcome() Outcome {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	return e.outcome
}

// Runs returns how many runs the entry submitted to the pool, retries not
// counted.
func (e *Entry) Runs() int {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	return int(e.runs)
}

// Done returns a channel closed when the entry has ended (see Entry). It is
// safe from many goroutines and returns the same channel each time.
func (e *Entry) Done() <-chan struct{} {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	if e.done == nil {
		if e.ended {
			return closedChan
		}
		e.done = make(chan struct{})
	}
	return e.done
}

// Cancel stops the entry from firing again and reports whether that
// prevented a firing or a retry that was scheduled, like time.Timer.Stop: it
// returns true for a one-shot entry that has not fired, and false once it
// has, for an entry already cancelled or ended, and after Scheduler.Close.
// Cancel never waits and does not cancel a run already submitted: the entry
// ends, and Done closes, when that run finishes. Repeated calls return false.
func (e *Entry) Cancel() bool {
	s := e.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ended || e.cancel {
		return false
	}
	e.cancel = true
	prevented := e.due != never || e.retryAt != never || e.queued ||
		(e.kind == kindEvery && e.cfg != nil && e.cfg.spacing == FixedDelay && e.runsLeft())
	e.due, e.fireAt, e.retryAt, e.queued = never, never, never, false
	s.reschedule(e, s.now())
	return prevented
}

// finish marks e ended and closes Done. The caller holds the lock and has
// taken e out of the heap.
func (e *Entry) finish() {
	if e.ended {
		return
	}
	e.ended = true
	if e.done != nil {
		close(e.done)
	}
}

// bound returns due, or never when bounds or MaxRuns forbid it.
func (e *Entry) bound(due int64) int64 {
	c := e.cfg
	if due == never || c == nil {
		return due
	}
	if !e.runsLeft() {
		return never
	}
	if !c.end.IsZero() && due > e.s.keyOf(c.end) {
		return never
	}
	return due
}

// runsLeft reports whether MaxRuns allows another run.
func (e *Entry) runsLeft() bool {
	return e.cfg == nil || e.cfg.maxRuns == 0 || int(e.runs) < e.cfg.maxRuns
}

// setFire sets due and draws the jitter for it.
func (e *Entry) setFire(due int64) {
	e.due, e.fireAt = due, due
	if due != never && e.cfg != nil && e.cfg.jitter > 0 {
		e.fireAt = addKey(due, rand.Int64N(int64(e.cfg.jitter)))
	}
}
