package durable

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/pool"
)

// Worker fetches jobs of its queues and runs them on a pool with the
// handlers registered on it. Its methods are safe for concurrent use. Make
// one with NewWorker, register handlers (Handle, HandleResult, HandleRaw),
// then Run it; Shutdown stops it. A zero Worker is not usable.
//
// A Worker acknowledges a job only after the job's record is stored, sends
// heartbeats while a job runs (every AckWait/3), and never holds a pool
// worker while a failed job waits for its retry.
type Worker struct {
	c   *Client
	p   *pool.Pool
	cfg workerConfig

	hmu      sync.RWMutex
	handlers map[string]handlerFunc

	state   atomic.Int32 // idle, running, stopped
	stopCh  chan struct{}
	stopped sync.Once
	runDone chan struct{} // closed when Run has stopped everything
	fetched chan struct{} // closed when nothing more is fetched

	jobCtx    context.Context // parent of every job's context
	cancelAll context.CancelCauseFunc

	slots    chan struct{}
	incoming chan polled
	wake     chan struct{}
	acks     chan ackItem
	procs    sync.WaitGroup
	bg       sync.WaitGroup // dispatcher, pollers, heartbeat, watchers
	ackDone  chan struct{}

	queues    []*queue
	cancelSub *nats.Subscription
	hbStop    chan struct{}
	hbDone    chan struct{}

	mu         sync.Mutex
	running    map[string]*active
	waiting    map[*held]struct{}
	cancelled  map[string]time.Time
	since      time.Time // jobs stored after this were enqueued while we heard cancels
	reconnects uint64
}

const (
	stateIdle int32 = iota
	stateRunning
	stateStopped
)

// NewWorker returns a worker that runs jobs of client's queues on p
// (default queue [DefaultQueue]; see Queues and Weighted). It checks its
// options and makes no round trip; Run creates the consumers.
func NewWorker(client *Client, p *pool.Pool, opts ...WorkerOption) (*Worker, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalid)
	}
	if p == nil {
		return nil, fmt.Errorf("%w: nil pool", ErrInvalid)
	}
	if client.isClosed() {
		return nil, ErrClosed
	}
	cfg := workerConfig{queues: []string{DefaultQueue}, ackWait: DefaultAckWait, pollWait: 300 * time.Millisecond}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		if err := o.applyWorker(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.concurrency == 0 {
		cfg.concurrency = max(64, 4*p.Workers())
	}
	w := &Worker{
		c: client, p: p, cfg: cfg,
		handlers:  map[string]handlerFunc{},
		stopCh:    make(chan struct{}),
		runDone:   make(chan struct{}),
		fetched:   make(chan struct{}),
		slots:     make(chan struct{}, cfg.concurrency),
		wake:      make(chan struct{}, 1),
		acks:      make(chan ackItem, 2*cfg.concurrency),
		ackDone:   make(chan struct{}),
		running:   map[string]*active{},
		waiting:   map[*held]struct{}{},
		cancelled: map[string]time.Time{},
	}
	w.jobCtx, w.cancelAll = context.WithCancelCause(context.Background())
	for i, name := range cfg.queues {
		q := &queue{name: name, weight: 1}
		if cfg.weights != nil {
			q.weight = cfg.weights[i]
		}
		w.queues = append(w.queues, q)
	}
	w.incoming = make(chan polled, 2*len(w.queues)*pool.NumPriorities)
	return w, nil
}

func (w *Worker) register(name string, h handlerFunc) error {
	if name == "" {
		return fmt.Errorf("%w: empty handler name", ErrInvalid)
	}
	if w.state.Load() != stateIdle {
		return fmt.Errorf("%w: register %q before Run", ErrRunning, name)
	}
	w.hmu.Lock()
	defer w.hmu.Unlock()
	if _, ok := w.handlers[name]; ok {
		return fmt.Errorf("%w: handler %q registered twice", ErrInvalid, name)
	}
	w.handlers[name] = h
	return nil
}

