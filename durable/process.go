package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// active is a job running on this worker.
type active struct {
	msg       jetstream.Msg
	rec       *Record
	cancel    context.CancelCauseFunc
	progress  time.Time // last heartbeat or start
	started   time.Time
	marked    bool // its running record is written
	givenBack bool // Shutdown naked it; its outcome is ignored
}

type ackAction uint8

const (
	actAck ackAction = iota
	actNak
	actNakDelay
)

// ackItem is a message to acknowledge once its record's publish is
// acknowledged.
type ackItem struct {
	f       *pubAck
	m       jetstream.Msg
	act     ackAction
	delay   time.Duration
	release *Meta  // unique key to release after
	rev     uint64 // release it only at this revision (0: unconditionally)
	marker  string // unique bucket key to delete after (keyHold.marker)
}

// keyHold is how a job ends with its unique key: release says to release
// it (the zero keyHold leaves it alone), rev that only while the key is
// still at that revision, the one the job made or found lasting before it
// ran, so that a key taken over while the job ran stays with its new
// holder (0: unconditionally, for a key whose revision is not known).
type keyHold struct {
	release bool
	rev     uint64
	marker  string // a taken-over marker to delete once the job is cancelled
}

// held is a fetched message waiting for a pool worker; heartbeats keep
// its lease too.
type held struct {
	m        jetstream.Msg
	progress time.Time
}

// start runs m on the pool; the caller holds a slot for it.
func (w *Worker) start(m jetstream.Msg, q *queue, level int) {
	w.procs.Add(1)
	h := &held{m: m, progress: time.Now()}
	w.mu.Lock()
	w.waiting[h] = struct{}{}
	w.mu.Unlock()
	_, err := w.p.Submit(context.Background(), func(context.Context) error {
		w.mu.Lock()
		delete(w.waiting, h)
		w.mu.Unlock()
		w.process(m)
		return nil
	}, prioOpts[level])
	if err != nil { // the pool is closed: give the job back
		w.mu.Lock()
		delete(w.waiting, h)
		w.mu.Unlock()
		_ = m.Nak()
		<-w.slots
		w.procs.Done()
	}
}

// prioOpts holds the pool option of each level, made once.
var prioOpts = func() (o [pool.NumPriorities]pool.JobOption) {
	for level := range o {
		o[level] = pool.WithPriority(pool.Priority(level) + pool.Lowest)
	}
	return o
}()

// acker sends acknowledgements in order, each after its record is stored.
func (w *Worker) acker() {
	defer close(w.ackDone)
	for it := range w.acks {
		if it.f != nil {
			<-it.f.done
			if it.f.err != nil {
				// The record was not stored: let the job come back.
				_ = it.m.NakWithDelay(time.Second)
				continue
			}
		}
		switch it.act {
		case actAck:
			_ = it.m.Ack()
		case actNak:
			_ = it.m.Nak()
		case actNakDelay:
			_ = it.m.NakWithDelay(it.delay)
		}
		if it.release != nil {
			w.c.releaseClaim(it.release, it.rev)
		}
		if it.marker != "" {
			w.c.deleteKey(it.marker)
		}
	}
}

// heartbeat tells the server that long jobs are still running.
func (w *Worker) heartbeat() {
	defer close(w.hbDone)
	every := w.cfg.ackWait / 3
	t := time.NewTicker(min(every/2, RunningAfter/2))
	defer t.Stop()
	for {
		select {
		case <-w.hbStop:
			return
		case now := <-t.C:
			w.mu.Lock()
			for h := range w.waiting {
				if now.Sub(h.progress) >= every {
					_ = h.m.InProgress()
					h.progress = now
				}
			}
			for _, a := range w.running {
				if a.givenBack {
					continue
				}
				if now.Sub(a.progress) >= every {
					_ = a.msg.InProgress()
					a.progress = now
				}
				if !a.marked && now.Sub(a.started) >= RunningAfter {
					// Ordered before the final record: both go out on
					// one connection, and process deletes a from
					// running (under mu) before writing that one.
					a.marked = true
					w.c.publishNoWait(w.c.recordMsg(a.rec))
				}
			}
			w.mu.Unlock()
		}
	}
}

func (w *Worker) isCancelled(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.cancelled[id]
	return ok
}

