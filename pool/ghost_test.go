package pool

import (
	"context"
	"runtime"
	"testing"
)

// expired is a context that has already ended, for a Shutdown that must
// cancel what is left at once.
func expired() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// TestStatsReconcileAfterShutdownWithHeldGhost: a worker holds a batch of
// jobs it popped (still Queued) while it runs a long one; one held job is
// cancelled, then Shutdown with an expired context cancels the rest. Once
// Close returns, Stats show nothing queued and reconcile, and the pool's
// books are empty. Shutdown used to forget the held ghost, which the
// worker then uncounted once more: queued read 1 for ever.
func TestStatsReconcileAfterShutdownWithHeldGhost(t *testing.T) {
	// The observer keeps the pool off the fast lane, where the worker
	// would size its next batch by the blocking func below.
	p, err := New(1, WithObserver(ObserverFunc(func(Event) {})))
	if err != nil {
		t.Fatal(err)
	}
	w := p.allWorkers()[0]
	gate, started := make(chan struct{}), make(chan struct{})
	// A Go func occupies the worker and leaves its batch size alone.
	if err := p.Go(func() { close(started); <-gate }); err != nil {
		t.Fatal(err)
	}
	<-started
	p.mu.Lock()
	w.batchCap = paceBatch // as after short jobs: the next pop takes a batch
	p.mu.Unlock()

	var jobs []*Job
	long, running := make(chan struct{}), make(chan struct{})
	j0, err := p.Submit(context.Background(), func(ctx context.Context) error {
		close(running)
		<-ctx.Done()
		<-long
		return ctx.Err()
	}, WithPriority(High))
	if err != nil {
		t.Fatal(err)
	}
	jobs = append(jobs, j0)
	for range 8 {
		j, err := p.Submit(context.Background(), func(context.Context) error { return nil }, WithPriority(High))
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	close(gate)
	<-running
	if n := w.heldCnt.Load(); n != 2 {
		t.Fatalf("worker holds %d jobs, want 2 (a quarter of the 8 behind the first)", n)
	}
	jobs[1].Cancel() // held: a ghost until the worker passes it
	if err := p.Shutdown(expired()); err == nil {
		t.Fatal("Shutdown with an expired context returned nil with a job running")
	}
	close(long)
	p.Close()
	if err := p.check(jobs, 1); err != nil {
		t.Fatal(err)
	}
}

// TestStatsReconcileAfterShutdownWithShardGhost is the same on the fast
// lane: a Normal job cancelled in a shard, then an expired Shutdown.
func TestStatsReconcileAfterShutdownWithShardGhost(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(fastLaneProcs))
	p, err := New(1)
	if err != nil {
		t.Fatal(err)
	}
	if p.shards == nil {
		t.Fatal("no fast lane with GOMAXPROCS >= 4")
	}
	gate, started := make(chan struct{}), make(chan struct{})
	if err := p.Go(func() { close(started); <-gate }); err != nil {
		t.Fatal(err)
	}
	<-started
	var jobs []*Job
	for range 3 {
		j, err := p.Submit(context.Background(), func(context.Context) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	jobs[1].Cancel()
	if err := p.Shutdown(expired()); err == nil {
		t.Fatal("Shutdown with an expired context returned nil with a func running")
	}
	close(gate)
	p.Close()
	if err := p.check(jobs, 1); err != nil {
		t.Fatal(err)
	}
}
