package durable_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

func TestEnqueueRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name    string
		handler string
		payload any
		opts    []durable.Option
		want    error
	}{
		{"empty name", "", 1, nil, durable.ErrInvalid},
		{"queue with a dot", "j", 1, []durable.Option{durable.Queue("a.b")}, durable.ErrInvalid},
		{"queue with a wildcard", "j", 1, []durable.Option{durable.Queue("a*")}, durable.ErrInvalid},
		{"empty queue", "j", 1, []durable.Option{durable.Queue("")}, durable.ErrInvalid},
		{"queue with a space", "j", 1, []durable.Option{durable.Queue("a b")}, durable.ErrInvalid},
		{"negative delay", "j", 1, []durable.Option{durable.Delay(-time.Second)}, durable.ErrInvalid},
		{"zero At", "j", 1, []durable.Option{durable.At(time.Time{})}, durable.ErrInvalid},
		{"priority out of range", "j", 1, []durable.Option{durable.Priority(7)}, durable.ErrInvalid},
		{"zero max attempts", "j", 1, []durable.Option{durable.MaxAttempts(0)}, durable.ErrInvalid},
		{"negative timeout", "j", 1, []durable.Option{durable.Timeout(-1)}, durable.ErrInvalid},
		{"short retention", "j", 1, []durable.Option{durable.Retention(time.Millisecond)}, durable.ErrInvalid},
		{"bad backoff", "j", 1, []durable.Option{durable.Backoff(retry.Policy{InitialDelay: -1})}, durable.ErrInvalid},
		{"backoff with RetryIf", "j", 1, []durable.Option{durable.Backoff(retry.Policy{RetryIf: func(error) bool { return true }})}, durable.ErrInvalid},
		{"empty unique key", "j", 1, []durable.Option{durable.Unique("")}, durable.ErrInvalid},
		{"bad ID", "j", 1, []durable.Option{durable.ID("a.b")}, durable.ErrInvalid},
		{"raw payload not bytes", "j", 1, []durable.Option{durable.Raw()}, durable.ErrInvalid},
		{"payload not JSON", "j", make(chan int), nil, durable.ErrInvalid},
		{"nil option", "j", 1, []durable.Option{nil}, durable.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := e.c.Enqueue(e.ctx, tc.handler, tc.payload, tc.opts...)
			if !errors.Is(err, tc.want) || id != "" {
				t.Fatalf("Enqueue = %q, %v; want \"\", %v", id, err, tc.want)
			}
		})
	}
	// Nothing was left behind: the stream holds no job.
	s, err := e.c.JetStream().Stream(e.ctx, e.c.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Errorf("refused enqueues left %d messages", info.State.Msgs)
	}
}

func TestClosedClientRefusesWork(t *testing.T) {
	e := newEnv(t)
	e.c.Close()
	if _, err := e.c.Enqueue(e.ctx, "j", 1); !errors.Is(err, durable.ErrClosed) {
		t.Errorf("Enqueue after Close = %v, want ErrClosed", err)
	}
	if _, err := e.c.EnqueueBatch(e.ctx, []durable.Job{{Name: "j"}}); !errors.Is(err, durable.ErrClosed) {
		t.Errorf("EnqueueBatch after Close = %v, want ErrClosed", err)
	}
	if err := e.c.Cancel(e.ctx, "x"); !errors.Is(err, durable.ErrClosed) {
		t.Errorf("Cancel after Close = %v, want ErrClosed", err)
	}
	if _, err := durable.NewWorker(e.c, e.p); !errors.Is(err, durable.ErrClosed) {
		t.Errorf("NewWorker on a closed client = %v, want ErrClosed", err)
	}
	if err := e.c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestConnectNamesTheURL(t *testing.T) {
	const url = "nats://127.0.0.1:1"
	_, err := durable.Connect(url, durable.NATS(nats.Timeout(200*time.Millisecond)))
	if err == nil || !strings.Contains(err.Error(), url) {
		t.Fatalf("Connect = %v, want an error naming %s", err, url)
	}
	if _, err := durable.New(nil); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("New(nil) = %v, want ErrInvalid", err)
	}
	for _, o := range []durable.ClientOption{durable.Prefix("a.b"), durable.Replicas(0), durable.DeadRetention(0), durable.UniqueLease(time.Millisecond), nil} {
		if _, err := durable.Connect(url, o); !errors.Is(err, durable.ErrInvalid) {
			t.Errorf("Connect with a bad option = %v, want ErrInvalid", err)
		}
	}
}

func TestWorkerRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	for _, o := range []durable.WorkerOption{
		durable.Queues(), durable.Queues("a.b"), durable.Queues("a", "a"),
		durable.Weighted(nil), durable.Weighted(map[string]int{"a": 0}),
		durable.Concurrency(0), durable.AckWait(time.Millisecond), nil,
	} {
		if _, err := durable.NewWorker(e.c, e.p, o); !errors.Is(err, durable.ErrInvalid) {
			t.Errorf("NewWorker with a bad option = %v, want ErrInvalid", err)
		}
	}
	if _, err := durable.NewWorker(nil, e.p); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("NewWorker(nil client) = %v", err)
	}
	if _, err := durable.NewWorker(e.c, nil); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("NewWorker(nil pool) = %v", err)
	}
	w, err := durable.NewWorker(e.c, e.p)
	if err != nil {
		t.Fatal(err)
	}
	noop := func(context.Context, int) error { return nil }
	if err := durable.Handle(w, "", noop); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("Handle with no name = %v", err)
	}
	if err := durable.Handle[int](w, "x", nil); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("Handle with nil func = %v", err)
	}
	if err := durable.Handle(w, "x", noop); err != nil {
		t.Fatal(err)
	}
	if err := durable.Handle(w, "x", noop); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("Handle twice = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	if err := w.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil && !errors.Is(err, durable.ErrShutdown) {
		t.Errorf("Run = %v", err)
	}
	if err := w.Run(context.Background()); !errors.Is(err, durable.ErrShutdown) {
		t.Errorf("Run after Shutdown = %v, want ErrShutdown", err)
	}
	if err := durable.Handle(w, "y", noop); !errors.Is(err, durable.ErrRunning) {
		t.Errorf("Handle after Run = %v, want ErrRunning", err)
	}
}

func TestWorkerGoesOnAfterTheServerRestarts(t *testing.T) {
	dir := t.TempDir()
	srv, err := embedded.Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	url := srv.ClientURL()
	port := srv.NATS().Addr().(*net.TCPAddr).Port
	c, err := durable.Connect(url, durable.NATS(nats.ReconnectWait(20*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, _ := pool.New(2)
	defer p.Close()
	ran := make(chan int, 4)
	w, _ := durable.NewWorker(c, p)
	durable.Handle(w, "r", func(ctx context.Context, n int) error { ran <- n; return nil })
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := c.Enqueue(ctx, "r", 1); err != nil {
		t.Fatal(err)
	}
	if n := <-ran; n != 1 {
		t.Fatalf("ran %d", n)
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err = embedded.Start(dir, embedded.Listen("127.0.0.1", port))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	// Enqueue retries until the client has reconnected.
	for {
		if _, err = c.Enqueue(ctx, "r", 2); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("Enqueue after restart: %v", err)
		}
	}
	select {
	case n := <-ran:
		if n != 2 {
			t.Fatalf("ran %d, want 2", n)
		}
	case <-ctx.Done():
		t.Fatal("the worker did not run a job after the server restarted")
	}
	if err := w.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	<-done
}
