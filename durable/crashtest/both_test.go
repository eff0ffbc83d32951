package crashtest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/pool"
)

// TestServerAndWorkerKilledMidRun kills, with SIGKILL, a process that
// embeds the server and runs a worker on its jobs (the default deployment:
// one process), then restarts a server and a worker on the same directory:
// every job succeeds, and a job runs again only if it was in flight at the
// kill (run, its success not stored), at most inFlightBound of them. A job
// whose success was stored is not run again even when its acknowledgement
// was lost with the server.
func TestServerAndWorkerKilledMidRun(t *testing.T) {
	n := jobCount(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	idsPath := filepath.Join(dir, "ids")
	runLog := &idLog{path: filepath.Join(dir, "ran")}
	start := time.Now()
	ch := startChild(t, "both", runLog.path, envDir+"="+store, envJobs+"="+strconv.Itoa(n), envIDs+"="+idsPath,
		envAckWait+"="+ackWaitFlag.String(), envConc+"="+strconv.Itoa(workerConcurrency), envWork+"="+workFlag.String())
	runLog.waitLines(t, ch, n/3, 3*time.Minute)
	ch.kill()
	killed := time.Now()
	if err := runLog.poll(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(idsPath)
	if err != nil {
		t.Fatalf("the child ran jobs but wrote no IDs: %v", err)
	}
	ids := strings.Fields(string(b))
	if len(ids) != n {
		t.Fatalf("the child wrote %d IDs, want %d", len(ids), n)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}

	srv := startServer(t, store)
	ready := time.Since(killed)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := openClient(t, srv)
	recs := watchRecords(t, ctx, c)
	barrier(t, ctx, c, recs, "crashtest-barrier")

	inFlight := map[string]bool{}
	for _, id := range runLog.ids {
		if !want[id] {
			t.Fatalf("the child ran %q, a job it never enqueued", id)
		}
		if recs.get(id) != durable.Succeeded {
			inFlight[id] = true
		}
	}
	unfinished := 0
	for _, id := range ids {
		if recs.get(id) != durable.Succeeded {
			unfinished++
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
	// Messages of jobs whose success was stored: their ack was lost.
	lostAcks := int(info.State.Msgs) - unfinished

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
	attempt := map[string]int{}
	if err := durable.HandleRaw(w, jobName, func(ctx context.Context, _ []byte) error {
		info, _ := durable.FromContext(ctx)
		mu.Lock()
		ran[info.ID]++
		attempt[info.ID] = info.Attempt
		mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	runStart := time.Now()
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	recs.waitSucceeded(t, ids, 3*time.Minute)
	runTime := time.Since(runStart)
	reportStreamEmpty(t, ctx, c, 10*time.Second)
	if err := w.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	inChild := map[string]bool{}
	for _, id := range runLog.ids {
		if inChild[id] {
			t.Errorf("the child ran job %s twice", id)
		}
		inChild[id] = true
	}
	again, firstAttempt := 0, 0
	for _, id := range ids {
		switch {
		case inChild[id] && ran[id] > 0:
			again++
			if !inFlight[id] {
				t.Errorf("job %s ran again after the restart although its success was stored before the kill", id)
			}
			if attempt[id] == 1 {
				firstAttempt++
			}
		case !inChild[id] && ran[id] != 1:
			t.Errorf("job %s ran %d times after the restart, want once", id, ran[id])
		}
		if ran[id] > 1 {
			t.Errorf("job %s ran %d times after the restart", id, ran[id])
		}
	}
	if len(inFlight) > inFlightBound {
		t.Errorf("%d jobs run but not recorded succeeded at the kill, more than the window bound %d", len(inFlight), inFlightBound)
	}
	t.Logf("%d jobs; killed after %d had run (%v); server ready %v after the kill; the rest ran in %v",
		n, len(runLog.ids), killed.Sub(start).Round(time.Millisecond), ready.Round(time.Millisecond), runTime.Round(time.Millisecond))
	t.Logf("at the kill: %d in flight (bound %d), %d acks lost (success stored, message kept); ran again %d (%d of them as attempt 1)",
		len(inFlight), inFlightBound, lostAcks, again, firstAttempt)
}