// trusted reports whether m's record can be taken from the message alone:
// first delivery, stored after this worker began hearing cancels and since
// the last reconnect.
func (w *Worker) trusted(md *jetstream.MsgMetadata) bool {
	if md.NumDelivered != 1 {
		return false
	}
	rc := w.c.nc.Stats().Reconnects
	w.mu.Lock()
	defer w.mu.Unlock()
	if rc != w.reconnects {
		w.reconnects = rc
		w.since = time.Now().Add(sinceMargin)
	}
	return md.Timestamp.After(w.since)
}

// process runs one delivered job and records its outcome.
func (w *Worker) process(m jetstream.Msg) {
	defer w.procs.Done()
	defer func() { <-w.slots }()
	select {
	case <-w.stopCh:
		_ = m.Nak()
		return
	default:
	}
	meta, md, given, err := parseMeta(m)
	if err != nil {
		_ = m.Term() // not a job of this package
		return
	}
	var rec *Record
	// Whether the job may have a record: one read, or one Enqueue wrote.
	recorded := given || !meta.RunAt.IsZero()
	slow := meta.ReadRecord || !w.trusted(md)
	if slow {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r, _, err := w.c.record(ctx, meta.ID)
		cancel()
		switch {
		case err == nil:
			rec, recorded = r, true
		case errors.Is(err, ErrNotFound):
		default:
			_ = m.NakWithDelay(time.Second)
			return
		}
	}
	if rec == nil {
		rec = &Record{Meta: *meta, State: Queued}
	}
	// A record still saying running is an attempt whose worker died.
	// (The server's delivery count cannot tell: it also counts deliveries
	// given back unrun.)
	crashed := rec.State == Running
	rec.Payload = m.Data()
	now := time.Now()

	hold := keyHold{release: true} // what ending the job does to its key
	switch {
	case rec.State == Cancelled || w.isCancelled(meta.ID):
		// Cancel released the unique key: releasing it again could free
		// a newer job's claim.
		w.acks <- ackItem{m: m, act: actAck}
		return
	case rec.State == Succeeded || rec.State == Dead:
		w.acks <- ackItem{m: m, act: actAck}
		return
	case rec.Unique != "" && !w.c.holdsKey(rec.ID, rec.Unique, &hold):
		// The job's Enqueue died before making its claim lasting and the
		// lease ran out: another job took the key over, and this one must
		// not run beside it.
		rec.State, rec.FinishedAt, rec.Payload = Cancelled, now, nil
		w.finish(rec, m, actAck, 0, keyHold{marker: hold.marker}) // the key is the other job's
		return
	case !rec.Deadline.IsZero() && !now.Before(rec.Deadline):
		w.fail(rec, m, ErrDeadline, now, true, hold)
		return
	case crashed && rec.MaxAttempts != retry.Forever && rec.Attempts >= rec.MaxAttempts:
		w.fail(rec, m, fmt.Errorf("durable: worker stopped during the last attempt (%d)", rec.Attempts), now, true, hold)
		return
	}
	h := w.handler(rec.Name)
	if h == nil {
		rec.Attempts++
		w.fail(rec, m, fmt.Errorf("%w: %q", ErrUnknownHandler, rec.Name), now, true, hold)
		return
	}

	rec.Attempts++
	rec.State, rec.StartedAt = Running, now

	ctx, cancel := context.WithCancelCause(w.jobCtx)
	defer cancel(nil)
	if rec.Timeout > 0 {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeout(ctx, rec.Timeout)
		defer c2()
	}
	if !rec.Deadline.IsZero() {
		var c3 context.CancelFunc
		ctx, c3 = context.WithDeadlineCause(ctx, rec.Deadline, ErrDeadline)
		defer c3()
	}
	ctx = context.WithValue(ctx, infoKey{}, &Info{ID: rec.ID, Name: rec.Name, Queue: rec.Queue, Attempt: rec.Attempts, MaxAttempts: rec.MaxAttempts})
	a := &active{msg: m, rec: rec, cancel: cancel, progress: now, started: now}
	if slow {
		// A redelivery may be a job that kills its worker: count this
		// attempt now, not after RunningAfter.
		a.marked = true
		w.c.publishNoWait(w.c.recordMsg(rec))
	}
	w.mu.Lock()
	w.running[rec.ID] = a
	_, cancelled := w.cancelled[rec.ID]
	w.mu.Unlock()
	if cancelled {
		cancel(ErrCancelled)
	}

	result, herr := call(ctx, h, m.Data())

	w.mu.Lock()
	delete(w.running, rec.ID)
	gone, marked := a.givenBack, a.marked
	w.mu.Unlock()
	if gone {
		return
	}
	now = time.Now()
	if herr == nil {
		if rec.Retention < 0 { // NoRetention
			w.forget(rec, m, recorded || marked, hold)
			return
		}
		rec.State, rec.Result, rec.FinishedAt, rec.Payload = Succeeded, result, now, nil
		w.finish(rec, m, actAck, 0, hold)
		return
	}
	if ctx.Err() != nil {
		switch cause := context.Cause(ctx); {
		case errors.Is(cause, ErrShutdown):
			rec.State, rec.Attempts, rec.GivenBack = Queued, rec.Attempts-1, rec.GivenBack+1
			w.finish(rec, m, actNak, 0, keyHold{})
			return
		case errors.Is(cause, ErrCancelled):
			rec.State, rec.FinishedAt, rec.Payload = Cancelled, now, nil
			w.finish(rec, m, actAck, 0, keyHold{}) // Cancel released the key
			return
		}
	}
	w.fail(rec, m, herr, now, false, hold)
}

