package durable_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type env struct {
	t   *testing.T
	srv *embedded.Server
	c   *durable.Client
	p   *pool.Pool
	ctx context.Context
}

// newEnv starts a server on a fresh directory and a client on it; all are
// stopped when the test ends.
func newEnv(t *testing.T, opts ...durable.ClientOption) *env {
	t.Helper()
	srv, err := embedded.Start(t.TempDir(), embedded.InProcessOnly())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(func() {
		cancel()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	c, err := durable.New(srv.Conn(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	p, err := pool.New(4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &env{t: t, srv: srv, c: c, p: p, ctx: ctx}
}

// worker makes a worker, lets register add handlers, and runs it until the
// test ends.
func (e *env) worker(register func(w *durable.Worker), opts ...durable.WorkerOption) *durable.Worker {
	e.t.Helper()
	w, err := durable.NewWorker(e.c, e.p, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	if register != nil {
		register(w)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	e.t.Cleanup(func() {
		if err := w.Shutdown(context.Background()); err != nil {
			e.t.Error(err)
		}
		if err := <-done; err != nil {
			e.t.Errorf("Run: %v", err)
		}
	})
	return w
}

// wait returns the job's record once its state is one of states, watching
// the record (no polling).
func (e *env) wait(id string, states ...durable.State) *durable.Record {
	e.t.Helper()
	kv, err := e.c.JetStream().KeyValue(e.ctx, e.c.Prefix()+"_records")
	if err != nil {
		e.t.Fatal(err)
	}
	kw, err := kv.Watch(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer kw.Stop()
	var last *durable.Record
	for {
		select {
		case en := <-kw.Updates():
			if en == nil || en.Operation() != jetstream.KeyValuePut {
				continue
			}
			var r durable.Record
			if err := json.Unmarshal(en.Value(), &r); err != nil {
				e.t.Fatal(err)
			}
			last = &r
			for _, s := range states {
				if r.State == s {
					return &r
				}
			}
		case <-e.ctx.Done():
			e.t.Fatalf("job %s never reached %v; last record %+v", id, states, last)
			return nil
		}
	}
}

func (e *env) enqueue(name string, payload any, opts ...durable.Option) string {
	e.t.Helper()
	id, err := e.c.Enqueue(e.ctx, name, payload, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}
