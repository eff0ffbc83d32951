package durable

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publisher makes the client's asynchronous JetStream publishes (jobs and
// records) and hears their acknowledgements, as jetstream's PublishMsgAsync
// does, at a fraction of its cost per message (which was, per job, a timer,
// two channels and a reflective decoding of the acknowledgement): one reply
// subscription, a counter for reply subjects, an acknowledgement checked for
// an error without decoding. Up to max publishes wait for their
// acknowledgement at once (publish blocks beyond); one not acknowledged
// within timeout fails with jetstream.ErrAsyncPublishTimeout; one answered
// "no responders" (the stream is not up yet) is sent again twice, 250ms
// apart, as PublishMsgAsync does.
type publisher struct {
	nc      *nats.Conn
	prefix  string // reply subjects: prefix + sequence (base 36)
	window  chan struct{}
	timeout time.Duration

	mu      sync.Mutex
	sub     *nats.Subscription
	seq     uint64
	pending map[uint64]*pubAck
	sweep   *time.Timer // armed while pending is not empty
	armed   bool
}

// pubAck is the outcome of one publish: done closes when the server
// acknowledged it (err nil) or it failed. It is a jetstream.PubAckFuture
// too; its Ok and Err channels are made only when asked for.
type pubAck struct {
	done    chan struct{}
	err     error
	msg     *nats.Msg
	sent    time.Time
	retries int

	mu       sync.Mutex
	finished bool
	ack      []byte // the acknowledgement, for Ok
	okCh     chan *jetstream.PubAck
	errCh    chan error
}

var _ jetstream.PubAckFuture = (*pubAck)(nil)

// Ok returns a channel that receives the acknowledgement, if it succeeds.
func (a *pubAck) Ok() <-chan *jetstream.PubAck {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.okCh == nil {
		a.okCh = make(chan *jetstream.PubAck, 1)
		if a.finished && a.err == nil {
			a.okCh <- a.pubAck()
		}
	}
	return a.okCh
}

// Err returns a channel that receives the error, if it fails.
func (a *pubAck) Err() <-chan error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.errCh == nil {
		a.errCh = make(chan error, 1)
		if a.finished && a.err != nil {
			a.errCh <- a.err
		}
	}
	return a.errCh
}

// Msg returns the published message.
func (a *pubAck) Msg() *nats.Msg { return a.msg }

func (a *pubAck) pubAck() *jetstream.PubAck {
	var pa jetstream.PubAck
	_ = json.Unmarshal(a.ack, &pa)
	return &pa
}

// finish records the outcome and wakes the waiters.
func (a *pubAck) finish(err error, ack []byte) {
	a.mu.Lock()
	a.err, a.finished = err, true
	if err == nil {
		a.ack = ack
		if a.okCh != nil {
			a.okCh <- a.pubAck()
		}
	} else if a.errCh != nil {
		a.errCh <- err
	}
	a.mu.Unlock()
	close(a.done)
}

func newPublisher(nc *nats.Conn, max int, timeout time.Duration) *publisher {
	return &publisher{
		nc: nc, prefix: nc.NewInbox() + ".", window: make(chan struct{}, max),
		timeout: timeout, pending: map[uint64]*pubAck{},
	}
}

// publish sends m (its Reply is set) once the window has room or ctx ends.
func (p *publisher) publish(ctx context.Context, m *nats.Msg) (*pubAck, error) {
	select {
	case p.window <- struct{}{}:
	default:
		select {
		case p.window <- struct{}{}:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	a := &pubAck{done: make(chan struct{}), msg: m, sent: time.Now()}
	p.mu.Lock()
	if p.sub == nil {
		sub, err := p.nc.Subscribe(p.prefix+"*", p.onReply)
		if err != nil {
			p.mu.Unlock()
			<-p.window
			return nil, fmt.Errorf("durable: subscribe to acknowledgements: %w", err)
		}
		p.sub = sub
	}
	p.seq++
	id := p.seq
	p.pending[id] = a
	if !p.armed {
		p.armed = true
		if p.sweep == nil {
			p.sweep = time.AfterFunc(p.timeout/8, p.expire)
		} else {
			p.sweep.Reset(p.timeout / 8)
		}
	}
	p.mu.Unlock()
	m.Reply = p.prefix + strconv.FormatUint(id, 36)
	if err := p.nc.PublishMsg(m); err != nil {
		if p.take(id) != nil {
			<-p.window
		}
		return nil, err
	}
	return a, nil
}

// take removes and returns the pending publish id, if any.
func (p *publisher) take(id uint64) *pubAck {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.pending[id]
	if a != nil {
		delete(p.pending, id)
	}
	return a
}

func (p *publisher) onReply(m *nats.Msg) {
	id, err := strconv.ParseUint(m.Subject[min(len(p.prefix), len(m.Subject)):], 36, 64)
	if err != nil {
		return
	}
	if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
		p.mu.Lock()
		a := p.pending[id]
		if a != nil && a.retries < 2 {
			a.retries++
			a.sent = time.Now()
			p.mu.Unlock()
			time.AfterFunc(250*time.Millisecond, func() {
				p.mu.Lock()
				_, ok := p.pending[id]
				p.mu.Unlock()
				if ok {
					if err := p.nc.PublishMsg(a.msg); err != nil {
						p.fail(id, err)
					}
				}
			})
			return
		}
		p.mu.Unlock()
		p.fail(id, jetstream.ErrNoStreamResponse)
		return
	}
	p.end(id, ackError(m.Data), m.Data)
}

// fail ends the pending publish id with err.
func (p *publisher) fail(id uint64, err error) { p.end(id, err, nil) }

// end ends the pending publish id with err (nil: acknowledged by ack).
func (p *publisher) end(id uint64, err error, ack []byte) {
	a := p.take(id)
	if a == nil {
		return
	}
	<-p.window
	a.finish(err, ack)
}

// ackError reads a publish acknowledgement: nil for {"stream":...}, the
// server's error for {"error":...}.
func ackError(data []byte) error {
	if len(data) == 0 || data[0] != '{' {
		return jetstream.ErrInvalidJSAck
	}
	if !bytes.Contains(data, []byte(`"error"`)) {
		if !bytes.Contains(data, []byte(`"stream"`)) {
			return jetstream.ErrInvalidJSAck
		}
		return nil
	}
	var r struct {
		Error *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.Error == nil {
		return jetstream.ErrInvalidJSAck
	}
	return r.Error
}

// expire fails the publishes not acknowledged within the timeout.
func (p *publisher) expire() {
	now := time.Now()
	var late []uint64
	p.mu.Lock()
	for id, a := range p.pending {
		if now.Sub(a.sent) >= p.timeout {
			late = append(late, id)
		}
	}
	p.mu.Unlock()
	for _, id := range late {
		p.fail(id, jetstream.ErrAsyncPublishTimeout)
	}
	p.mu.Lock()
	if len(p.pending) > 0 {
		p.sweep.Reset(p.timeout / 8)
	} else {
		p.armed = false
	}
	p.mu.Unlock()
}

// wait waits for f's acknowledgement or ctx's end: f's error, ctx's cause
// or nil.
func wait(ctx context.Context, f jetstream.PubAckFuture) error {
	if a, ok := f.(*pubAck); ok {
		return a.wait(ctx)
	}
	select {
	case <-f.Ok():
		return nil
	case err := <-f.Err():
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// wait waits for a's acknowledgement or ctx's end.
func (a *pubAck) wait(ctx context.Context) error {
	select {
	case <-a.done:
		return a.err
	default:
	}
	select {
	case <-a.done:
		return a.err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
