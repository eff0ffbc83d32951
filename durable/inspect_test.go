package durable_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// inspector returns an inspector on the env's client.
func (e *env) inspector() *durable.Inspector {
	e.t.Helper()
	in, err := durable.NewInspector(e.c)
	if err != nil {
		e.t.Fatal(err)
	}
	return in
}

// queueInfo returns the named queue from Queues.
func (e *env) queueInfo(in *durable.Inspector, name string) durable.QueueInfo {
	e.t.Helper()
	qs, err := in.Queues(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, q := range qs {
		if q.Name == name {
			return q
		}
	}
	e.t.Fatalf("queue %s not in %+v", name, qs)
	return durable.QueueInfo{}
}

// failing registers "fail", which fails permanently, and "ok", which
// succeeds.
func failing(w *durable.Worker) {
	durable.Handle(w, "fail", func(ctx context.Context, _ int) error {
		return retry.Permanent(errors.New("no way"))
	})
	durable.Handle(w, "ok", func(ctx context.Context, _ int) error { return nil })
}

func TestQueuesCountFromStreamAndConsumers(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	for i := range 3 {
		e.enqueue("j", i, durable.Queue("a"))
	}
	e.enqueue("j", 0, durable.Queue("a"), durable.Delay(time.Hour))
	e.enqueue("j", 0, durable.Queue("a"), durable.Delay(time.Hour))
	e.enqueue("j", 0, durable.Queue("b"))
	if err := in.SetQueueConfig(e.ctx, "c", durable.QueueConfig{MaxRunning: 3}); err != nil {
		t.Fatal(err)
	}
	qs, err := in.Queues(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []durable.QueueInfo{
		{Name: "a", Queued: 3, Scheduled: 2},
		{Name: "b", Queued: 1},
		{Name: "c", Config: durable.QueueConfig{MaxRunning: 3}},
	}
	if !slices.Equal(qs, want) {
		t.Fatalf("Queues() = %+v\nwant %+v", qs, want)
	}

	// Jobs handed to a worker are in flight until acknowledged.
	started, release := make(chan struct{}, 3), make(chan struct{})
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "j", func(ctx context.Context, _ int) error {
			started <- struct{}{}
			<-release
			return nil
		})
	}, durable.Queues("a"))
	for range 3 {
		<-started
	}
	q := e.queueInfo(in, "a")
	if q.Queued != 0 || q.InFlight != 3 || q.Scheduled != 2 || !q.Consumers {
		t.Fatalf("with 3 running: %+v, want 0 queued, 3 in flight, 2 scheduled, consumers", q)
	}
	close(release)
}

