package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// rawJetStream is the ceiling of (p)-(r): an embedded nats-server with file
// storage, one WorkQueue stream, PublishAsync, and two Consume instances of
// one durable consumer, each on its own connection, acking explicitly.
func rawJetStream() queueSystem {
	return queueSystem{
		name: jetstreamName,
		note: "nats-server v2.15.3 in process, file storage; PublishAsync (4,096 pending); 2 × Consume, Ack",
		missing: func() string {
			return ""
		},
		open: openJetStream,
	}
}

// jsQueue is one run's embedded server and its connections.
type jsQueue struct {
	dir     string
	ns      *server.Server
	conns   []*nats.Conn
	js      jetstream.JetStream
	cons    []jetstream.ConsumeContext
	pubErrs sync.Map // first publish error, under key 0
}

// embeddedServer starts a JetStream server with file storage under dir,
// reachable only in process.
func embeddedServer(dir string) (*server.Server, error) {
	ns, err := server.NewServer(&server.Options{JetStream: true, StoreDir: dir, DontListen: true, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("nats-server not ready in 10 s")
	}
	return ns, nil
}

func openJetStream() (queue, error) {
	dir, err := os.MkdirTemp("", "bench-jetstream-")
	if err != nil {
		return nil, err
	}
	q := &jsQueue{dir: dir}
	if q.ns, err = embeddedServer(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	nc, err := q.connect()
	if err != nil {
		q.close()
		return nil, err
	}
	q.js, err = jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, _ *nats.Msg, err error) {
			q.pubErrs.LoadOrStore(0, err)
		}))
	if err != nil {
		q.close()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = q.js.CreateStream(ctx, jetstream.StreamConfig{Name: "JOBS", Subjects: []string{"jobs.>"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage})
	if err == nil {
		_, err = q.js.CreateOrUpdateConsumer(ctx, "JOBS", jetstream.ConsumerConfig{Durable: "workers", AckPolicy: jetstream.AckExplicitPolicy})
	}
	if err != nil {
		q.close()
		return nil, err
	}
	return q, nil
}

// connect opens one more in-process connection.
func (q *jsQueue) connect() (*nats.Conn, error) {
	nc, err := nats.Connect(q.ns.ClientURL(), nats.InProcessServer(q.ns))
	if err != nil {
		return nil, err
	}
	q.conns = append(q.conns, nc)
	return nc, nil
}

func (q *jsQueue) serve(handle func([]byte)) error {
	for range 2 {
		nc, err := q.connect()
		if err != nil {
			return err
		}
		js, err := jetstream.New(nc)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := js.Consumer(ctx, "JOBS", "workers")
		cancel()
		if err != nil {
			return err
		}
		cc, err := c.Consume(func(m jetstream.Msg) {
			handle(m.Data())
			m.Ack()
		})
		if err != nil {
			return err
		}
		q.cons = append(q.cons, cc)
	}
	return nil
}

func (q *jsQueue) publish(p []byte) error {
	for {
		_, err := q.js.PublishAsync("jobs.run", p, jetstream.WithStallWait(5*time.Second))
		if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
			return err
		}
	}
}

func (q *jsQueue) enqueue(p []byte) error { return q.publish(p) }

func (q *jsQueue) enqueueAll(ps [][]byte) error {
	for _, p := range ps {
		if err := q.publish(p); err != nil {
			return err
		}
	}
	select {
	case <-q.js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		return fmt.Errorf("%d publishes unacknowledged after a minute", q.js.PublishAsyncPending())
	}
	if err, ok := q.pubErrs.Load(0); ok {
		return err.(error)
	}
	return nil
}

func (q *jsQueue) rss() (float64, error) { return selfRSS() }

func (q *jsQueue) disk() (float64, error) { return dirSize(q.dir) }

func (q *jsQueue) close() error {
	for _, cc := range q.cons {
		cc.Stop()
	}
	for _, nc := range q.conns {
		nc.Close()
	}
	if q.ns != nil {
		q.ns.Shutdown()
		q.ns.WaitForShutdown()
	}
	return os.RemoveAll(q.dir)
}
