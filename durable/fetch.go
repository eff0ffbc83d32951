package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/pool"
)

// queue is a worker's view of one queue: its consumers and controls.
type queue struct {
	name      string
	weight    int
	ready     [pool.NumPriorities]jetstream.Consumer // index = level, 4 highest
	delayed   jetstream.Consumer
	delayedCC jetstream.ConsumeContext
	watch     jetstream.KeyWatcher
	maxAck    int

	mu     sync.Mutex
	conf   QueueConfig
	tokens float64 // rate tokens taken from the shared bucket, not yet used (rate.go)
}

func (q *queue) cfg() QueueConfig {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.conf
}

// owe takes one token for a job that came unasked (from a long poll).
func (q *queue) owe() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.conf.Rate > 0 {
		q.tokens--
	}
}

// polled is a message from a long poll.
type polled struct {
	m     jetstream.Msg
	q     *queue
	level int
}

// readQueue reads the queue's controls once, before its consumers exist.
func (w *Worker) readQueue(ctx context.Context, q *queue) error {
	e, err := w.c.queues.Get(ctx, q.name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("durable: read controls of queue %s: %w", q.name, err)
	}
	w.applyConfig(ctx, q, e)
	return nil
}

// watchQueue follows changes of the queue's controls; its consumers exist.
func (w *Worker) watchQueue(ctx context.Context, q *queue) error {
	// The watch lives until Run stops it, not as long as ctx.
	kw, err := w.c.queues.Watch(w.jobCtx, q.name)
	if err != nil {
		return fmt.Errorf("durable: watch controls of queue %s: %w", q.name, err)
	}
	q.watch = kw
	// The initial value (or none) comes before a nil entry.
initial:
	for {
		select {
		case e, ok := <-kw.Updates():
			if !ok || e == nil {
				break initial
			}
			w.applyConfig(ctx, q, e)
		case <-ctx.Done():
			return fmt.Errorf("durable: read controls of queue %s: %w", q.name, ctx.Err())
		}
	}
	w.bg.Add(1)
	go func() {
		defer w.bg.Done()
		for e := range kw.Updates() {
			if e != nil {
				w.applyConfig(context.Background(), q, e)
			}
		}
	}()
	return nil
}

func (w *Worker) applyConfig(ctx context.Context, q *queue, e jetstream.KeyValueEntry) {
	var c QueueConfig
	if e.Operation() == jetstream.KeyValuePut {
		if err := json.Unmarshal(e.Value(), &c); err != nil {
			return // a bad value changes nothing
		}
	}
	q.mu.Lock()
	q.conf = c
	q.tokens = min(q.tokens, 0) // leftovers were taken at the old rate; a debt stays
	q.mu.Unlock()
	if q.ready[0] != nil { // consumers exist: follow MaxRunning
		want := defaultMaxAckPending
		if c.MaxRunning > 0 {
			want = c.MaxRunning
		}
		if want != q.maxAck {
			q.maxAck = want
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			for level := range pool.NumPriorities {
				_, _ = w.c.js.CreateOrUpdateConsumer(cctx, w.c.stream, w.consumerConfig(q, level, want))
			}
			cancel()
		}
	}
	w.poke()
}

