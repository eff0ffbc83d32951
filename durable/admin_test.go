package durable_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// exampleServer starts a server in a temporary directory and a client on
// it, for the examples.
func exampleServer() (*durable.Client, func()) {
	dir, _ := os.MkdirTemp("", "durable-example")
	srv, err := embedded.Start(dir, embedded.InProcessOnly())
	if err != nil {
		panic(err)
	}
	client, err := durable.New(srv.Conn())
	if err != nil {
		panic(err)
	}
	return client, func() {
		client.Close()
		srv.Shutdown(context.Background())
		os.RemoveAll(dir)
	}
}

// waitUniqueReleased waits until the unique key is free, watching its
// entry in the unique bucket.
func (e *env) waitUniqueReleased(key string) {
	e.t.Helper()
	kv, err := e.c.JetStream().KeyValue(e.ctx, e.c.Prefix()+"_unique")
	if err != nil {
		e.t.Fatal(err)
	}
	kw, err := kv.Watch(e.ctx, base64.RawURLEncoding.EncodeToString([]byte(key)))
	if err != nil {
		e.t.Fatal(err)
	}
	defer kw.Stop()
	for {
		select {
		case en := <-kw.Updates():
			if en != nil && en.Operation() != jetstream.KeyValuePut {
				return
			}
		case <-e.ctx.Done():
			e.t.Fatalf("unique key %q never released", key)
		}
	}
}

// flaky registers "flaky": it fails permanently until open is closed.
func flaky(open <-chan struct{}, runs *sync.Map) func(w *durable.Worker) {
	return func(w *durable.Worker) {
		durable.Handle(w, "flaky", func(ctx context.Context, _ int) error {
			info, _ := durable.FromContext(ctx)
			n, _ := runs.LoadOrStore(info.ID, new(int))
			*n.(*int)++
			select {
			case <-open:
				return nil
			default:
				return retry.Permanent(errors.New("not yet"))
			}
		})
	}
}

func TestRetryReenqueuesADeadJobWithAttemptsReset(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	open := make(chan struct{})
	var runs sync.Map
	e.worker(flaky(open, &runs))
	id := e.enqueue("flaky", 1, durable.MaxAttempts(1), durable.Unique("the-one"))
	e.wait(id, durable.Dead)
	e.waitUniqueReleased("the-one")
	// While another job holds its unique key, the dead job is not retried.
	holder := e.enqueue("flaky", 2, durable.Queue("parked"), durable.Unique("the-one"))
	if err := in.Retry(e.ctx, id); !errors.Is(err, durable.ErrDuplicate) {
		t.Fatalf("Retry with the key held = %v, want ErrDuplicate", err)
	}
	if r, err := in.Job(e.ctx, id); err != nil || r.State != durable.Dead {
		t.Fatalf("after a refused Retry: %+v, %v; want still dead", r, err)
	}
	if err := e.c.Cancel(e.ctx, holder); err != nil {
		t.Fatal(err)
	}
	e.waitUniqueReleased("the-one")
	close(open)
	if err := in.Retry(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	r := e.wait(id, durable.Succeeded)
	if r.Attempts != 1 || r.Retried != 1 || r.RetriedAt.IsZero() || len(r.Errors) != 1 {
		t.Fatalf("retried job: %d attempts, retried %d at %v, errors %v; want 1 attempt, retried once, the first error kept",
			r.Attempts, r.Retried, r.RetriedAt, r.Errors)
	}
	if n, _ := runs.Load(id); *n.(*int) != 2 {
		t.Fatalf("the job ran %d times, want 2", *n.(*int))
	}
	e.waitUniqueReleased("the-one")
	tests := []struct {
		id   string
		want error
	}{
		{id, durable.ErrNotDead},
		{"nosuch", durable.ErrNotFound},
		{"bad id", durable.ErrInvalid},
	}
	for _, tt := range tests {
		if err := in.Retry(e.ctx, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("Retry(%q) = %v, want %v", tt.id, err, tt.want)
		}
		if err := in.Delete(e.ctx, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("Delete(%q) = %v, want %v", tt.id, err, tt.want)
		}
	}
}

func TestConcurrentRetriesEnqueueOnce(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	w := e.worker(failing)
	id := e.enqueue("fail", 0)
	e.wait(id, durable.Dead)
	// No worker: a retried job stays queued rather than dying again, which
	// would let a later Retry in.
	if err := w.Shutdown(e.ctx); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { errs <- in.Retry(e.ctx, id) }()
	}
	ok := 0
	for range n {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, durable.ErrNotDead):
			t.Errorf("Retry: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent retries enqueued the job, want 1", ok, n)
	}
	if r, err := in.Job(e.ctx, id); err != nil || r.State != durable.Queued || r.Retried != 1 {
		t.Fatalf("record after the retries: %+v, %v; want queued, retried once", r, err)
	}
	if q := e.queueInfo(in, durable.DefaultQueue); q.Queued != 1 {
		t.Fatalf("%d jobs queued after the retries, want 1", q.Queued)
	}
}

