package durable_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/durable"
)

func TestDeadWorkersJobComesBackWithinAckWait(t *testing.T) {
	e := newEnv(t)
	const ackWait = 400 * time.Millisecond
	// Worker A on its own connection, which dies mid-job.
	nc, err := nats.Connect("", nats.InProcessServer(e.srv.NATS()), nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	ca, err := durable.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	wa, _ := durable.NewWorker(ca, e.p, durable.AckWait(ackWait))
	durable.Handle(wa, "j", func(ctx context.Context, _ int) error {
		started <- struct{}{}
		<-release
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- wa.Run(context.Background()) }()
	id := e.enqueue("j", 1)
	<-started
	lost := time.Now()
	nc.Close() // A is gone: no ack, no heartbeat

	var at atomic.Int64
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "j", func(ctx context.Context, _ int) error {
			at.Store(time.Now().UnixNano())
			return nil
		})
	}, durable.AckWait(ackWait))
	r := e.wait(id, durable.Succeeded)
	if back := time.Unix(0, at.Load()).Sub(lost); back > ackWait+time.Second {
		t.Errorf("the job came back %v after its worker died, ack wait %v", back, ackWait)
	}
	// The dead worker's attempt counts if its running record was written
	// (a first delivery shorter than RunningAfter writes none).
	if r.Attempts != 1 && r.Attempts != 2 {
		t.Errorf("attempts %d, want 1 or 2", r.Attempts)
	}
	close(release)
	wa.Shutdown(context.Background())
	<-done
}

func TestTimeoutAndDeadline(t *testing.T) {
	e := newEnv(t)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "wait", func(ctx context.Context, _ int) error {
			<-ctx.Done()
			return context.Cause(ctx)
		})
	})
	r := e.wait(e.enqueue("wait", 1, durable.Timeout(50*time.Millisecond), durable.MaxAttempts(2),
		durable.Backoff(fastPolicy)), durable.Dead)
	if r.Attempts != 2 || !strings.Contains(r.Errors[0].Error, "deadline exceeded") {
		t.Errorf("timeout: %d attempts, errors %+v", r.Attempts, r.Errors)
	}
	r = e.wait(e.enqueue("wait", 2, durable.Deadline(time.Now().Add(100*time.Millisecond)), durable.MaxAttempts(10)), durable.Dead)
	if !strings.Contains(r.Errors[len(r.Errors)-1].Error, durable.ErrDeadline.Error()) {
		t.Errorf("deadline: errors %+v", r.Errors)
	}
}

func TestFinishedRecordsExpire(t *testing.T) {
	e := newEnv(t, durable.DeadRetention(time.Hour))
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "ok", func(ctx context.Context, _ int) error { return nil })
	})
	id := e.enqueue("ok", 1, durable.Retention(90*time.Second))
	e.wait(id, durable.Succeeded)
	dead := e.enqueue("nobody", 1)
	e.wait(dead, durable.Dead)
	s, err := e.c.JetStream().Stream(e.ctx, "KV_"+e.c.Prefix()+"_records")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, ttl string }{{id, "1m30s"}, {dead, "1h0m0s"}} {
		m, err := s.GetLastMsgForSubject(e.ctx, "$KV."+e.c.Prefix()+"_records."+tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Header.Get(jetstream.MsgTTLHeader); got != tc.ttl {
			t.Errorf("record of %s has TTL %q, want %q", tc.id, got, tc.ttl)
		}
	}
	if err := e.c.Cancel(e.ctx, id); !errors.Is(err, durable.ErrFinished) {
		t.Errorf("Cancel = %v", err)
	}
}

// TestJobThatKillsItsWorkersGoesDead: a job whose every worker dies while
// running it is dead after its attempts, not redelivered forever. The job is
// enqueued before the first worker starts, so every delivery reads and
// writes its record (a first delivery to a worker already running may go
// uncounted when it dies within RunningAfter).
func TestJobThatKillsItsWorkersGoesDead(t *testing.T) {
	e := newEnv(t)
	const ackWait = 150 * time.Millisecond
	id := e.enqueue("killer", 1, durable.MaxAttempts(2))
	var stops []func()
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	for i := range 3 {
		nc, err := nats.Connect("", nats.InProcessServer(e.srv.NATS()), nats.NoReconnect())
		if err != nil {
			t.Fatal(err)
		}
		c, err := durable.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		started := make(chan struct{}, 1)
		release := make(chan struct{})
		w, _ := durable.NewWorker(c, e.p, durable.AckWait(ackWait))
		durable.Handle(w, "killer", func(ctx context.Context, _ int) error {
			started <- struct{}{}
			<-release
			return nil
		})
		done := make(chan error, 1)
		go func() { done <- w.Run(context.Background()) }()
		stops = append(stops, func() {
			close(release)
			w.Shutdown(context.Background())
			<-done
			nc.Close()
		})
		if i == 2 {
			break // the third delivery finds two attempts that died
		}
		<-started
		nc.Flush() // the attempt's running record is out
		nc.Close() // the worker dies: no ack, no heartbeat
	}
	r := e.wait(id, durable.Dead)
	if !strings.Contains(r.Errors[len(r.Errors)-1].Error, "worker stopped") || r.Attempts != 2 {
		t.Fatalf("dead record %+v", r)
	}
}
