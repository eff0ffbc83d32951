package durable_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/pool"
)

func TestUniqueKeyGivesTheFirstJobsID(t *testing.T) {
	e := newEnv(t)
	first := e.enqueue("u", 1, durable.Unique("welcome:42"))
	id, err := e.c.Enqueue(e.ctx, "u", 2, durable.Unique("welcome:42"))
	if !errors.Is(err, durable.ErrDuplicate) || id != first {
		t.Fatalf("second Enqueue = %q, %v; want %q, ErrDuplicate", id, err, first)
	}
	ids, err := e.c.EnqueueBatch(e.ctx, []durable.Job{
		{Name: "u", Payload: 3},
		{Name: "u", Payload: 4, Options: []durable.Option{durable.Unique("welcome:42")}},
	})
	if !errors.Is(err, durable.ErrDuplicate) || ids[1] != first || ids[0] == "" {
		t.Fatalf("EnqueueBatch = %q, %v; want [new, %q] and ErrDuplicate", ids, err, first)
	}
	var runs atomic.Int64
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "u", func(ctx context.Context, n int) error { runs.Add(1); return nil })
	})
	e.wait(first, durable.Succeeded)
	e.wait(ids[0], durable.Succeeded)
	// The key is free once the job ended: a new Enqueue makes a new job.
	// The release is asynchronous, so retry while the key is still held.
	for {
		id, err := e.c.Enqueue(e.ctx, "u", 5, durable.Unique("welcome:42"))
		if errors.Is(err, durable.ErrDuplicate) && id == first {
			continue
		}
		if err != nil || id == first {
			t.Fatalf("Enqueue after the job ended = %q, %v", id, err)
		}
		e.wait(id, durable.Succeeded)
		break
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("%d runs, want 3", n)
	}
}

func TestDelayIsHonoured(t *testing.T) {
	e := newEnv(t)
	started := make(chan time.Time, 2)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "d", func(ctx context.Context, _ int) error { started <- time.Now(); return nil })
	})
	const delay = 300 * time.Millisecond
	before := time.Now()
	id := e.enqueue("d", 1, durable.Delay(delay))
	now := e.enqueue("d", 2, durable.At(time.Now().Add(-time.Hour))) // in the past: at once
	r := e.wait(now, durable.Succeeded)
	if r.RunAt != (time.Time{}) {
		t.Errorf("a past At left RunAt %v", r.RunAt)
	}
	<-started
	at := <-started
	if at.Sub(before) < delay {
		t.Errorf("delayed job started %v after enqueue, before its delay %v", at.Sub(before), delay)
	}
	if late := at.Sub(before) - delay; late > 200*time.Millisecond {
		t.Errorf("delayed job started %v late", late)
	}
	r = e.wait(id, durable.Succeeded)
	if r.RunAt.IsZero() {
		t.Error("delayed record without RunAt")
	}
}

func TestManyDelayedJobsDoNotBlockReadyOnes(t *testing.T) {
	e := newEnv(t)
	jobs := make([]durable.Job, 3000)
	for i := range jobs {
		jobs[i] = durable.Job{Name: "d", Payload: i, Options: []durable.Option{durable.Delay(time.Hour)}}
	}
	if _, err := e.c.EnqueueBatch(e.ctx, jobs); err != nil {
		t.Fatal(err)
	}
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "d", func(ctx context.Context, _ int) error { return nil })
	})
	e.wait(e.enqueue("d", -1), durable.Succeeded)
}

func TestHigherPriorityIsFetchedFirst(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var order []pool.Priority
	levels := []pool.Priority{pool.Lowest, pool.Low, pool.Normal, pool.High, pool.Highest}
	var ids []string
	for range 2 {
		for _, p := range levels {
			ids = append(ids, e.enqueue("p", p, durable.Priority(p)))
		}
	}
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "p", func(ctx context.Context, p pool.Priority) error {
			mu.Lock()
			order = append(order, p)
			mu.Unlock()
			return nil
		})
	}, durable.Concurrency(1))
	for _, id := range ids {
		e.wait(id, durable.Succeeded)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(order); i++ {
		if order[i] > order[i-1] {
			t.Fatalf("run order %v: %v after %v", order, order[i], order[i-1])
		}
	}
}

func TestShutdownGivesUnfinishedJobsBackAtOnce(t *testing.T) {
	e := newEnv(t)
	started := make(chan struct{}, 1)
	w1, err := durable.NewWorker(e.c, e.p) // AckWait 30s: a redelivery after it would fail the test
	if err != nil {
		t.Fatal(err)
	}
	var causes []error
	var mu sync.Mutex
	durable.Handle(w1, "slow", func(ctx context.Context, _ int) error {
		started <- struct{}{}
		<-ctx.Done()
		mu.Lock()
		causes = append(causes, context.Cause(ctx))
		mu.Unlock()
		return ctx.Err()
	})
	done := make(chan error, 1)
	go func() { done <- w1.Run(context.Background()) }()
	id := e.enqueue("slow", 1)
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no grace: give the job back now
	if err := w1.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	mu.Lock()
	if len(causes) != 1 || !errors.Is(causes[0], durable.ErrShutdown) {
		t.Errorf("handler causes %v, want [ErrShutdown]", causes)
	}
	mu.Unlock()
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "slow", func(ctx context.Context, _ int) error { return nil })
	})
	wctx, wcancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer wcancel()
	e2 := *e
	e2.ctx = wctx
	r := e2.wait(id, durable.Succeeded)
	if r.Attempts != 1 {
		t.Errorf("attempts %d, want 1: a given-back attempt does not count", r.Attempts)
	}
}

