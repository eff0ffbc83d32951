package crashtest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/pool"
)

// TestServerKilledMidEnqueue kills, with SIGKILL, a process that embeds the
// server and enqueues jobs, then restarts a server on the same directory:
// every job whose Enqueue returned success is still there, queued, and runs
// to success once.
func TestServerKilledMidEnqueue(t *testing.T) {
	n := jobCount(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	ackLog := &idLog{path: filepath.Join(dir, "acked")}
	start := time.Now()
	ch := startChild(t, "server", ackLog.path, envDir+"="+store, envJobs+"="+itoa(2*n))
	ackLog.waitLines(t, ch, n, 3*time.Minute)
	ch.kill()
	killed := time.Now()
	if err := ackLog.poll(); err != nil {
		t.Fatal(err)
	}
	acked := ackLog.ids
	enqueueTime := killed.Sub(start)

	srv := startServer(t, store)
	ready := time.Since(killed)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := openClient(t, srv)
	recs := watchRecords(t, ctx, c)
	barrier(t, ctx, c, recs, "crashtest-barrier")

	// Every acknowledged job is stored, queued (its message is its state).
	stored := queuedJobs(t, ctx, c)
	for _, id := range acked {
		if !stored[id] {
			t.Errorf("acknowledged job %s is not queued after the restart", id)
		}
	}
	s, err := c.JetStream().Stream(ctx, c.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs < uint64(len(acked)) {
		t.Errorf("the stream holds %d jobs after the restart, fewer than the %d acknowledged", info.State.Msgs, len(acked))
	}
	records := recs.count()

	// And runs.
	p, err := pool.New(4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	w, err := durable.NewWorker(c, p, durable.AckWait(*ackWaitFlag))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ran := map[string]int{}
	if err := durable.HandleRaw(w, jobName, func(ctx context.Context, _ []byte) error {
		info, _ := durable.FromContext(ctx)
		mu.Lock()
		ran[info.ID]++
		mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	runStart := time.Now()
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	recs.waitSucceeded(t, acked, 3*time.Minute)
	runTime := time.Since(runStart)
	reportStreamEmpty(t, ctx, c, 10*time.Second)
	if err := w.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	barrier(t, ctx, c, recs, "crashtest-barrier-2")

	mu.Lock()
	defer mu.Unlock()
	for _, id := range acked {
		if ran[id] != 1 {
			t.Errorf("acknowledged job %s ran %d times after the restart, want once", id, ran[id])
		}
	}
	// Every stored job ran, the child's unreported ones too, and no record
	// is left unfinished: an Enqueue stores one message and no record, so a
	// kill cannot leave a record without its job.
	recs.mu.Lock()
	orphans := 0
	for id, st := range recs.state {
		if st != durable.Succeeded && st != barrierState {
			orphans++
			if orphans <= 5 {
				t.Errorf("record %s stays %q after every stored job ran", id, st)
			}
		}
	}
	recs.mu.Unlock()
	for id := range stored {
		if ran[id] == 0 {
			t.Errorf("stored job %s did not run", id)
		}
	}
	t.Logf("enqueue: %d acknowledged in %v before the kill; %d records and %d messages after the restart (server ready %v after the kill)",
		len(acked), enqueueTime.Round(time.Millisecond), records, info.State.Msgs, ready.Round(time.Millisecond))
	t.Logf("run: %d jobs ran (%d acknowledged, %d more the child stored unreported) in %v; %d records left unfinished",
		len(ran), len(acked), len(ran)-len(acked), runTime.Round(time.Millisecond), orphans)
}