func (w *Worker) handler(name string) handlerFunc {
	w.hmu.RLock()
	defer w.hmu.RUnlock()
	return w.handlers[name]
}

// Run creates the consumers of the worker's queues (or updates them to its
// AckWait), then fetches and runs jobs until ctx ends or Shutdown is called.
// When ctx ends first, running jobs are given back at once: their contexts
// are cancelled with [ErrShutdown] and their messages redelivered without
// waiting for the ack wait. Run returns once every handler has returned and
// every acknowledgement is sent: nil after ctx ends or Shutdown, an error if
// the setup fails (the server is unreachable, say), [ErrRunning] if it is
// already running and [ErrShutdown] after Shutdown. An established worker
// survives the server going away: it reconnects (under the connection's
// reconnect policy) and goes on.
func (w *Worker) Run(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: nil context", ErrInvalid)
	}
	if !w.state.CompareAndSwap(stateIdle, stateRunning) {
		if w.state.Load() == stateStopped {
			return ErrShutdown
		}
		return ErrRunning
	}
	go w.acker()
	err := w.setup(ctx)
	if err == nil {
		w.bg.Add(1)
		go w.dispatch()
		select {
		case <-ctx.Done():
			w.stopped.Do(func() { close(w.stopCh) })
			w.giveBack()
		case <-w.stopCh:
		}
	} else {
		w.stopped.Do(func() { close(w.stopCh) })
	}
	for _, q := range w.queues {
		if q.watch != nil {
			_ = q.watch.Stop()
		}
		if q.delayedCC != nil {
			q.delayedCC.Drain()
		}
	}
	for _, q := range w.queues {
		if q.delayedCC != nil {
			<-q.delayedCC.Closed()
		}
	}
	w.bg.Wait() // dispatcher, pollers and watchers
	w.drainIncoming()
	close(w.fetched)
	w.procs.Wait()
	if w.cancelSub != nil {
		_ = w.cancelSub.Unsubscribe()
	}
	if w.hbStop != nil {
		close(w.hbStop)
		<-w.hbDone
	}
	w.cancelAll(ErrShutdown)
	close(w.acks)
	<-w.ackDone
	w.state.Store(stateStopped)
	close(w.runDone)
	return err
}

// Shutdown stops the worker: it fetches nothing more, lets running jobs
// finish until ctx ends, then cancels the rest (their contexts end with the
// cause [ErrShutdown]) and gives their messages back for immediate
// redelivery, not after the ack wait, their attempts uncounted. It waits
// until Run has returned (every handler returned, every acknowledgement
// sent) and returns an error wrapping ctx's if ctx ended first, else nil.
// A worker cannot run again after Shutdown; repeat calls wait likewise.
func (w *Worker) Shutdown(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w.stopped.Do(func() { close(w.stopCh) })
	if w.state.CompareAndSwap(stateIdle, stateStopped) {
		return nil // never ran
	}
	<-w.fetched
	idle := make(chan struct{})
	go func() { w.procs.Wait(); close(idle) }()
	var err error
	select {
	case <-idle:
	case <-ctx.Done():
		err = fmt.Errorf("durable: shutdown: %w", ctx.Err())
		w.giveBack()
		<-idle
	}
	<-w.runDone
	return err
}

// giveBack cancels every running job and naks its message at once.
func (w *Worker) giveBack() {
	w.cancelAll(ErrShutdown)
	type back struct {
		f *pubAck
		m jetstream.Msg
	}
	var backs []back
	w.mu.Lock()
	for _, a := range w.running {
		if a.givenBack {
			continue
		}
		a.givenBack = true
		r := *a.rec
		r.State, r.Attempts, r.GivenBack = Queued, max(0, r.Attempts-1), r.GivenBack+1
		pctx, pcancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		f, _ := w.c.publishAsync(pctx, w.c.recordMsg(&r))
		pcancel()
		backs = append(backs, back{f, a.msg})
	}
	w.mu.Unlock()
	// Nak after the record is stored, so the next worker reads it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, b := range backs {
		if b.f != nil {
			_ = wait(ctx, b.f)
		}
		_ = b.m.Nak()
	}
}