func TestRetryAndDeleteAllDeadOfAQueue(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	open := make(chan struct{})
	var runs sync.Map
	e.worker(flaky(open, &runs), durable.Queues("x", "y"))
	var xs, ys []string
	for i := range 3 {
		xs = append(xs, e.enqueue("flaky", i, durable.Queue("x"), durable.MaxAttempts(1)))
		ys = append(ys, e.enqueue("flaky", i, durable.Queue("y"), durable.MaxAttempts(1)))
	}
	for _, id := range append(append([]string(nil), xs...), ys...) {
		e.wait(id, durable.Dead)
	}
	close(open)
	n, err := in.RetryDead(e.ctx, "x")
	if err != nil || n != 3 {
		t.Fatalf("RetryDead(x) = %d, %v; want 3", n, err)
	}
	for _, id := range xs {
		e.wait(id, durable.Succeeded)
	}
	n, err = in.DeleteDead(e.ctx, "y")
	if err != nil || n != 3 {
		t.Fatalf("DeleteDead(y) = %d, %v; want 3", n, err)
	}
	for _, id := range ys {
		if _, err := in.Job(e.ctx, id); !errors.Is(err, durable.ErrNotFound) {
			t.Errorf("Job(%s) after DeleteDead = %v, want ErrNotFound", id, err)
		}
	}
	counts, err := in.Counts(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if x, y := counts.Queues["x"], counts.Queues["y"]; x == nil || x.Succeeded != 3 || x.Dead != 0 || y != nil {
		t.Fatalf("after RetryDead(x), DeleteDead(y): x %+v, y %+v", x, y)
	}
	if _, err := in.RetryDead(e.ctx, "bad queue"); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("RetryDead(bad queue) = %v, want ErrInvalid", err)
	}
}

