package pool

import "sync/atomic"

// A Job keeps when it started and when it finished in one word, Job.span,
// as two offsets of 32 bits: the high half is started-queued+1, the low half
// finished-from+1, where from is the start, or the queueing of a job that
// never started; 0 means not yet. An offset of 4.29 s or more, or a finish
// with nothing to count from, is kept whole in the job's first run state and
// marked spanFar there, so that a job pays one small allocation only if it
// waits or runs that long. Every time is in nanoseconds since the pool's
// epoch, plus one, as Pool.now returns it.
const (
	spanHalf = 32
	spanLow  = 1<<spanHalf - 1
	spanFar  = spanLow
)

// setStarted records that j, queued at queued, started at t. Only the
// worker running j calls it.
func (j *Job) setStarted(t, queued int64) {
	off := uint64(spanFar)
	if d := t - queued; d >= 0 && d < spanFar-1 {
		off = uint64(d) + 1
	} else {
		j.firstRun().farStarted.Store(t)
	}
	j.span.Store(off << spanHalf)
}

// setFinished records that j finished at t. Only the goroutine that made j
// terminal calls it.
func (j *Job) setFinished(t int64) {
	w, q := j.span.Load(), j.queued()
	from := j.startedFrom(w, q)
	if from == 0 {
		from = q
	}
	off := uint64(spanFar)
	if d := t - from; from != 0 && d >= 0 && d < spanFar-1 {
		off = uint64(d) + 1
	} else {
		j.firstRun().farFinished.Store(t)
	}
	j.span.Store(w&^spanLow | off)
}

// requeued forgets an earlier attempt's start before j is queued again at
// t, so that no reader pairs the new queueing with the old offsets.
func (j *Job) requeued(t int64) {
	j.span.Store(0)
	atomic.StoreInt64(&j.queuedAt, t)
}

// queued returns when j was last queued, 0 if never.
func (j *Job) queued() int64 { return atomic.LoadInt64(&j.queuedAt) }

// started reports whether j's current attempt has started.
func (j *Job) started() bool { return j.span.Load()>>spanHalf != 0 }

// startedFrom decodes the start time from span word w and queueing time q.
func (j *Job) startedFrom(w uint64, q int64) int64 {
	switch off := w >> spanHalf; off {
	case 0:
		return 0
	case spanFar:
		return j.run.Load().farStarted.Load()
	default:
		return q + int64(off) - 1
	}
}

// startTime returns when j's current attempt started, 0 if it has not.
func (j *Job) startTime() int64 {
	_, s, _ := j.times()
	return s
}

// times returns when j was queued, started and finished, 0 for a step not
// reached yet, all three from the same attempt: a retry clears the span
// before it queues the job again, so a span unchanged across the reads
// vouches for them. (Two attempts that both start too far for the span
// leave it the same; a reader racing the second can then mix them.)
func (j *Job) times() (queued, started, finished int64) {
	for {
		w := j.span.Load()
		queued = j.queued()
		started = j.startedFrom(w, queued)
		from := started
		if from == 0 {
			from = queued
		}
		switch off := w & spanLow; off {
		case 0:
			finished = 0
		case spanFar:
			finished = j.run.Load().farFinished.Load()
		default:
			finished = from + int64(off) - 1
		}
		if j.span.Load() == w {
			return queued, started, finished
		}
	}
}