// setup creates the consumers and starts the cancel listener, the queue
// watchers and the heartbeats.
func (w *Worker) setup(ctx context.Context) error {
	sub, err := w.c.nc.Subscribe(w.c.cancelSubj, w.onCancel)
	if err != nil {
		return fmt.Errorf("durable: subscribe to %s: %w", w.c.cancelSubj, err)
	}
	w.cancelSub = sub
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.c.nc.FlushWithContext(fctx); err != nil {
		return fmt.Errorf("durable: worker setup: %w", err)
	}
	w.mu.Lock()
	w.since = time.Now().Add(sinceMargin)
	w.reconnects = w.c.nc.Stats().Reconnects
	w.mu.Unlock()
	for _, q := range w.queues {
		// Controls first, so the consumers are made with the queue's cap;
		// then the watch, which sees every later change.
		if err := w.readQueue(fctx, q); err != nil {
			return err
		}
		if err := w.makeConsumers(fctx, q); err != nil {
			return err
		}
		if err := w.watchQueue(fctx, q); err != nil {
			return err
		}
	}
	w.hbStop, w.hbDone = make(chan struct{}), make(chan struct{})
	go w.heartbeat()
	for _, q := range w.queues {
		cc, err := q.delayed.Consume(w.onDelayed(q), jetstream.PullMaxMessages(256))
		if err != nil {
			return fmt.Errorf("durable: consume delayed jobs of %s: %w", q.name, err)
		}
		q.delayedCC = cc
	}
	return nil
}

// sinceMargin allows for clock skew between this process and the server.
const sinceMargin = 100 * time.Millisecond

func (w *Worker) consumerConfig(q *queue, level int, maxAck int) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       fmt.Sprintf("%s_p%d", q.name, level),
		FilterSubject: fmt.Sprintf("%s.q.%s.p%d", w.c.stream, q.name, level),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.cfg.ackWait,
		MaxDeliver:    -1,
		MaxAckPending: maxAck,
	}
}

// defaultMaxAckPending is the ready consumers' window without MaxRunning.
const defaultMaxAckPending = 20000

func (w *Worker) makeConsumers(ctx context.Context, q *queue) error {
	maxAck := defaultMaxAckPending
	if mr := q.cfg().MaxRunning; mr > 0 {
		maxAck = mr
	}
	q.maxAck = maxAck
	for level := pool.NumPriorities - 1; level >= 0; level-- {
		cons, err := w.c.js.CreateOrUpdateConsumer(ctx, w.c.stream, w.consumerConfig(q, level, maxAck))
		if err != nil {
			return fmt.Errorf("durable: consumer %s_p%d: %w", q.name, level, err)
		}
		q.ready[level] = cons
	}
	cons, err := w.c.js.CreateOrUpdateConsumer(ctx, w.c.stream, jetstream.ConsumerConfig{
		Durable:       q.name + "_delayed",
		FilterSubject: w.c.stream + ".delayed." + q.name,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.cfg.ackWait,
		MaxDeliver:    -1,
		MaxAckPending: -1,
	})
	if err != nil {
		return fmt.Errorf("durable: consumer %s_delayed: %w", q.name, err)
	}
	q.delayed = cons
	return nil
}

// onCancel hears a Cancel: it remembers the ID and cancels the job if it
// runs here.
func (w *Worker) onCancel(m *nats.Msg) {
	id := string(m.Data)
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.cancelled) > 100000 {
		for k, t := range w.cancelled {
			if now.Sub(t) > 24*time.Hour {
				delete(w.cancelled, k)
			}
		}
	}
	w.cancelled[id] = now
	if a, ok := w.running[id]; ok {
		a.cancel(ErrCancelled)
	}
}
