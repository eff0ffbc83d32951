package durable_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/durable"
)

// setQueue writes a queue's controls as the admin side does.
func (e *env) setQueue(name string, c durable.QueueConfig) {
	e.t.Helper()
	kv, err := e.c.JetStream().KeyValue(e.ctx, e.c.Prefix()+"_queues")
	if err != nil {
		e.t.Fatal(err)
	}
	data, _ := json.Marshal(c)
	if _, err := kv.Put(e.ctx, name, data); err != nil {
		e.t.Fatal(err)
	}
}

func TestPausedQueueIsNotFetched(t *testing.T) {
	e := newEnv(t)
	e.setQueue("held", durable.QueueConfig{Paused: true})
	ran := make(chan string, 4)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "j", func(ctx context.Context, q string) error { ran <- q; return nil })
	}, durable.Queues("held", "other"), durable.Concurrency(1))
	held := e.enqueue("j", "held", durable.Queue("held"))
	e.wait(e.enqueue("j", "other", durable.Queue("other")), durable.Succeeded)
	if q := <-ran; q != "other" {
		t.Fatalf("a job of the paused queue ran")
	}
	e.setQueue("held", durable.QueueConfig{Paused: false})
	e.wait(held, durable.Succeeded)
}

func TestMaxRunningCapsTheQueueAcrossWorkers(t *testing.T) {
	e := newEnv(t)
	const limit, n = 2, 8
	e.setQueue(durable.DefaultQueue, durable.QueueConfig{MaxRunning: limit})
	var cur, peak atomic.Int64
	release := make(chan struct{})
	started := make(chan struct{}, n)
	h := func(w *durable.Worker) {
		durable.Handle(w, "j", func(ctx context.Context, _ int) error {
			c := cur.Add(1)
			for {
				p := peak.Load()
				if c <= p || peak.CompareAndSwap(p, c) {
					break
				}
			}
			started <- struct{}{}
			<-release
			cur.Add(-1)
			return nil
		})
	}
	e.worker(h, durable.Concurrency(n))
	e.worker(h, durable.Concurrency(n))
	var ids []string
	for i := range n {
		ids = append(ids, e.enqueue("j", i))
	}
	for range n {
		<-started
		release <- struct{}{}
	}
	for _, id := range ids {
		e.wait(id, durable.Succeeded)
	}
	if p := peak.Load(); p > limit {
		t.Fatalf("%d jobs ran at once, cap %d", p, limit)
	}
}

// TestRateLimitPacesStartsAcrossWorkers runs a rate-limited queue on two
// workers: the rate holds for both together, not for each.
func TestRateLimitPacesStartsAcrossWorkers(t *testing.T) {
	tests := []struct {
		name    string
		workers int
	}{
		{"one worker", 1},
		{"two workers", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const rate, n = 20.0, 8
			e.setQueue(durable.DefaultQueue, durable.QueueConfig{Rate: rate, Burst: 1})
			var mu sync.Mutex
			var starts []time.Time
			for range tt.workers {
				e.worker(func(w *durable.Worker) {
					durable.Handle(w, "j", func(ctx context.Context, _ int) error {
						mu.Lock()
						starts = append(starts, time.Now())
						mu.Unlock()
						return nil
					})
				})
			}
			jobs := make([]durable.Job, n)
			for i := range jobs {
				jobs[i] = durable.Job{Name: "j", Payload: i}
			}
			ids, err := e.c.EnqueueBatch(e.ctx, jobs)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				e.wait(id, durable.Succeeded)
			}
			mu.Lock()
			defer mu.Unlock()
			slices.SortFunc(starts, time.Time.Compare)
			span := starts[n-1].Sub(starts[0])
			// n starts at 20/s with a burst of 1 take (n-1)/20 s, however
			// many workers share the queue (two at 20/s each would take
			// half that); allow 20% for the first token.
			if min := time.Duration(float64(n-1) / rate * 0.8 * float64(time.Second)); span < min {
				t.Fatalf("%d starts within %v, want at least %v at %v/s", n, span, min, rate)
			}
		})
	}
}

func TestMaxRunningFollowsAChangeWhileRunning(t *testing.T) {
	e := newEnv(t)
	e.worker(nil)
	// The worker made the consumers; the admin side now sets a cap.
	e.setQueue(durable.DefaultQueue, durable.QueueConfig{MaxRunning: 3})
	js := e.c.JetStream()
	for {
		c, err := js.Consumer(e.ctx, e.c.Prefix(), durable.DefaultQueue+"_p2")
		switch {
		case errors.Is(err, jetstream.ErrConsumerNotFound): // Run is still setting up
		case err != nil:
			t.Fatal(err)
		case c.CachedInfo().Config.MaxAckPending == 3:
			return
		}
		select {
		case <-e.ctx.Done():
			t.Fatal("MaxAckPending never became 3")
		case <-time.After(10 * time.Millisecond): // polling the server's state
		}
	}
}
