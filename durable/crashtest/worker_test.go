package crashtest

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
)

// workerConcurrency is the killed workers' window (durable.Concurrency):
// the most jobs a worker holds at once.
const workerConcurrency = 32

// inFlightBound is the most jobs a worker can have run without their
// success being stored: the window (jobs started, not yet finished) plus
// the acknowledgement queue of the worker (2 x the window) and the one job
// its acker waits on. Only these may run again after a SIGKILL.
const inFlightBound = 3*workerConcurrency + 1

// TestWorkerKilledMidRun kills a worker process with SIGKILL three times
// while it runs jobs, then lets a fourth run to the end: every job
// succeeds, and a job runs twice only if it was in flight at a kill (run by
// the killed worker, not yet recorded succeeded), at most inFlightBound of
// them per kill.
func TestWorkerKilledMidRun(t *testing.T) {
	n := jobCount(t)
	const kills = 3
	killAfter := n / 5 // jobs each killed child runs before its kill
	start := time.Now()

	dir := t.TempDir()
	srv := startServer(t, filepath.Join(dir, "store"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := openClient(t, srv)
	recs := watchRecords(t, ctx, c)

	ids, err := c.EnqueueBatch(ctx, crashJobs(n))
	if err != nil {
		t.Fatal(err)
	}
	enqueued := time.Since(start)
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	if len(want) != n {
		t.Fatalf("%d distinct IDs for %d jobs", len(want), n)
	}
	baseClients := srv.NATS().NumClients()

	env := []string{envURL + "=" + srv.ClientURL(), envAckWait + "=" + ackWaitFlag.String(), envWork + "=" + workFlag.String(),
		envConc + "=" + strconv.Itoa(workerConcurrency)}
	logs := make([]*idLog, kills+1)
	inFlight := make([]map[string]bool, kills) // per kill: run by the child, not recorded succeeded
	killedAt := make([]time.Time, kills)
	for k := range kills + 1 {
		path := filepath.Join(dir, fmt.Sprintf("ran-%d", k))
		logs[k] = &idLog{path: path}
		ch := startChild(t, "worker", path, env...)
		if k == kills {
			recs.waitSucceeded(t, ids, 3*time.Minute)
			ch.stop(30 * time.Second)
			if err := logs[k].poll(); err != nil {
				t.Fatal(err)
			}
			break
		}
		logs[k].waitLines(t, ch, killAfter, 2*time.Minute)
		ch.kill()
		killedAt[k] = time.Now()
		// The server has read all the dead worker sent once it has
		// dropped its connection; a barrier record then shows every
		// record stored before.
		waitClients(t, srv, baseClients, 10*time.Second)
		barrier(t, ctx, c, recs, "crashtest-barrier-"+strconv.Itoa(k))
		if err := logs[k].poll(); err != nil {
			t.Fatal(err)
		}
		inFlight[k] = map[string]bool{}
		for _, id := range logs[k].ids {
			if recs.get(id) != durable.Succeeded {
				inFlight[k][id] = true
			}
		}
		if len(inFlight[k]) > inFlightBound {
			t.Errorf("kill %d: %d jobs run but not recorded succeeded, more than the window bound %d", k+1, len(inFlight[k]), inFlightBound)
		}
	}
	total := time.Since(start)

	// Every job succeeded, per its record, and ran at least once.
	runs := map[string]int{}
	for k, l := range logs {
		seen := map[string]bool{}
		for _, id := range l.ids {
			if !want[id] {
				t.Fatalf("child %d ran %q, a job never enqueued", k+1, id)
			}
			if seen[id] {
				t.Errorf("child %d ran job %s twice (its lease expired while it ran?)", k+1, id)
			}
			seen[id] = true
			runs[id]++
		}
		if len(l.partial) != 0 {
			t.Errorf("child %d's log ends with a partial line %q", k+1, l.partial)
		}
	}
	for _, id := range ids {
		if st := recs.get(id); st != durable.Succeeded {
			t.Errorf("job %s: record says %q, want succeeded", id, st)
		}
		if runs[id] == 0 {
			t.Errorf("job %s succeeded but no child ran it", id)
		}
	}

	// A job that ran again was in flight at a kill of a child that ran it.
	dupPerKill := make([]int, kills)
	for k := range kills {
		later := map[string]bool{}
		for _, l := range logs[k+1:] {
			for _, id := range l.ids {
				later[id] = true
			}
		}
		for _, id := range logs[k].ids {
			if !later[id] {
				continue
			}
			dupPerKill[k]++
			if !inFlight[k][id] {
				t.Errorf("job %s ran again after kill %d although its success was recorded before the kill", id, k+1)
			}
		}
	}
	dups := 0
	for _, r := range runs {
		dups += r - 1
	}

	// Recovery: from each kill until every job in flight at it succeeded.
	recovery := make([]time.Duration, kills)
	for k := range kills {
		for id := range inFlight[k] {
			if at, ok := recs.succeededAt(id); ok && at.Sub(killedAt[k]) > recovery[k] {
				recovery[k] = at.Sub(killedAt[k])
			}
		}
	}
	sizes := make([]int, kills)
	for k := range kills {
		sizes[k] = len(inFlight[k])
	}
	t.Logf("%d jobs enqueued in %v; all succeeded in %v (ack wait %v, %v per job, window %d, bound %d per kill)",
		n, enqueued.Round(time.Millisecond), total.Round(time.Millisecond), *ackWaitFlag, *workFlag, workerConcurrency, inFlightBound)
	t.Logf("per kill: in flight %v, ran again %v, recovery %v; duplicate runs %d in all", sizes, dupPerKill, roundAll(recovery), dups)
	reportStreamEmpty(t, ctx, c, 10*time.Second)
}

// waitClients waits until the server has n client connections.
func waitClients(t *testing.T, srv *embedded.Server, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for srv.NATS().NumClients() > n {
		if time.Now().After(deadline) {
			t.Fatalf("server still has %d clients after %v, want %d", srv.NATS().NumClients(), timeout, n)
		}
		<-tick.C
	}
}

// barrier writes a key to the records bucket and waits until the watcher
// has seen it, and so every record stored before it.
func barrier(t *testing.T, ctx context.Context, c *durable.Client, recs *records, key string) {
	t.Helper()
	kv, err := c.JetStream().KeyValue(ctx, c.Prefix()+"_records")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, key, []byte(`{"state":"`+barrierState+`"}`)); err != nil {
		t.Fatal(err)
	}
	recs.waitFor(t, 10*time.Second, "barrier "+key+" seen", func() bool { _, ok := recs.state[key]; return ok })
	if err := kv.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
}

// barrierState is the state of a barrier's value.
const barrierState = "crashtest-barrier"

// reportStreamEmpty logs how long the job stream takes to show no message
// once every job has succeeded (the issue saw 30 s once after a server
// crash); past timeout it logs the consumers' state as an error.
func reportStreamEmpty(t *testing.T, ctx context.Context, c *durable.Client, timeout time.Duration) {
	t.Helper()
	s, err := c.JetStream().Stream(ctx, c.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 0 {
			t.Logf("stream empty %v after the last job succeeded", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > timeout {
			t.Errorf("stream still holds %d messages (first seq %d, last %d) %v after every job succeeded",
				info.State.Msgs, info.State.FirstSeq, info.State.LastSeq, timeout)
			for name := range s.ConsumerNames(ctx).Name() {
				if cons, err := s.Consumer(ctx, name); err == nil {
					ci, err := cons.Info(ctx)
					if err != nil {
						continue
					}
					t.Logf("consumer %s: pending %d, ack pending %d, redelivered %d, ack floor %d/%d, delivered %d/%d",
						name, ci.NumPending, ci.NumAckPending, ci.NumRedelivered,
						ci.AckFloor.Stream, ci.AckFloor.Consumer, ci.Delivered.Stream, ci.Delivered.Consumer)
				}
			}
			return
		}
		<-tick.C
	}
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