func (w *Worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// order returns the queues in the order this pass fetches them.
func (w *Worker) order() []*queue {
	if w.cfg.weights == nil || len(w.queues) == 1 {
		return w.queues
	}
	rest := append([]*queue(nil), w.queues...)
	out := make([]*queue, 0, len(rest))
	for len(rest) > 0 {
		total := 0
		for _, q := range rest {
			total += q.weight
		}
		r := rand.IntN(total)
		for i, q := range rest {
			if r -= q.weight; r < 0 {
				out = append(out, q)
				rest = append(rest[:i], rest[i+1:]...)
				break
			}
		}
	}
	return out
}

// dispatch is the worker's fetch loop. With free slots it fetches the
// queues in order, highest level first, without waiting (FetchNoWait). A
// level found empty gets a sentinel: a long poll for one message
// (pollWait), which brings the level's next job at once; passes skip levels
// whose sentinel is out, so a busy low level costs one request per batch
// rather than one per level. When a pass finds nothing the loop waits for a
// sentinel, a wake-up (queue controls changed) or a rate token.
func (w *Worker) dispatch() {
	defer w.bg.Done()
	d := &dispatcher{w: w, pending: map[jetstream.Consumer]bool{},
		done: make(chan jetstream.Consumer, len(w.queues)*pool.NumPriorities)}
	defer d.polls.Wait()
	var timer *time.Timer
	var gt *time.Timer
	errWait := 50 * time.Millisecond
	full := false // the last pass got all it asked for
	batchMin := max(1, w.cfg.concurrency/4)
	for {
		d.reap()
		if !w.acquire() {
			return
		}
		n := 1
	more:
		for n < maxFetch {
			select {
			case w.slots <- struct{}{}:
				n++
			default:
				break more
			}
		}
		if full && n < batchMin {
			// A backlog: gather slots for a larger batch, a little while
			// at most (long jobs may hold the rest).
			n += w.gather(batchMin-n, gatherWait, &gt)
		}
		got, next, err := d.pass(n)
		full = got == n

		for range n - got {
			<-w.slots
		}
		if err != nil {
			// The server is away (or refused): wait before trying again.
			if !w.sleep(errWait) {
				return
			}
			errWait = min(2*errWait, time.Second)
			continue
		}
		errWait = 50 * time.Millisecond
		if got > 0 {
			continue
		}
		var tc <-chan time.Time
		if next > 0 {
			if timer == nil {
				timer = time.NewTimer(next)
			} else {
				timer.Reset(next)
			}
			tc = timer.C
		}
		select {
		case p := <-w.incoming:
			w.startPolled(p)
		case c := <-d.done:
			delete(d.pending, c)
		case <-w.wake:
		case <-tc:
		case <-w.stopCh:
			return
		}
	}
}

// dispatcher is the state of the fetch loop.
type dispatcher struct {
	w       *Worker
	pending map[jetstream.Consumer]bool // a sentinel is out
	done    chan jetstream.Consumer     // sentinels that ended
	polls   sync.WaitGroup
}

// reap takes the sentinels that ended.
func (d *dispatcher) reap() {
	for {
		select {
		case c := <-d.done:
			delete(d.pending, c)
		default:
			return
		}
	}
}

// sentinel sends a long poll for one message to an empty level.
func (d *dispatcher) sentinel(q *queue, level int) {
	c := q.ready[level]
	if d.pending[c] {
		return
	}
	b, err := c.Fetch(1, jetstream.FetchMaxWait(d.w.cfg.pollWait))
	if err != nil {
		return
	}
	d.pending[c] = true
	d.polls.Add(1)
	go d.w.forward(b, q, level, c, d.done, &d.polls)
}

// pass fetches up to n ready messages without waiting, in queue order and
// highest level first, and starts them, each on a slot the caller holds.
// It returns how many it started and, if a rate limit held it back, when a
// token comes.
func (d *dispatcher) pass(n int) (got int, next time.Duration, err error) {
	w := d.w
	now := time.Now()
	for _, q := range w.order() {
		for level := pool.NumPriorities - 1; level >= 0 && got < n; level-- {
			if d.pending[q.ready[level]] {
				continue // its sentinel brings the next job
			}
			allowed, wait := w.take(q, n-got, now)
			if allowed == 0 {
				if wait > 0 && (next == 0 || wait < next) {
					next = wait
				}
				break
			}
			b, ferr := q.ready[level].FetchNoWait(allowed)
			if ferr != nil {
				q.refund(allowed)
				err = ferr
				continue
			}
			k := 0
			for m := range b.Messages() {
				w.start(m, q, level)
				k++
			}
			q.refund(allowed - k)
			got += k
			if e := b.Error(); e != nil && !errors.Is(e, nats.ErrTimeout) && !errors.Is(e, jetstream.ErrNoMessages) {
				err = e
			} else if k == 0 {
				d.sentinel(q, level)
			}
		}
		if got >= n {
			break
		}
	}
	if got > 0 {
		err = nil
	}
	return got, next, err
}

// maxFetch is the most messages one pass asks for.
const maxFetch = 256

// gatherWait is how long the fetch loop waits for more free slots when the
// queue has a backlog, so that it fetches in batches.
const gatherWait = time.Millisecond

// gather takes up to k more slots, waiting at most d, and says how many.
func (w *Worker) gather(k int, d time.Duration, t **time.Timer) int {
	if *t == nil {
		*t = time.NewTimer(d)
	} else {
		(*t).Reset(d)
	}
	got := 0
	for got < k {
		select {
		case w.slots <- struct{}{}:
			got++
		case <-(*t).C:
			return got
		case <-w.stopCh:
			return got
		}
	}
	(*t).Stop()
	return got
}

func (w *Worker) acquire() bool {
	for {
		select {
		case w.slots <- struct{}{}:
			return true
		case p := <-w.incoming:
			w.startPolled(p)
		case <-w.stopCh:
			return false
		}
	}
}

func (w *Worker) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-w.stopCh:
		return false
	}
}

