package durable_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/threadsystem/threadsystem/durable"
)

// TestConcurrentEnqueueCancelShutdown races enqueuers, cancels and a worker
// shutting down mid-run against a second worker: every job ends succeeded or
// cancelled, and every succeeded job ran at least once.
func TestConcurrentEnqueueCancelShutdown(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	ran := map[string]int{}
	handler := func(w *durable.Worker) {
		durable.Handle(w, "s", func(ctx context.Context, _ int) error {
			info, _ := durable.FromContext(ctx)
			mu.Lock()
			ran[info.ID]++
			mu.Unlock()
			return nil
		})
	}
	w1, _ := durable.NewWorker(e.c, e.p, durable.Concurrency(8))
	handler(w1)
	done := make(chan error, 1)
	go func() { done <- w1.Run(context.Background()) }()
	e.worker(handler, durable.Concurrency(8))

	const producers, each = 6, 100
	var wg sync.WaitGroup
	ids := make([][]string, producers)
	cancelled := make([]map[string]bool, producers)
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cancelled[p] = map[string]bool{}
			for i := range each {
				id, err := e.c.Enqueue(e.ctx, "s", i)
				if err != nil {
					t.Error(err)
					return
				}
				ids[p] = append(ids[p], id)
				if i%7 == 0 {
					err := e.c.Cancel(e.ctx, id)
					switch {
					case err == nil:
						cancelled[p][id] = true
					case errors.Is(err, durable.ErrFinished):
					default:
						t.Error(err)
					}
				}
				if p == 0 && i == each/2 {
					go w1.Shutdown(context.Background())
				}
			}
		}()
	}
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for p := range producers {
		for _, id := range ids[p] {
			r := e.wait(id, durable.Succeeded, durable.Cancelled)
			mu.Lock()
			n := ran[id]
			mu.Unlock()
			switch {
			case r.State == durable.Succeeded && n == 0:
				t.Errorf("job %s succeeded without running", id)
			case r.State == durable.Cancelled && !cancelled[p][id]:
				t.Errorf("job %s cancelled without Cancel", id)
			case cancelled[p][id] && r.State != durable.Cancelled && r.State != durable.Succeeded:
				t.Errorf("cancelled job %s is %s", id, r.State)
			}
		}
	}
}