func TestCountsAndThroughputFromRecords(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	e.worker(failing, durable.Queues("w"))
	var ids []string
	for i := range 2 {
		ids = append(ids, e.enqueue("ok", i, durable.Queue("w")))
	}
	dead := e.enqueue("fail", 0, durable.Queue("w"))
	later := e.enqueue("ok", 0, durable.Queue("w"), durable.Delay(time.Hour))
	gone := e.enqueue("ok", 0, durable.Queue("w"), durable.Delay(time.Hour))
	e.enqueue("ok", 0, durable.Queue("idle"))
	if err := e.c.Cancel(e.ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		e.wait(id, durable.Succeeded)
	}
	e.wait(dead, durable.Dead)
	_ = later

	full, err := in.Counts(e.ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tail, err := in.Throughput(e.ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		got   *durable.Counts
		queue string
		want  durable.StateCounts
	}{
		{"Counts w", full, "w", durable.StateCounts{Scheduled: 1, Succeeded: 2, Dead: 1, Cancelled: 1, RecentSucceeded: 2, RecentDead: 1}},
		{"Counts idle", full, "idle", durable.StateCounts{Queued: 1}},
		{"Throughput w", tail, "w", durable.StateCounts{Scheduled: 1, Succeeded: 2, Dead: 1, Cancelled: 1, RecentSucceeded: 2, RecentDead: 1}},
	}
	for _, tt := range tests {
		got := tt.got.Queues[tt.queue]
		if got == nil || *got != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// Queued and scheduled jobs with generated IDs have no record.
	if full.Records != 4 || full.Window != time.Minute {
		t.Errorf("Counts read %d records over %v, want 4 over 1m", full.Records, full.Window)
	}
	if ps := full.PerSecond("w"); ps != 2.0/60 {
		t.Errorf("PerSecond(w) = %v, want %v", ps, 2.0/60)
	}
}

func TestJobReturnsTheRecordOrErrNotFound(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	e.worker(failing)
	id := e.enqueue("fail", 7)
	e.wait(id, durable.Dead)
	r, err := in.Job(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != id || r.State != durable.Dead || r.Attempts != 1 || len(r.Errors) != 1 ||
		r.Errors[0].At.IsZero() || string(r.Payload) != "7" || r.FinishedAt.IsZero() {
		t.Fatalf("Job(%s) = %+v", id, r)
	}
	tests := []struct {
		id   string
		want error
	}{
		{"nosuchjob", durable.ErrNotFound},
		{"bad id!", durable.ErrInvalid},
		{"", durable.ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := in.Job(e.ctx, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("Job(%q) = %v, want %v", tt.id, err, tt.want)
		}
	}
}

// pages lists every job of a query, page by page, and returns the IDs and
// the page sizes.
func (e *env) pages(in *durable.Inspector, q durable.JobQuery) (ids []string, sizes []int) {
	e.t.Helper()
	for range 100 {
		p, err := in.Jobs(e.ctx, q)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range p.Jobs {
			if r.Queue != q.Queue || r.State != q.State {
				e.t.Fatalf("Jobs(%+v) gave %s in %s/%s", q, r.ID, r.Queue, r.State)
			}
			ids = append(ids, r.ID)
		}
		sizes = append(sizes, len(p.Jobs))
		if p.Next == "" {
			return ids, sizes
		}
		q.Cursor = p.Next
	}
	e.t.Fatal("Jobs never ended")
	return nil, nil
}

func TestJobsPagesInAStableOrder(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	var queued, scheduled, dead []string
	for i := range 25 {
		queued = append(queued, e.enqueue("j", i, durable.Queue("p"), durable.Priority(pool.Lowest+pool.Priority(i%5))))
	}
	for i := range 4 {
		scheduled = append(scheduled, e.enqueue("j", i, durable.Queue("p"), durable.Delay(time.Hour)))
	}
	e.worker(failing, durable.Queues("d"))
	for i := range 7 {
		dead = append(dead, e.enqueue("fail", i, durable.Queue("d")))
		e.enqueue("ok", i, durable.Queue("d"))
	}
	for _, id := range dead {
		e.wait(id, durable.Dead)
	}
	tests := []struct {
		q         durable.JobQuery
		want      []string
		wantSizes []int
	}{
		{durable.JobQuery{Queue: "p", State: durable.Queued, Limit: 10}, queued, []int{10, 10, 5}},
		{durable.JobQuery{Queue: "p", State: durable.Scheduled, Limit: 3}, scheduled, []int{3, 1}},
		{durable.JobQuery{Queue: "p", State: durable.Running}, nil, []int{0}},
		{durable.JobQuery{Queue: "nosuch", State: durable.Dead}, nil, []int{0}},
	}
	for _, tt := range tests {
		ids, sizes := e.pages(in, tt.q)
		if !slices.Equal(ids, tt.want) || !slices.Equal(sizes, tt.wantSizes) {
			t.Errorf("Jobs(%+v): %v in pages %v\nwant %v in pages %v", tt.q, ids, sizes, tt.want, tt.wantSizes)
		}
	}
	// Dead jobs come in the order their records were written, the same
	// across page sizes.
	byThree, sizes := e.pages(in, durable.JobQuery{Queue: "d", State: durable.Dead, Limit: 3})
	bySeven, _ := e.pages(in, durable.JobQuery{Queue: "d", State: durable.Dead, Limit: 7})
	if !slices.Equal(byThree, bySeven) || !slices.Equal(sizes, []int{3, 3, 1}) {
		t.Errorf("dead jobs by 3: %v in pages %v; by 7: %v", byThree, sizes, bySeven)
	}
	slices.Sort(byThree)
	slices.Sort(dead)
	if !slices.Equal(byThree, dead) {
		t.Errorf("dead jobs listed %v, want %v", byThree, dead)
	}
	p, err := in.Jobs(e.ctx, durable.JobQuery{Queue: "p", State: durable.Queued, Limit: 1})
	if err != nil || len(p.Jobs) != 1 || string(p.Jobs[0].Payload) != "0" {
		t.Fatalf("first queued job %+v, %v: want its payload 0", p.Jobs, err)
	}
}

func TestJobsRefusesBadQueries(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	tests := []durable.JobQuery{
		{Queue: "bad queue", State: durable.Queued},
		{Queue: "", State: durable.Queued},
		{Queue: "q", State: "lost"},
		{Queue: "q", State: durable.Queued, Cursor: "x"},
		{Queue: "q", State: durable.Queued, Cursor: "0"},
		{Queue: "q", State: durable.Queued, Limit: -1},
		{Queue: "q", State: durable.Queued, Limit: 1001},
	}
	for _, q := range tests {
		if _, err := in.Jobs(e.ctx, q); !errors.Is(err, durable.ErrInvalid) {
			t.Errorf("Jobs(%+v) = %v, want ErrInvalid", q, err)
		}
	}
	if entries, err := in.Periodic(e.ctx); err != nil || len(entries) != 0 {
		t.Errorf("Periodic() without a scheduler = %v, %v; want none", entries, err)
	}
	if _, err := durable.NewInspector(nil); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("NewInspector(nil) = %v, want ErrInvalid", err)
	}
	e.c.Close()
	if _, err := in.Queues(e.ctx); !errors.Is(err, durable.ErrClosed) {
		t.Errorf("Queues after Close = %v, want ErrClosed", err)
	}
	if _, err := durable.NewInspector(e.c); !errors.Is(err, durable.ErrClosed) {
		t.Errorf("NewInspector(closed) = %v, want ErrClosed", err)
	}
}

// TestJobsPageStaysBounded lists a rare state among many records: each call
// reads at most Budget records, and the pages still find every job.
func TestJobsPageStaysBounded(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	const budget = 300
	jobs := make([]durable.Job, budget+200)
	for i := range jobs {
		// Given IDs, so that every job has a record to scan.
		jobs[i] = durable.Job{Name: "j", Payload: i, Options: []durable.Option{durable.Queue("big"), durable.ID(fmt.Sprintf("j%d", i))}}
	}
	ids, err := e.c.EnqueueBatch(e.ctx, jobs)
	if err != nil {
		t.Fatal(err)
	}
	last := ids[len(ids)-1]
	if err := e.c.Cancel(e.ctx, last); err != nil {
		t.Fatal(err)
	}
	for _, q := range []durable.JobQuery{
		{Queue: "big", State: durable.Cancelled, Budget: budget},
		{Queue: "big", State: durable.Running, Budget: budget},
	} {
		p, err := in.Jobs(e.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Jobs) != 0 || p.Scanned != budget || p.Next == "" {
			t.Fatalf("first page of %s: %d jobs, %d scanned, next %q; want 0, %d, a cursor", q.State, len(p.Jobs), p.Scanned, p.Next, budget)
		}
		q.Cursor = p.Next
		p, err = in.Jobs(e.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if q.State == durable.Cancelled && (len(p.Jobs) != 1 || p.Jobs[0].ID != last) || p.Next != "" {
			t.Fatalf("second page of %s: %+v, want job %s and the end", q.State, p, last)
		}
	}
	if q := e.queueInfo(in, "big"); q.Queued != int64(len(jobs)) {
		t.Fatalf("Queues: %d queued, want %d", q.Queued, len(jobs))
	}
	if _, err := in.Jobs(e.ctx, durable.JobQuery{Queue: "big", State: durable.Dead, Limit: 10, Budget: 5}); !errors.Is(err, durable.ErrInvalid) {
		t.Fatalf("budget below limit: %v, want ErrInvalid", err)
	}
}

func ExampleInspector_Jobs() {
	client, cleanup := exampleServer()
	defer cleanup()
	ctx := context.Background()
	for i := range 3 {
		client.Enqueue(ctx, "email.send", Email{To: fmt.Sprintf("user%d@example.com", i)}, durable.Queue("mail"))
	}
	in, _ := durable.NewInspector(client)
	qs, _ := in.Queues(ctx)
	for _, q := range qs {
		fmt.Printf("queue %s: %d queued, %d scheduled, %d in flight, paused %v\n", q.Name, q.Queued, q.Scheduled, q.InFlight, q.Config.Paused)
	}
	// One call per page; Next is the cursor of the next page.
	q := durable.JobQuery{Queue: "mail", State: durable.Queued, Limit: 2}
	for {
		page, err := in.Jobs(ctx, q)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("page of %d:", len(page.Jobs))
		for _, r := range page.Jobs {
			fmt.Printf(" %s(%s)", r.Name, r.Payload)
		}
		fmt.Println()
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	// Output:
	// queue mail: 3 queued, 0 scheduled, 0 in flight, paused false
	// page of 2: email.send({"to":"user0@example.com","subject":""}) email.send({"to":"user1@example.com","subject":""})
	// page of 1: email.send({"to":"user2@example.com","subject":""})
}
