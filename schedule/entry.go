package schedule

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/pool"
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
// A waiting Entry costs about 120 bytes of heap, its heap slot included,
// for After, At and Every; a Cron entry adds its parsed spec (128 bytes),
// shared with the other entries of the same scheduler made from the same
// spec string (BenchmarkMemory, a million entries).
type Entry struct {
	s      *Scheduler
	fn     func(context.Context) error
	cfg    *config            // nil when no option was given; holds the rare state too
	spec   *cron.SpecSchedule // Cron only; nil for an @every spec, which uses period
	period int64              // Every and Cron @every, in nanoseconds
	id     uint64

	due     int64 // the next firing before jitter, or never
	lastRun int64 // when the last run was submitted; valid when runs > 0

	live    *attempt // runs submitted and not yet settled, newest first
	lastErr *error   // nil for none; else boxed (see setErr)

	index    int32  // the stamp of its heap slot (>= 0); -1 when out; watched while waiting on runs only
	inflight int32  // runs submitted and not yet finished
	runs     uint32 // runs submitted, retries not counted
	kind     kind
	outcome  Outcome
	flags    uint8
}

// Entry flags.
const (
	fQueued    uint8 = 1 << iota // QueueOne: a firing waits for the run in progress
	fEnded                       // the entry has ended
	fCancel                      // Cancel was called, or the pool closed
	fDone                        // Done was asked before the end: s.dones holds its channel
	fCronEvery                   // a Cron @every spec: period, with cron.Every's rounding
	fMoved                       // the firing or the retry changed since the entry took its heap slot
)

// watched is the Entry.index of an entry out of the heap that waits only on
// its runs: the chunks of those sit in the scheduler's recheck queue (see
// watch).
const watched = -2

func (e *Entry) isWatched() bool { return e.index == watched }

// Boxes for the errors a refused firing records, shared by every entry.
var (
	errQueueFullBox error = pool.ErrQueueFull
	errClosedBox    error = pool.ErrClosed
)

// setErr records err as the latest outcome's error, boxing it: an entry
// that never fails pays one word for it.
func (e *Entry) setErr(err error) {
	switch err {
	case nil:
		e.lastErr = nil
	case pool.ErrQueueFull:
		e.lastErr = &errQueueFullBox
	case pool.ErrClosed:
		e.lastErr = &errClosedBox
	default:
		e.lastErr = &err
	}
}

func (e *Entry) has(f uint8) bool { return e.flags&f != 0 }

func (e *Entry) ended() bool { return e.flags&fEnded != 0 }

// fireAt returns the next firing, jitter included, or never.
func (e *Entry) fireAt() int64 {
	if e.cfg != nil && e.cfg.jitter > 0 {
		return e.cfg.fireAt
	}
	return e.due
}

// retryAt returns when a waiting retry is due, or never.
func (e *Entry) retryAt() int64 {
	if e.cfg == nil {
		return never
	}
	return e.cfg.retryAt
}

// setRetry sets when the waiting retry is due (never for none); only an
// entry with WithRetry, which has a config, sets one.
func (e *Entry) setRetry(at int64) {
	if e.cfg != nil {
		e.cfg.retryAt = at
		e.flags |= fMoved
	}
}

// attemptNo returns the attempt number of the latest run (1 = first).
func (e *Entry) attemptNo() int32 {
	if e.cfg == nil {
		return 1
	}
	return e.cfg.attempt
}

// stop drops every scheduled firing and retry and a queued firing.
func (e *Entry) stop() {
	e.setFire(never)
	e.setRetry(never)
	e.flags &^= fQueued
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
	e.s.lock()
	defer e.s.unlock()
	next := min(e.fireAt(), e.retryAt())
	if e.ended() || next == never {
		return time.Time{}
	}
	return e.s.timeOf(next)
}

// LastRun returns when the latest run was submitted to the pool, or the zero
// time if none was.
func (e *Entry) LastRun() time.Time {
	e.s.lock()
	defer e.s.unlock()
	if e.runs == 0 {
		return time.Time{}
	}
	return e.s.timeOf(e.lastRun)
}

// LastErr returns the error of the latest outcome: the function's error for
// Failed (or a *PanicError), the context's for Cancelled, the pool's error
// for Rejected (pool.ErrQueueFull or pool.ErrClosed), the failed attempt's
// while Retrying, and nil otherwise.
func (e *Entry) LastErr() error {
	e.s.lock()
	defer e.s.unlock()
	if e.lastErr == nil {
		return nil
	}
	return *e.lastErr
}

// Outcome returns the latest outcome: of the latest finished run, or of the
// latest firing that was Skipped, Rejected or Missed. It is None until the
// entry first fires.
func (e *Entry) Outcome() Outcome {
	e.s.lock()
	defer e.s.unlock()
	return e.outcome
}

// Runs returns how many runs the entry submitted to the pool, retries not
// counted.
func (e *Entry) Runs() int {
	e.s.lock()
	defer e.s.unlock()
	return int(e.runs)
}

// Done returns a channel closed when the entry has ended (see Entry). It is
// safe from many goroutines and returns the same channel each time.
func (e *Entry) Done() <-chan struct{} {
	s := e.s
	s.lock()
	defer s.unlock()
	if e.ended() {
		return closedChan
	}
	if e.has(fDone) {
		return s.dones[e]
	}
	if s.dones == nil {
		s.dones = make(map[*Entry]chan struct{})
	}
	c := make(chan struct{})
	s.dones[e] = c
	e.flags |= fDone
	return c
}

// Cancel stops the entry from firing again and reports whether that
// prevented a firing or a retry that was scheduled, like time.Timer.Stop: it
// returns true for a one-shot entry that has not fired, and false once it
// has, for an entry already cancelled or ended, and after Scheduler.Close.
// Cancel never waits and does not cancel a run already submitted: the entry
// ends, and Done closes, when that run finishes. Repeated calls return false.
func (e *Entry) Cancel() bool {
	s := e.s
	s.lock()
	defer s.unlock()
	if e.flags&(fEnded|fCancel) != 0 {
		return false
	}
	e.flags |= fCancel
	prevented := e.due != never || e.retryAt() != never || e.has(fQueued) ||
		(e.kind == kindEvery && e.cfg != nil && e.cfg.spacing == FixedDelay && e.runsLeft())
	e.stop()
	s.reschedule(e, s.now())
	return prevented
}

// finish marks e ended and closes Done. The caller holds the lock and has
// taken e out of the heap and the recheck queue.
func (e *Entry) finish() {
	if e.ended() {
		return
	}
	e.flags |= fEnded
	if e.has(fDone) {
		s := e.s
		close(s.dones[e])
		delete(s.dones, e)
		if len(s.dones) == 0 {
			s.dones = nil // a map keeps its size: give it back
		}
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
	e.due = due
	e.flags |= fMoved
	if c := e.cfg; c != nil && c.jitter > 0 {
		c.fireAt = due
		if due != never {
			c.fireAt = addKey(due, rand.Int64N(int64(c.jitter)))
		}
	}
}
