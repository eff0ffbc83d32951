package durable_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/durable"
)

// records returns how many records the records bucket holds.
func (e *env) records() uint64 {
	e.t.Helper()
	s, err := e.c.JetStream().Stream(e.ctx, "KV_"+e.c.Prefix()+"_records")
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return info.State.Msgs
}

// TestQueuedJobIsItsMessage enqueues jobs with generated IDs: no record is
// stored for them, and Job and Cancel find each by its ID alone, through its
// message; an ID whose sequence holds another job's message is not found.
func TestQueuedJobIsItsMessage(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	queued := e.enqueue("m", 1, durable.Queue("msg"))
	scheduled := e.enqueue("m", 2, durable.Queue("msg"), durable.Delay(time.Hour))
	ids, err := e.c.EnqueueBatch(e.ctx, []durable.Job{{Name: "m", Payload: 3, Options: []durable.Option{durable.Queue("msg")}}})
	if err != nil {
		t.Fatal(err)
	}
	batched := ids[0]
	if n := e.records(); n != 0 {
		t.Fatalf("%d records after enqueueing three jobs with generated IDs, want 0", n)
	}
	tests := []struct {
		id      string
		state   durable.State
		payload string
	}{
		{queued, durable.Queued, "1"},
		{scheduled, durable.Scheduled, "2"},
		{batched, durable.Queued, "3"},
	}
	for _, tt := range tests {
		r, err := in.Job(e.ctx, tt.id)
		if err != nil {
			t.Fatalf("Job(%s): %v", tt.id, err)
		}
		if r.ID != tt.id || r.State != tt.state || string(r.Payload) != tt.payload || r.Queue != "msg" || r.Name != "m" {
			t.Errorf("Job(%s) = %+v, want %s with payload %s", tt.id, r, tt.state, tt.payload)
		}
	}
	// The same sequence with another nonce, or a sequence past the
	// stream's end, names no job.
	_, seq, _ := strings.Cut(queued, "-")
	for _, id := range []string{"someoneelse-" + seq, queued + "0", "x-99999"} {
		if _, err := in.Job(e.ctx, id); !errors.Is(err, durable.ErrNotFound) {
			t.Errorf("Job(%s) = %v, want ErrNotFound", id, err)
		}
		if err := e.c.Cancel(e.ctx, id); !errors.Is(err, durable.ErrNotFound) {
			t.Errorf("Cancel(%s) = %v, want ErrNotFound", id, err)
		}
	}

	// Cancel writes the record and removes the message: no worker gets it,
	// and the queue's counts drop at once.
	if err := e.c.Cancel(e.ctx, queued); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Cancel(e.ctx, scheduled); err != nil {
		t.Fatal(err)
	}
	if q := e.queueInfo(in, "msg"); q.Queued != 1 || q.Scheduled != 0 {
		t.Errorf("after two cancels: queued %d, scheduled %d; want 1, 0", q.Queued, q.Scheduled)
	}
	for _, id := range []string{queued, scheduled} {
		if r, err := in.Job(e.ctx, id); err != nil || r.State != durable.Cancelled {
			t.Errorf("Job(%s) after Cancel = %+v, %v; want cancelled", id, r, err)
		}
	}
	ran := make(chan int, 3)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "m", func(_ context.Context, n int) error {
			ran <- n
			return nil
		})
	}, durable.Queues("msg"))
	if r := e.wait(batched, durable.Succeeded); r.ID != batched {
		t.Errorf("record of %s has ID %s", batched, r.ID)
	}
	if n := <-ran; n != 3 {
		t.Errorf("job %d ran, want only 3", n)
	}
}