// startPolled starts a message a long poll brought, taking a slot for it.
func (w *Worker) startPolled(p polled) {
	if p.q.cfg().Paused {
		_ = p.m.Nak()
		return
	}
	select {
	case w.slots <- struct{}{}:
	case <-w.stopCh:
		_ = p.m.Nak()
		return
	}
	p.q.owe()
	w.start(p.m, p.q, p.level)
}

// forward hands a long poll's message to the dispatcher.
func (w *Worker) forward(b jetstream.MessageBatch, q *queue, level int, c jetstream.Consumer, done chan<- jetstream.Consumer, wg *sync.WaitGroup) {
	defer wg.Done()
	for m := range b.Messages() {
		select {
		case w.incoming <- polled{m, q, level}:
		case <-w.stopCh:
			_ = m.Nak()
		}
	}
	done <- c
}

// drainIncoming gives back messages polled but not started.
func (w *Worker) drainIncoming() {
	for {
		select {
		case p := <-w.incoming:
			_ = p.m.Nak()
		default:
			return
		}
	}
}

// refund returns unused tokens.
func (q *queue) refund(k int) {
	if k <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.conf.Rate > 0 {
		q.tokens += float64(k)
	}
}

// onDelayed handles the messages of a queue's delayed subject: not due yet,
// it waits at the server (NakWithDelay); due, it moves to its ready subject.
func (w *Worker) onDelayed(q *queue) jetstream.MessageHandler {
	return func(m jetstream.Msg) {
		meta, _, _, err := parseMeta(m)
		if err != nil {
			_ = m.Term()
			return
		}
		if d := time.Until(meta.RunAt); d > 0 {
			_ = m.NakWithDelay(d)
			return
		}
		if w.isCancelled(meta.ID) {
			_ = m.Ack()
			return
		}
		// The job's ID names this message, which is about to go: a queued
		// record keeps the job findable by its ID. Creating it is also the
		// check for a record that says the job ended (one round trip).
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = w.c.js.PublishMsg(ctx, w.c.recordMsg(&Record{Meta: *meta, State: Queued}),
			jetstream.WithExpectLastSequencePerSubject(0))
		if conflict(err) {
			var r *Record
			if r, _, err = w.c.record(ctx, meta.ID); err == nil && r.State.Final() {
				_ = m.Ack()
				return
			}
		}
		if err != nil {
			_ = m.NakWithDelay(time.Second)
			return
		}
		out := &nats.Msg{Subject: w.c.readySubject(meta.Queue, meta.Priority), Data: m.Data(), Header: nats.Header{}}
		out.Header.Set(metaHeader, string(appendMeta(nil, meta))) // the complete ID
		out.Header.Set(jetstream.MsgIDHeader, meta.ID+".due")
		f, err := w.c.publishAsync(context.Background(), out)
		if err != nil {
			_ = m.NakWithDelay(time.Second)
			return
		}
		w.acks <- ackItem{f: f, m: m, act: actAck}
	}
}

// parseMeta reads a delivered job's Meta and its message's metadata, the
// ID completed with the message's stream sequence (id.go); given says the
// ID was given at Enqueue (the ID option, or a republish that wrote the
// complete ID), so the job has a record.
func parseMeta(m jetstream.Msg) (meta *Meta, md *jetstream.MsgMetadata, given bool, err error) {
	h := m.Headers().Get(metaHeader)
	if h == "" {
		return nil, nil, false, errors.New("durable: message without " + metaHeader)
	}
	meta = new(Meta)
	if err := decodeMeta(h, meta); err != nil {
		return nil, nil, false, err
	}
	if meta.ID == "" || meta.Name == "" {
		return nil, nil, false, errors.New("durable: incomplete " + metaHeader)
	}
	if md, err = m.Metadata(); err != nil {
		return nil, nil, false, err
	}
	given = !isPending(meta.ID)
	meta.ID = completeID(meta.ID, md.Sequence.Stream)
	return meta, md, given, nil
}