func TestPurgeRemovesAQueuesJobsAndRecords(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	var purged []string
	for i := range 5 {
		purged = append(purged, e.enqueue("j", i, durable.Queue("pq")))
	}
	purged = append(purged, e.enqueue("j", 0, durable.Queue("pq"), durable.Delay(time.Hour), durable.Unique("u")))
	kept := e.enqueue("j", 0, durable.Queue("other"))
	n, err := in.Purge(e.ctx, "pq")
	if err != nil || n != len(purged) {
		t.Fatalf("Purge = %d, %v; want %d", n, err, len(purged))
	}
	for _, id := range purged {
		if _, err := in.Job(e.ctx, id); !errors.Is(err, durable.ErrNotFound) {
			t.Errorf("Job(%s) after Purge = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := in.Job(e.ctx, kept); err != nil {
		t.Errorf("Job of another queue after Purge: %v", err)
	}
	if q := e.queueInfo(in, "other"); q.Queued != 1 {
		t.Errorf("other queue after Purge: %+v", q)
	}
	qs, err := in.Queues(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.Name == "pq" && (q.Queued != 0 || q.Scheduled != 0) {
			t.Errorf("purged queue still counts %+v", q)
		}
	}
	if _, err := e.c.Enqueue(e.ctx, "j", 0, durable.Queue("pq"), durable.Unique("u")); err != nil {
		t.Errorf("unique key of a purged job still held: %v", err)
	}
	if n, err := in.Purge(e.ctx, "empty"); n != 0 || err != nil {
		t.Errorf("Purge(empty) = %d, %v", n, err)
	}
}

func TestPauseStopsFetchingAndResumeRestarts(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	if err := in.SetQueueConfig(e.ctx, "held", durable.QueueConfig{MaxRunning: 2}); err != nil {
		t.Fatal(err)
	}
	if err := in.Pause(e.ctx, "held"); err != nil {
		t.Fatal(err)
	}
	if err := in.Pause(e.ctx, "held"); err != nil { // a no-op
		t.Fatal(err)
	}
	if qc, err := in.QueueConfig(e.ctx, "held"); err != nil || qc != (durable.QueueConfig{Paused: true, MaxRunning: 2}) {
		t.Fatalf("QueueConfig after Pause = %+v, %v; want paused, MaxRunning kept", qc, err)
	}
	ran := make(chan string, 4)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "j", func(ctx context.Context, q string) error { ran <- q; return nil })
	}, durable.Queues("held", "other"), durable.Concurrency(1))
	held := e.enqueue("j", "held", durable.Queue("held"))
	e.wait(e.enqueue("j", "other", durable.Queue("other")), durable.Succeeded)
	if q := <-ran; q != "other" {
		t.Fatal("a job of the paused queue ran")
	}
	q := e.queueInfo(in, "held")
	if !q.Config.Paused || q.Queued != 1 || q.InFlight != 0 {
		t.Fatalf("paused queue: %+v, want paused with 1 queued", q)
	}
	if r, err := in.Job(e.ctx, held); err != nil || r.State != durable.Queued {
		t.Fatalf("job of the paused queue: %+v, %v", r, err)
	}
	if err := in.Resume(e.ctx, "held"); err != nil {
		t.Fatal(err)
	}
	e.wait(held, durable.Succeeded)
	tests := []struct {
		name string
		err  error
	}{
		{"SetQueueConfig negative", in.SetQueueConfig(e.ctx, "held", durable.QueueConfig{MaxRunning: -1})},
		{"SetQueueConfig bad queue", in.SetQueueConfig(e.ctx, "a.b", durable.QueueConfig{})},
		{"Pause bad queue", in.Pause(e.ctx, "")},
		{"Resume bad queue", in.Resume(e.ctx, "x y")},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, durable.ErrInvalid) {
			t.Errorf("%s = %v, want ErrInvalid", tt.name, tt.err)
		}
	}
}

func ExampleInspector_Retry() {
	client, cleanup := exampleServer()
	defer cleanup()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, _ := pool.New(2)
	defer p.Close()
	w, _ := durable.NewWorker(client, p)
	var fixed atomic.Bool // the bug a deploy fixes
	durable.Handle(w, "export", func(ctx context.Context, file string) error {
		if !fixed.Load() {
			return retry.Permanent(errors.New("disk full"))
		}
		return nil
	})
	go w.Run(ctx)
	defer w.Shutdown(ctx)

	in, _ := durable.NewInspector(client)
	id, _ := client.Enqueue(ctx, "export", "report.csv")
	// A job's record can be watched, as a dashboard would.
	records, _ := client.JetStream().KeyValue(ctx, client.Prefix()+"_records")
	kw, _ := records.Watch(ctx, id)
	defer kw.Stop()
	until := func(s durable.State) *durable.Record {
		for e := range kw.Updates() {
			var r durable.Record
			if e != nil && json.Unmarshal(e.Value(), &r) == nil && r.State == s {
				return &r
			}
		}
		return nil
	}
	until(durable.Dead)
	page, _ := in.Jobs(ctx, durable.JobQuery{Queue: durable.DefaultQueue, State: durable.Dead})
	for _, r := range page.Jobs {
		fmt.Printf("dead: %s(%s) after %d attempt: %s\n", r.Name, r.Payload, r.Attempts, r.Errors[0].Error)
	}
	fixed.Store(true)
	n, _ := in.RetryDead(ctx, durable.DefaultQueue)
	fmt.Println("retried", n)
	r := until(durable.Succeeded)
	if r == nil {
		fmt.Println("timed out")
		return
	}
	fmt.Printf("succeeded, retried %d time, errors kept %d\n", r.Retried, len(r.Errors))
	// Output:
	// dead: export("report.csv") after 1 attempt: disk full
	// retried 1
	// succeeded, retried 1 time, errors kept 1
}
