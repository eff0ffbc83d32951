package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrNotDead is returned (wrapped) by Inspector.Retry and Inspector.Delete
// for a job whose record is not dead.
var ErrNotDead = errors.New("durable: job is not dead")

// deleteMarkerTTL is how long the marker of a deleted record stays.
const deleteMarkerTTL = time.Minute

// purgeMsg is the message that deletes the record of job id, leaving a
// marker for deleteMarkerTTL.
func (c *Client) purgeMsg(id string) *nats.Msg {
	m := &nats.Msg{Subject: c.recSubject + id, Header: nats.Header{}}
	m.Header.Set("KV-Operation", "PURGE")
	m.Header.Set("Nats-Rollup", "sub")
	m.Header.Set(jetstream.MsgTTLHeader, deleteMarkerTTL.String())
	return m
}

// Retry enqueues a dead job again from its record: the same ID, name,
// queue, priority, options and payload, its attempts reset to zero. Its
// record says queued again, with Meta.Retried counted up and RetriedAt set,
// and keeps its error history, to which the new attempts add (workers read
// the record before each attempt: Meta.ReadRecord). A job with a Unique key claims the key again and, if another job
// holds it meanwhile, is not retried ([ErrDuplicate]). The record is
// changed with a compare-and-set, so of two concurrent Retry calls for one
// job exactly one enqueues it; the other gets [ErrNotDead]. A job past its
// Deadline is dead again at its first delivery ([ErrDeadline]). It returns
// [ErrNotFound] without a record and [ErrNotDead] when the job is not dead.
func (in *Inspector) Retry(ctx context.Context, id string) error {
	if err := in.check(ctx); err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	r, rev, err := in.c.record(ctx, id)
	if err != nil {
		return err
	}
	return in.retry(ctx, r, rev)
}