func TestShutdownLetsRunningJobsFinish(t *testing.T) {
	e := newEnv(t)
	started, release := make(chan struct{}), make(chan struct{})
	w, _ := durable.NewWorker(e.c, e.p)
	durable.Handle(w, "j", func(ctx context.Context, _ int) error {
		close(started)
		<-release
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	id := e.enqueue("j", 1)
	<-started
	sd := make(chan error, 1)
	go func() { sd <- w.Shutdown(context.Background()) }()
	close(release)
	if err := <-sd; err != nil {
		t.Fatal(err)
	}
	<-done
	e.wait(id, durable.Succeeded)
}

func TestHeartbeatKeepsALongJob(t *testing.T) {
	e := newEnv(t)
	var calls atomic.Int64
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "long", func(ctx context.Context, _ int) error {
			calls.Add(1)
			select { // the job's own work: four ack waits long
			case <-time.After(1200 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		})
	}, durable.AckWait(300*time.Millisecond))
	id := e.enqueue("long", 1)
	r := e.wait(id, durable.Succeeded)
	if n := calls.Load(); n != 1 || r.Attempts != 1 {
		t.Errorf("%d calls, %d attempts; want 1: heartbeats should prevent a redelivery", n, r.Attempts)
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t)
	queued := e.enqueue("c", 1)
	scheduled := e.enqueue("c", 2, durable.Delay(200*time.Millisecond))
	for _, id := range []string{queued, scheduled} {
		// A context without a deadline works too (nats' FlushWithContext
		// refuses one).
		if err := e.c.Cancel(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Cancel(e.ctx, id); err != nil {
			t.Fatalf("second Cancel = %v, want nil", err)
		}
		e.wait(id, durable.Cancelled)
	}
	ran := make(chan int, 10)
	started := make(chan struct{}, 1)
	cause := make(chan error, 1)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "c", func(ctx context.Context, n int) error {
			ran <- n
			return nil
		})
		durable.Handle(w, "block", func(ctx context.Context, n int) error {
			started <- struct{}{}
			<-ctx.Done()
			cause <- context.Cause(ctx)
			return ctx.Err()
		})
	}, durable.Concurrency(1))
	running := e.enqueue("block", 3)
	<-started
	if err := e.c.Cancel(e.ctx, running); err != nil {
		t.Fatal(err)
	}
	if c := <-cause; !errors.Is(c, durable.ErrCancelled) {
		t.Errorf("running job's cause %v, want ErrCancelled", c)
	}
	e.wait(running, durable.Cancelled)
	// A later job runs; the cancelled ones never did.
	last := e.enqueue("c", 4, durable.Delay(250*time.Millisecond))
	e.wait(last, durable.Succeeded)
	if n := <-ran; n != 4 {
		t.Errorf("job %d ran, want only 4", n)
	}
	if err := e.c.Cancel(e.ctx, last); !errors.Is(err, durable.ErrFinished) {
		t.Errorf("Cancel of a succeeded job = %v, want ErrFinished", err)
	}
	if err := e.c.Cancel(e.ctx, "nosuchjob"); !errors.Is(err, durable.ErrNotFound) {
		t.Errorf("Cancel of an unknown job = %v, want ErrNotFound", err)
	}
}

func TestGivenIDMakesOneJob(t *testing.T) {
	e := newEnv(t)
	var runs atomic.Int64
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "tick", func(ctx context.Context, _ int) error { runs.Add(1); return nil })
	})
	id := e.enqueue("tick", 1, durable.ID("tick-2026-12-03T12-00"))
	if id != "tick-2026-12-03T12-00" {
		t.Fatalf("ID %q", id)
	}
	e.wait(id, durable.Succeeded)
	// Another process's Enqueue of the same tick, after the job ran.
	again, err := e.c.Enqueue(e.ctx, "tick", 1, durable.ID(id))
	if !errors.Is(err, durable.ErrDuplicate) || again != id {
		t.Fatalf("second Enqueue = %q, %v; want %q, ErrDuplicate", again, err, id)
	}
	e.wait(e.enqueue("tick", 2), durable.Succeeded)
	if n := runs.Load(); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
	if r := e.wait(id, durable.Succeeded); r.State != durable.Succeeded {
		t.Errorf("record now %s", r.State)
	}
}

func TestRawPayloadsAndWeightedQueues(t *testing.T) {
	e := newEnv(t)
	got := make(chan string, 4)
	e.worker(func(w *durable.Worker) {
		durable.HandleRaw(w, "raw", func(ctx context.Context, p []byte) error {
			info, _ := durable.FromContext(ctx)
			got <- info.Queue + ":" + string(p)
			return nil
		})
	}, durable.Weighted(map[string]int{"a": 3, "b": 1}))
	ida := e.enqueue("raw", "to a", durable.Raw(), durable.Queue("a"))
	idb := e.enqueue("raw", []byte("to b"), durable.Raw(), durable.Queue("b"))
	e.wait(ida, durable.Succeeded)
	e.wait(idb, durable.Succeeded)
	seen := map[string]bool{<-got: true, <-got: true}
	if !seen["a:to a"] || !seen["b:to b"] {
		t.Errorf("handler saw %v", seen)
	}
}
