package durable_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
)

// TestUniqueKeyOfADeadEnqueueIsTakenOverAfterItsLease claims a key as an
// Enqueue that died before publishing its job would have left it: until
// the claim's lease runs out, Enqueue with the key gets ErrDuplicate and
// the dead claimant's ID; then racing Enqueues take it over, exactly one
// of them making a job, whose claim is lasting: it outlives the lease.
func TestUniqueKeyOfADeadEnqueueIsTakenOverAfterItsLease(t *testing.T) {
	const lease = 200 * time.Millisecond
	e := newEnv(t, durable.UniqueLease(lease))
	in, err := durable.NewInspector(e.c)
	if err != nil {
		t.Fatal(err)
	}
	for _, racers := range []int{1, 8} {
		t.Run(fmt.Sprintf("racers=%d", racers), func(t *testing.T) {
			key := fmt.Sprintf("takeover-%d", racers)
			ghost, err := e.c.ClaimUnique(e.ctx, key)
			if err != nil {
				t.Fatalf("ClaimUnique(%q) = %q, %v", key, ghost, err)
			}
			claimed := time.Now()
			id, err := e.c.Enqueue(e.ctx, "u", 0, durable.Unique(key))
			if !errors.Is(err, durable.ErrDuplicate) || id != ghost {
				t.Fatalf("Enqueue within the lease = %q, %v; want %q, ErrDuplicate", id, err, ghost)
			}
			time.Sleep(time.Until(claimed.Add(lease + time.Millisecond))) // wait out the lease

			ids, errs := make([]string, racers), make([]error, racers)
			var wg sync.WaitGroup
			for i := range racers {
				wg.Go(func() { ids[i], errs[i] = e.c.Enqueue(e.ctx, "u", i, durable.Unique(key)) })
			}
			wg.Wait()
			winner := ""
			for i, err := range errs {
				if err == nil {
					if winner != "" {
						t.Fatalf("Enqueue %d made job %s beside job %s", i, ids[i], winner)
					}
					winner = ids[i]
				}
			}
			if winner == "" || winner == ghost {
				t.Fatalf("no Enqueue took the key over from %s: %q, %v", ghost, ids, errs)
			}
			for i, err := range errs {
				if err != nil && (!errors.Is(err, durable.ErrDuplicate) || ids[i] != winner) {
					t.Errorf("Enqueue %d = %q, %v; want %q, ErrDuplicate", i, ids[i], err, winner)
				}
			}
			if r, err := in.Job(e.ctx, winner); err != nil || r.State != durable.Queued {
				t.Errorf("Job(%s) = %v, %v; want a queued record", winner, r, err)
			}

			// The winner's claim is lasting: it holds past a lease.
			time.Sleep(lease)
			if id, err := e.c.Enqueue(e.ctx, "u", 0, durable.Unique(key)); !errors.Is(err, durable.ErrDuplicate) || id != winner {
				t.Fatalf("Enqueue a lease later = %q, %v; want %q, ErrDuplicate", id, err, winner)
			}
		})
	}
}

// TestJobWhoseKeyWasTakenOverDoesNotRun stores a job whose Enqueue died
// before making its unique claim lasting; once the lease runs out, a
// second Enqueue takes the key over. The first job must not run: neither
// while the second holds the key, nor after the second has ended and
// released it (a marker left by the takeover says so).
func TestJobWhoseKeyWasTakenOverDoesNotRun(t *testing.T) {
	for _, tc := range []struct {
		name      string
		takerEnds bool // the second job ends before the first is delivered
	}{
		{"both delivered together", false},
		{"taker ended first", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const lease = 200 * time.Millisecond
			e := newEnv(t, durable.UniqueLease(lease))
			dying, err := durable.New(e.srv.Conn(), durable.UniqueLease(lease))
			if err != nil {
				t.Fatal(err)
			}
			defer dying.Close()
			durable.LeaveClaimsProvisional(dying)
			first, err := dying.Enqueue(e.ctx, "u", 1, durable.Unique("k"), durable.Queue("old"))
			if err != nil {
				t.Fatal(err)
			}
			claimed := time.Now()
			// The provisional claim names the job before its ID was known
			// (its stream sequence completes it), so the duplicate gets no ID.
			if id, err := e.c.Enqueue(e.ctx, "u", 2, durable.Unique("k")); !errors.Is(err, durable.ErrDuplicate) || id != "" {
				t.Fatalf("Enqueue within the lease = %q, %v; want \"\", ErrDuplicate", id, err)
			}
			time.Sleep(time.Until(claimed.Add(lease + time.Millisecond))) // wait out the lease
			second, err := e.c.Enqueue(e.ctx, "u", 2, durable.Unique("k"), durable.Queue("new"))
			if err != nil || second == first {
				t.Fatalf("Enqueue after the lease = %q, %v; want a new job", second, err)
			}
			var mu sync.Mutex
			var ran []int
			register := func(w *durable.Worker) {
				durable.Handle(w, "u", func(_ context.Context, n int) error {
					mu.Lock()
					defer mu.Unlock()
					ran = append(ran, n)
					return nil
				})
			}
			if tc.takerEnds {
				e.worker(register, durable.Queues("new"))
				e.wait(second, durable.Succeeded)
				e.waitUniqueReleased("k")
				e.worker(register, durable.Queues("old"))
			} else {
				e.worker(register, durable.Queues("old", "new"))
			}
			e.wait(first, durable.Cancelled)
			e.wait(second, durable.Succeeded)
			mu.Lock()
			defer mu.Unlock()
			if len(ran) != 1 || ran[0] != 2 {
				t.Errorf("ran payloads %v, want [2]", ran)
			}
		})
	}
}

// TestJobEndLeavesATakenOverKeyAlone takes a running job's unique key over
// (as an Enqueue does that finds a claim past its lease): when the job
// ends, the key stays with its new holder.
func TestJobEndLeavesATakenOverKeyAlone(t *testing.T) {
	e := newEnv(t)
	started, gate := make(chan struct{}, 1), make(chan struct{})
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "u", func(_ context.Context, block bool) error {
			if block {
				started <- struct{}{}
				<-gate
			}
			return nil
		})
	}, durable.Concurrency(1))
	id := e.enqueue("u", true, durable.Unique("k"))
	<-started
	kv, err := e.c.JetStream().KeyValue(e.ctx, e.c.Prefix()+"_unique")
	if err != nil {
		t.Fatal(err)
	}
	key := base64.RawURLEncoding.EncodeToString([]byte("k"))
	if _, err := kv.Put(e.ctx, key, []byte("newholder-1")); err != nil {
		t.Fatal(err)
	}
	// A second job after it: the worker acknowledges jobs and releases
	// their keys in order on one connection, so once this one's key is
	// released, the first job's release has been applied too.
	after := e.enqueue("u", false, durable.Unique("k2"))
	close(gate)
	e.wait(id, durable.Succeeded)
	e.wait(after, durable.Succeeded)
	e.waitUniqueReleased("k2")
	en, err := kv.Get(e.ctx, key)
	if err != nil || string(en.Value()) != "newholder-1" {
		t.Fatalf("key after the job ended: %v, %v; want the new holder's", en, err)
	}
}