// TestDueJobKeepsItsID enqueues a delayed job: when it is due and moves to
// its ready subject (a new message), it keeps its ID, is found by it while
// queued, and runs with it.
func TestDueJobKeepsItsID(t *testing.T) {
	e := newEnv(t)
	in := e.inspector()
	gate := make(chan struct{})
	got := make(chan string, 1)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "block", func(ctx context.Context, _ int) error {
			<-gate
			return nil
		})
		durable.Handle(w, "d", func(ctx context.Context, _ int) error {
			info, _ := durable.FromContext(ctx)
			got <- info.ID
			return nil
		})
	}, durable.Concurrency(1))
	blocker := e.enqueue("block", 0)
	id := e.enqueue("d", 0, durable.Delay(50*time.Millisecond))
	// Due while the only slot is taken: it waits, queued, under its ID.
	e.wait(id, durable.Queued)
	if r, err := in.Job(e.ctx, id); err != nil || r.State != durable.Queued || r.ID != id {
		t.Errorf("Job(%s) once due = %+v, %v; want queued", id, r, err)
	}
	close(gate)
	e.wait(blocker, durable.Succeeded)
	if ran := <-got; ran != id {
		t.Errorf("the due job ran as %s, want %s", ran, id)
	}
	e.wait(id, durable.Succeeded)
	s, err := e.c.JetStream().Stream(e.ctx, e.c.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	// The delayed message's ack is sent after its move and applied by the
	// server on its own time, so the job's success can be seen first.
	for {
		_, err := s.GetMsg(e.ctx, 2)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return
		}
		select {
		case <-e.ctx.Done():
			t.Fatalf("the delayed message is still stored (%v)", err)
		case <-time.After(10 * time.Millisecond): // polling the server's state
		}
	}
}

// TestNoRetentionKeepsNoSuccessRecord runs NoRetention jobs: one that
// succeeds at once on its first delivery is acknowledged without any
// record write, and one that failed first (so has a retrying record) has
// its record deleted when it succeeds. A job after each, on a one-slot
// worker, orders the checks: its record is written after the earlier
// job's outcome, on the same connection.
func TestNoRetentionKeepsNoSuccessRecord(t *testing.T) {
	e := newEnv(t)
	kv, err := e.c.JetStream().KeyValue(e.ctx, e.c.Prefix()+"_records")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.c.JetStream().Stream(e.ctx, "KV_"+e.c.Prefix()+"_records")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	tries := map[int]int{}
	succeeded := make(chan int, 4)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "n", func(_ context.Context, n int) error {
			mu.Lock()
			tries[n]++
			first := tries[n] == 1
			mu.Unlock()
			if n == 2 && first {
				return errors.New("first try fails")
			}
			succeeded <- n
			return nil
		})
	}, durable.Concurrency(1))
	// A worker takes a first delivery's state from the message alone only
	// for messages stored some time (100ms) after it began hearing cancels,
	// which it does before its first fetch: once a first job has run, wait
	// that margin out (a wall-clock margin, not a synchronisation).
	e.wait(e.enqueue("n", 0), durable.Succeeded)
	<-succeeded
	time.Sleep(150 * time.Millisecond)
	tests := []struct {
		name    string
		payload int
		writes  uint64 // record writes from the job's Enqueue to the next job's success; 0: not checked
	}{
		{"succeeds at once", 1, 1}, // the next job's record alone
		{"succeeds on a retry", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := recs.Info(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			id := e.enqueue("n", tt.payload, durable.NoRetention(), durable.Backoff(fastPolicy))
			if n := <-succeeded; n != tt.payload {
				t.Fatalf("job %d succeeded, want %d", n, tt.payload)
			}
			next := e.enqueue("n", 10+tt.payload)
			e.wait(next, durable.Succeeded)
			<-succeeded
			if en, err := kv.Get(e.ctx, id); !errors.Is(err, jetstream.ErrKeyNotFound) {
				t.Errorf("record of the NoRetention job after its success: %v, %v; want none", en, err)
			}
			after, err := recs.Info(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if w := after.State.LastSeq - before.State.LastSeq; tt.writes > 0 && w != tt.writes {
				t.Errorf("%d record writes, want %d", w, tt.writes)
			}
		})
	}
}
