package pool

import (
	"context"
	"log/slog"
	"time"
)

// This file reports lifecycle steps to the observer and the logger. Every
// function here is called only when one of them is set, or on a rare path
// (a panic, a cancellation), so the hot path pays one nil check.

// emit sends e to the observer, filling the job's fields from j when given.
func (p *Pool) emit(e Event, j *Job) {
	if p.obs == nil {
		return
	}
	if j != nil {
		e.JobID, e.Name, e.Priority = j.ID(), j.Name(), j.prio()
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	p.obs.Observe(e)
}

func (p *Pool) emitSubmitted(it item, lvl int) {
	p.emit(Event{Kind: EventSubmitted, Priority: Priorities[lvl]}, it.job())
}

// rejectedSubmit reports a submit that enqueued nothing.
func (p *Pool) rejectedSubmit(err error, prio Priority, name string) {
	p.emit(Event{Kind: EventRejected, Err: err, Priority: prio, Name: name}, nil)
	if p.log != nil && p.log.Enabled(context.Background(), slog.LevelDebug) {
		p.log.LogAttrs(context.Background(), slog.LevelDebug, "pool: job rejected",
			slog.String("pool", p.name), slog.String("job", name),
			slog.String("priority", prio.String()), slog.Any("error", err))
	}
}

func (p *Pool) started(j *Job, wait int64) {
	p.emit(Event{Kind: EventStarted, Wait: time.Duration(wait)}, j)
	if p.log != nil && p.log.Enabled(context.Background(), slog.LevelDebug) {
		p.log.LogAttrs(context.Background(), slog.LevelDebug, "pool: job started",
			append(p.jobAttrs(j), slog.Duration("wait", time.Duration(wait)))...)
	}
}

var stateEvent = map[State]EventKind{
	Succeeded: EventSucceeded,
	Failed:    EventFailed,
	Cancelled: EventCancelled,
	Skipped:   EventSkipped,
}

// finished reports a job's terminal state.
func (p *Pool) finished(j *Job, s State, err error) {
	if p.obs == nil && p.log == nil {
		return
	}
	var wait, run time.Duration
	q, st, f := j.times()
	if st != 0 {
		wait, run = time.Duration(st-q), time.Duration(f-st)
	} else if q != 0 {
		wait = time.Duration(f - q)
	}
	p.emit(Event{Kind: stateEvent[s], Err: err, Wait: wait, Run: run}, j)
	if p.log == nil {
		return
	}
	level := slog.LevelDebug
	if s == Failed {
		level = slog.LevelError
	}
	ctx := context.Background()
	if !p.log.Enabled(ctx, level) {
		return
	}
	attrs := append(p.jobAttrs(j),
		slog.String("state", s.String()),
		slog.Int("attempt", j.Attempts()),
		slog.Duration("wait", wait), slog.Duration("run", run))
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	}
	p.log.LogAttrs(ctx, level, "pool: job "+s.String(), attrs...)
}

// retrying reports a failed attempt that will be retried after delay.
func (p *Pool) retrying(j *Job, err error, delay time.Duration) {
	p.emit(Event{Kind: EventRetried, Err: err}, j)
	if p.log != nil && p.log.Enabled(context.Background(), slog.LevelDebug) {
		p.log.LogAttrs(context.Background(), slog.LevelDebug, "pool: job retrying",
			append(p.jobAttrs(j), slog.Int("attempt", j.Attempts()),
				slog.Duration("delay", delay), slog.Any("error", err))...)
	}
}

// stuck reports a job (nil for a Go func) running longer than the threshold.
func (p *Pool) stuck(j *Job, ran time.Duration) {
	e := Event{Kind: EventStuck, Run: ran}
	p.emit(e, j)
	if p.log != nil && p.log.Enabled(context.Background(), slog.LevelWarn) {
		attrs := []slog.Attr{slog.String("pool", p.name), slog.Duration("running", ran)}
		if j != nil {
			attrs = append(p.jobAttrs(j), slog.Duration("running", ran))
		}
		p.log.LogAttrs(context.Background(), slog.LevelWarn, "pool: job stuck", attrs...)
	}
}

// finishedFunc reports the end of a job submitted with Go.
func (p *Pool) finishedFunc(s State, err error) {
	p.emit(Event{Kind: stateEvent[s], Err: err}, nil)
	if s == Failed && p.log != nil && p.log.Enabled(context.Background(), slog.LevelError) {
		p.log.LogAttrs(context.Background(), slog.LevelError, "pool: job failed",
			slog.String("pool", p.name), slog.Any("error", err))
	}
}

// panicked hands a recovered panic to the panic handler.
func (p *Pool) panicked(pe *PanicError, _ *Job) {
	if p.onPanic != nil {
		p.onPanic(pe)
	}
}

func (p *Pool) jobAttrs(j *Job) []slog.Attr {
	return []slog.Attr{
		slog.String("pool", p.name),
		slog.Uint64("job", j.ID()),
		slog.String("name", j.Name()),
		slog.String("priority", j.prio().String()),
	}
}
