package durable_test

import (
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