func (in *Inspector) retry(ctx context.Context, r *Record, rev uint64) error {
	c := in.c
	if r.State != Dead {
		return fmt.Errorf("%w: job %s is %s", ErrNotDead, r.ID, r.State)
	}
	meta := r.Meta
	meta.Retried++
	meta.RetriedAt = time.Now()
	meta.RunAt = time.Time{}
	meta.ReadRecord = true // attempts and errors go on from the record
	var claim uint64
	if meta.Unique != "" {
		rev, _, err := c.claim(ctx, &meta)
		if err != nil {
			return err
		}
		claim = rev
	}
	payload := r.Payload
	nr := Record{Meta: meta, State: Queued, Errors: r.Errors}
	_, err := c.js.PublishMsg(ctx, c.recordMsg(&nr), jetstream.WithExpectLastSequencePerSubject(rev))
	if conflict(err) {
		c.releaseClaim(&meta, claim)
		return fmt.Errorf("%w: job %s changed meanwhile", ErrNotDead, r.ID)
	}
	if err != nil {
		c.releaseClaim(&meta, claim)
		return fmt.Errorf("durable: write retried record %s: %w", r.ID, err)
	}
	mh := appendMeta(nil, &meta)
	msg := &nats.Msg{Subject: c.readySubject(meta.Queue, meta.Priority), Data: payload, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, meta.ID+".retry"+strconv.Itoa(meta.Retried))
	msg.Header.Set(metaHeader, string(mh))
	if _, err := c.js.PublishMsg(ctx, msg); err != nil {
		// Put the dead record back, so that the job can be retried again.
		c.releaseClaim(&meta, claim)
		_, _ = c.js.PublishMsg(context.WithoutCancel(ctx), c.recordMsg(r))
		return fmt.Errorf("durable: enqueue retried job %s: %w", r.ID, err)
	}
	if claim > 0 {
		if _, err := c.settle(ctx, &meta, claim); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes a dead job's record (its error history and payload); the
// job is gone, and Job then returns [ErrNotFound]. It returns
// [ErrNotFound] without a record and [ErrNotDead] when the job is not
// dead; the delete is a compare-and-set on the record, so a job retried
// meanwhile is not deleted.
func (in *Inspector) Delete(ctx context.Context, id string) error {
	if err := in.check(ctx); err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	r, rev, err := in.c.record(ctx, id)
	if err != nil {
		return err
	}
	if r.State != Dead {
		return fmt.Errorf("%w: job %s is %s", ErrNotDead, id, r.State)
	}
	return in.deleteRecord(ctx, id, rev)
}

func (in *Inspector) deleteRecord(ctx context.Context, id string, rev uint64) error {
	err := in.c.records.Purge(ctx, id, jetstream.LastRevision(rev), jetstream.PurgeTTL(deleteMarkerTTL))
	if conflict(err) {
		return fmt.Errorf("%w: job %s changed meanwhile", ErrNotDead, id)
	}
	if err != nil {
		return fmt.Errorf("durable: delete record %s: %w", id, err)
	}
	return nil
}

// RetryDead retries every dead job of queue, as Retry does, and returns
// how many it enqueued. It scans every record (O(records)); jobs that die
// during the scan may or may not be retried. The error joins the jobs that
// failed (a unique key now held elsewhere, say); the others are retried.
func (in *Inspector) RetryDead(ctx context.Context, queue string) (int, error) {
	return in.eachDead(ctx, queue, func(m storedMsg, r *Record) error {
		return in.retry(ctx, r, m.seq)
	})
}

// DeleteDead deletes every dead job of queue, as Delete does, and returns
// how many it deleted. It scans every record (O(records)).
func (in *Inspector) DeleteDead(ctx context.Context, queue string) (int, error) {
	return in.eachDead(ctx, queue, func(m storedMsg, r *Record) error {
		return in.deleteRecord(ctx, r.ID, m.seq)
	})
}

func (in *Inspector) eachDead(ctx context.Context, queue string, fn func(storedMsg, *Record) error) (int, error) {
	if err := in.check(ctx); err != nil {
		return 0, err
	}
	if err := validQueue(queue); err != nil {
		return 0, err
	}
	type dead struct {
		m storedMsg
		r *Record
	}
	var found []dead
	err := in.scanRecords(ctx, directReq{Seq: 1}, 0, func(m storedMsg, r *Record) bool {
		if r != nil && r.Queue == queue && r.State == Dead {
			found = append(found, dead{m, r})
		}
		return true
	}, func(bool) {})
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, d := range found {
		if err := fn(d.m, d.r); err != nil {
			if errors.Is(err, ErrNotDead) {
				continue // changed meanwhile: not ours to touch
			}
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Purge removes the queue's jobs that are stored in the jobs stream when
// it is called, ready and delayed (queued, scheduled, and those in flight:
// running or waiting for a retry), with their records, and releases their
// unique keys; it returns how many jobs it removed. Jobs enqueued after
// Purge read the stream are kept. A job a worker runs meanwhile finishes,
// and its outcome writes its record again (its acknowledgement finds no
// message); pause the queue first to purge a quiet one. It reads each
// purged message once (O(the queue's messages)).
func (in *Inspector) Purge(ctx context.Context, queue string) (int, error) {
	if err := in.check(ctx); err != nil {
		return 0, err
	}
	if err := validQueue(queue); err != nil {
		return 0, err
	}
	c := in.c
	s, err := c.js.Stream(ctx, c.stream)
	if err != nil {
		return 0, fmt.Errorf("durable: stream %s: %w", c.stream, err)
	}
	n := 0
	for _, filter := range []string{c.stream + ".q." + queue + ".>", c.stream + ".delayed." + queue} {
		var metas []*Meta
		var last uint64
		seq := uint64(1)
		for {
			msgs, more, err := in.c.directGet(ctx, c.stream, directReq{Seq: seq, NextFor: filter, Batch: scanBatch})
			if err != nil {
				return n, err
			}
			for _, m := range msgs {
				last, seq = m.seq, m.seq+1
				if meta, err := metaOf(m.header, m.seq); err == nil {
					metas = append(metas, meta)
				}
			}
			if more == 0 || len(msgs) == 0 {
				break
			}
		}
		if last == 0 {
			continue
		}
		if err := s.Purge(ctx, jetstream.WithPurgeSubject(filter), jetstream.WithPurgeSequence(last+1)); err != nil {
			return n, fmt.Errorf("durable: purge %s: %w", filter, err)
		}
		var futures []jetstream.PubAckFuture
		for _, meta := range metas {
			f, err := c.publishAsync(ctx, c.purgeMsg(meta.ID))
			if err != nil {
				return n, fmt.Errorf("durable: delete record %s: %w", meta.ID, err)
			}
			futures = append(futures, f)
			c.release(meta)
		}
		for i, f := range futures {
			if err := wait(ctx, f); err != nil {
				return n, fmt.Errorf("durable: delete record %s: %w", metas[i].ID, err)
			}
		}
		n += len(metas)
	}
	return n, nil
}

// QueueConfig returns the queue's stored controls (the zero QueueConfig
// when none are stored).
func (in *Inspector) QueueConfig(ctx context.Context, queue string) (QueueConfig, error) {
	if err := in.check(ctx); err != nil {
		return QueueConfig{}, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if err := validQueue(queue); err != nil {
		return QueueConfig{}, err
	}
	qc, _, err := in.queueConfig(ctx, queue)
	return qc, err
}

func (in *Inspector) queueConfig(ctx context.Context, queue string) (QueueConfig, uint64, error) {
	e, err := in.c.queues.Get(ctx, queue)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return QueueConfig{}, 0, nil
	}
	if err != nil {
		return QueueConfig{}, 0, fmt.Errorf("durable: read controls of queue %s: %w", queue, err)
	}
	var qc QueueConfig
	if err := json.Unmarshal(e.Value(), &qc); err != nil {
		return QueueConfig{}, 0, fmt.Errorf("durable: controls of queue %s do not decode: %w", queue, err)
	}
	return qc, e.Revision(), nil
}

// SetQueueConfig stores the queue's controls (see [QueueConfig]); every
// worker serving the queue follows them as soon as its watch delivers the
// change, without a restart: the call returns once the value is stored,
// not once workers apply it. MaxRunning and Burst must not be negative,
// nor Rate.
func (in *Inspector) SetQueueConfig(ctx context.Context, queue string, qc QueueConfig) error {
	if err := in.check(ctx); err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if err := validQueue(queue); err != nil {
		return err
	}
	if qc.MaxRunning < 0 || qc.Rate < 0 || qc.Burst < 0 {
		return fmt.Errorf("%w: queue config %+v has a negative value", ErrInvalid, qc)
	}
	data, _ := json.Marshal(qc)
	if _, err := in.c.queues.Put(ctx, queue, data); err != nil {
		return fmt.Errorf("durable: write controls of queue %s: %w", queue, err)
	}
	return nil
}

// Pause stops workers fetching the queue, keeping its other controls (a
// compare-and-set on the stored value, so a concurrent SetQueueConfig is
// not lost). Jobs already running finish; enqueues go on. Pausing a paused
// queue is a no-op. Like SetQueueConfig it returns once the value is
// stored.
func (in *Inspector) Pause(ctx context.Context, queue string) error {
	return in.setPaused(ctx, queue, true)
}

// Resume lets workers fetch the queue again, as Pause stops them.
func (in *Inspector) Resume(ctx context.Context, queue string) error {
	return in.setPaused(ctx, queue, false)
}

func (in *Inspector) setPaused(ctx context.Context, queue string, paused bool) error {
	if err := in.check(ctx); err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if err := validQueue(queue); err != nil {
		return err
	}
	for range 10 {
		qc, rev, err := in.queueConfig(ctx, queue)
		if err != nil {
			return err
		}
		if qc.Paused == paused && rev != 0 {
			return nil
		}
		qc.Paused = paused
		data, _ := json.Marshal(qc)
		if rev == 0 {
			_, err = in.c.queues.Create(ctx, queue, data)
		} else {
			_, err = in.c.queues.Update(ctx, queue, data, rev)
		}
		if err == nil {
			return nil
		}
		if conflict(err) {
			continue // changed meanwhile: read again
		}
		return fmt.Errorf("durable: write controls of queue %s: %w", queue, err)
	}
	return fmt.Errorf("durable: write controls of queue %s: contended", queue)
}
