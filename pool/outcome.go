package pool

import (
	"context"
	"runtime"
)

// A Job keeps its waiters and its outcome in one word, Job.note, so that a
// Job fits in 64 bytes: until the job ends, note is the newest of a list of
// waiters (completion hooks, and at most one Done channel), or nil; once it
// ends, note is its outcome, which keeps that Done channel if one was made.
// Each job that allocates less keeps fewer pages to fault in and scan:
// docs/performance.md.
type jobNote struct {
	next  *jobNote      // the waiter registered before this one
	hook  func(*Job)    // a completion hook, or nil
	ch    chan struct{} // the Done channel, or nil
	err   error         // an outcome's error
	final bool          // an outcome: the job has ended
}

// Outcomes for success and the errors jobs commonly end with, so that
// ending with them allocates nothing.
var (
	succeeded       = &jobNote{final: true}
	endedCanceled   = &jobNote{final: true, err: context.Canceled}
	endedByShutdown = &jobNote{final: true, err: errShutdownCancel}
	endedByDrop     = &jobNote{final: true, err: errDroppedCancel}
)

// outcome returns the note for a job that ended with err, keeping ch, the
// Done channel handed out before the end, if any.
func outcome(err error, ch chan struct{}) *jobNote {
	if ch == nil {
		switch err {
		case nil:
			return succeeded
		case context.Canceled:
			return endedCanceled
		case errShutdownCancel:
			return endedByShutdown
		case errDroppedCancel:
			return endedByDrop
		}
	}
	return &jobNote{final: true, err: err, ch: ch}
}

// doneChan returns the Done channel in a list of waiters, or nil.
func doneChan(list *jobNote) chan struct{} {
	for n := list; n != nil; n = n.next {
		if n.ch != nil {
			return n.ch
		}
	}
	return nil
}

// whenDone runs f(j) once j is terminal: at once if it already is, else on
// the goroutine that completes j. f must not block.
func (j *Job) whenDone(f func(*Job)) {
	for {
		head := j.note.Load()
		if head != nil && head.final {
			f(j)
			return
		}
		if j.note.CompareAndSwap(head, &jobNote{hook: f, next: head}) {
			return
		}
	}
}

// Done returns a channel closed when the job reaches a terminal state. It is
// safe to call from many goroutines and returns the same channel each time.
func (j *Job) Done() <-chan struct{} {
	var c chan struct{}
	for {
		head := j.note.Load()
		if head != nil && head.final {
			if head.ch != nil {
				return head.ch
			}
			return closedChan
		}
		if ch := doneChan(head); ch != nil {
			return ch
		}
		if c == nil {
			c = make(chan struct{})
		}
		if j.note.CompareAndSwap(head, &jobNote{ch: c, next: head}) {
			return c
		}
	}
}

// closedChan is shared by every job whose Done is first asked for after it
// finished.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// settled waits out the instant between a job's move to a terminal state
// and the publication of its outcome, so that a terminal job always shows
// its error, and then the closing of its Done channel, so that Done is
// closed once Wait or Err has returned.
func (j *Job) settled() {
	n := j.note.Load()
	for ; n == nil || !n.final; n = j.note.Load() {
		runtime.Gosched()
	}
	if n.ch != nil {
		<-n.ch // end closes it right after publishing n
	}
}

// errValue returns the job's error; the caller knows it is settled.
func (j *Job) errValue() error { return j.note.Load().err }

// end publishes j's outcome, then wakes its waiters: it closes the Done
// channel and runs the hooks in the order they were registered. The caller
// has made j terminal.
func (j *Job) end(err error) {
	var (
		list *jobNote
		ch   chan struct{}
	)
	for {
		list = j.note.Load()
		ch = doneChan(list)
		if j.note.CompareAndSwap(list, outcome(err, ch)) {
			break
		}
	}
	if ch != nil {
		close(ch)
	}
	// Hooks were pushed newest first.
	var hooks []func(*Job)
	for n := list; n != nil; n = n.next {
		if n.hook != nil {
			hooks = append(hooks, n.hook)
		}
	}
	for i := len(hooks) - 1; i >= 0; i-- {
		hooks[i](j)
	}
}