// fail records a failed attempt and retries the job or makes it dead,
// ending its unique key as hold says.
func (w *Worker) fail(rec *Record, m jetstream.Msg, err error, now time.Time, final bool, hold keyHold) {
	ae := AttemptError{Attempt: rec.Attempts, At: now, Error: err.Error()}
	var pe *pool.PanicError
	if errors.As(err, &pe) {
		ae.Stack = string(pe.Stack)
	}
	rec.Errors = append(rec.Errors, ae)
	if len(rec.Errors) > maxErrors {
		rec.Errors = append(rec.Errors[:1], rec.Errors[len(rec.Errors)-maxErrors+1:]...)
	}
	if !final {
		p := rec.Policy()
		if delay, again := p.Next(rec.Attempts, err); again &&
			(rec.Deadline.IsZero() || now.Add(delay).Before(rec.Deadline)) {
			rec.State = Retrying
			w.finish(rec, m, actNakDelay, delay, keyHold{})
			return
		}
	}
	rec.State, rec.FinishedAt = Dead, now
	w.finish(rec, m, actAck, 0, hold)
}

// RunningAfter is how long a job runs before its record says [Running]:
// shorter jobs go from queued to their outcome with one write. A
// redelivered job's record says running from the start of its attempt, so
// a job that kills its worker is counted from its second attempt on (the
// first, if shorter than RunningAfter, is not).
const RunningAfter = 500 * time.Millisecond

// maxErrors is how many attempt errors a record keeps: the first and the
// latest ones.
const maxErrors = 20

// finish stores rec and queues m's acknowledgement after it, then what hold
// says for its unique key.
func (w *Worker) finish(rec *Record, m jetstream.Msg, act ackAction, delay time.Duration, hold keyHold) {
	f, err := w.c.publishAsync(context.Background(), w.c.recordMsg(rec))
	if err != nil {
		_ = m.NakWithDelay(time.Second)
		return
	}
	it := ackItem{f: f, m: m, act: act, delay: delay, rev: hold.rev, marker: hold.marker}
	if hold.release {
		it.release = &rec.Meta
	}
	w.acks <- it
}

// forget acknowledges a succeeded job that keeps no record (NoRetention):
// at once when it has none, after deleting it when it may have one.
func (w *Worker) forget(rec *Record, m jetstream.Msg, recorded bool, hold keyHold) {
	it := ackItem{m: m, act: actAck, rev: hold.rev}
	if hold.release {
		it.release = &rec.Meta
	}
	if recorded {
		f, err := w.c.publishAsync(context.Background(), w.c.purgeMsg(rec.ID))
		if err != nil {
			_ = m.NakWithDelay(time.Second)
			return
		}
		it.f = f
	}
	w.acks <- it
}

// call runs h, turning a panic into a *pool.PanicError with its stack.
func call(ctx context.Context, h handlerFunc, data []byte) (res json.RawMessage, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &pool.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return h(ctx, data)
}
