package crashtest

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/pool"
)

// TestUniqueKeyOfACrashedEnqueueIsTakenOverAfterItsLease kills a process
// that enqueues jobs with Unique keys (one key per job) mid-enqueue. A
// crash between a key's claim and its job's publish leaves the key claimed
// provisionally by a job that was never stored; once the claim's lease
// (UniqueLease, uniqueLease here) has run out, a new Enqueue with the key
// must take it over and make a job, rather than get ErrDuplicate for the
// ghost forever as before provisional claims. Every stored job runs and
// releases its key, and no record is left unfinished.
func TestUniqueKeyOfACrashedEnqueueIsTakenOverAfterItsLease(t *testing.T) {
	n := min(jobCount(t), 2000)
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	ackLog := &idLog{path: filepath.Join(dir, "acked")}
	ch := startChild(t, "server", ackLog.path, envDir+"="+store, envJobs+"="+strconv.Itoa(2*n), envUnique+"=1")
	ackLog.waitLines(t, ch, n, 3*time.Minute)
	ch.kill()
	killed := time.Now()
	if err := ackLog.poll(); err != nil {
		t.Fatal(err)
	}

	srv := startServer(t, store)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := openClient(t, srv)
	recs := watchRecords(t, ctx, c)
	p, err := pool.New(4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	w, err := durable.NewWorker(c, p, durable.AckWait(*ackWaitFlag))
	if err != nil {
		t.Fatal(err)
	}
	if err := durable.HandleRaw(w, jobName, func(context.Context, []byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	recs.waitSucceeded(t, ackLog.ids, time.Minute)
	reportStreamEmpty(t, ctx, c, 10*time.Second)
	if err := w.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}

	// No record is left unfinished: an Enqueue stores one message and no
	// record, so a kill cannot leave a ghost (a queued record without its
	// message, a job listed forever that never runs, as before).
	recs.mu.Lock()
	ghosts := 0
	for _, st := range recs.state {
		if !st.Final() && st != barrierState {
			ghosts++
		}
	}
	recs.mu.Unlock()
	if ghosts > 0 {
		t.Errorf("%d records unfinished after every stored job ran", ghosts)
	}

	// Every job that was stored has run and released its key. The keys
	// still held are those of Enqueues cut short by the kill, claimed
	// provisionally before it: once their lease has run out, a new job with
	// such a key is accepted.
	kv, err := c.JetStream().KeyValue(ctx, c.Prefix()+"_unique")
	if err != nil {
		t.Fatal(err)
	}
	lister, err := kv.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for key := range lister.Keys() {
		held = append(held, key)
		if e, err := kv.Get(ctx, key); err == nil {
			t.Logf("key %s held by %q after every stored job ran", key, e.Value())
		}
	}
	t.Logf("%d unique keys held by Enqueues cut short by the kill", len(held))
	time.Sleep(time.Until(killed.Add(uniqueLease))) // wait out the leases
	var again []string
	for _, key := range held {
		k, err := base64.RawURLEncoding.DecodeString(key)
		if err != nil {
			k, err = base64.URLEncoding.DecodeString(key)
		}
		if err != nil {
			t.Fatalf("key %s: %v", key, err)
		}
		id, err := c.Enqueue(ctx, jobName, []byte("again"), durable.Raw(), durable.Unique(string(k)))
		if err != nil {
			t.Errorf("Enqueue with %s once its lease ran out: %v", k, err)
			continue
		}
		again = append(again, id)
	}
	if len(again) == 0 {
		return
	}
	// The jobs that took the keys over run like any other.
	w2, err := durable.NewWorker(c, p, durable.AckWait(*ackWaitFlag))
	if err != nil {
		t.Fatal(err)
	}
	if err := durable.HandleRaw(w2, jobName, func(context.Context, []byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	go func() { done <- w2.Run(context.Background()) }()
	recs.waitSucceeded(t, again, time.Minute)
	if err := w2.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
