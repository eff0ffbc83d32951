package pool_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/threadsystem/threadsystem/pool"
)

// TestHighestRunsBeforeQueuedLowest: with every worker busy, a Highest job
// submitted after 100 Lowest jobs runs before all of them (the Python port
// keeps priority only inside a burst). With several workers, two jobs taken
// one after the other may record their start in either order; what holds is
// that every Lowest job starts after the Highest one was taken (it is no
// longer Queued).
func TestHighestRunsBeforeQueuedLowest(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		p := newPool(t, workers)
		release := occupy(t, p)
		var mu sync.Mutex
		var order []string
		var highest atomic.Pointer[pool.Job]
		var early atomic.Int32 // Lowest jobs that started while Highest was Queued
		lowest := func(context.Context) error {
			if highest.Load().State() == pool.Queued {
				early.Add(1)
			}
			mu.Lock()
			order = append(order, "lowest")
			mu.Unlock()
			return nil
		}
		for range 100 {
			if _, err := p.Submit(context.Background(), lowest, pool.WithPriority(pool.Lowest)); err != nil {
				t.Fatal(err)
			}
		}
		j, err := p.Submit(context.Background(), func(context.Context) error {
			mu.Lock()
			order = append(order, "highest")
			mu.Unlock()
			return nil
		}, pool.WithPriority(pool.Highest))
		if err != nil {
			t.Fatal(err)
		}
		highest.Store(j)
		release()
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(order) != 101 {
			t.Fatalf("workers=%d: %d jobs ran, want 101", workers, len(order))
		}
		if n := early.Load(); n > 0 {
			t.Fatalf("workers=%d: %d Lowest jobs started before the Highest one was taken", workers, n)
		}
		if workers == 1 && order[0] != "highest" {
			t.Fatalf("one worker: first job run = %q, want highest", order[0])
		}
	}
}

// TestLevelsRunInPriorityOrder: jobs queued at every level run level by level,
// highest first, whatever the submission order.
func TestLevelsRunInPriorityOrder(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	var got []pool.Priority
	for i := range 50 {
		prio := pool.Priorities[(i*3)%5]
		if _, err := p.Submit(context.Background(), func(context.Context) error {
			got = append(got, prio)
			return nil
		}, pool.WithPriority(prio)); err != nil {
			t.Fatal(err)
		}
	}
	release()
	p.Wait(context.Background())
	for i := 1; i < len(got); i++ {
		if got[i] > got[i-1] {
			t.Fatalf("job %d ran at %v after a %v job", i, got[i], got[i-1])
		}
	}
}

// TestFIFOWithinLevel: one worker runs 1,000 Normal jobs from one goroutine in
// submission order (the Python port runs equal priorities out of order).
func TestFIFOWithinLevel(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	var got []int
	for i := range 1000 {
		if _, err := p.Submit(context.Background(), func(context.Context) error {
			got = append(got, i)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Go jobs share the Normal level and its order.
	for i := 1000; i < 1100; i++ {
		if err := p.Go(func() { got = append(got, i) }); err != nil {
			t.Fatal(err)
		}
	}
	release()
	p.Wait(context.Background())
	for i, v := range got {
		if v != i {
			t.Fatalf("position %d ran job %d", i, v)
		}
	}
	if len(got) != 1100 {
		t.Fatalf("ran %d jobs, want 1100", len(got))
	}
}

// TestHighestPreemptsHeldBatch: a worker that took a batch of Go jobs gives
// the rest back when a higher-priority job arrives, so the Highest job runs
// next.
func TestHighestPreemptsHeldBatch(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	var order []int
	const highest = -1
	for i := range 1000 {
		p.Go(func() {
			order = append(order, i)
			if i == 0 {
				p.Submit(context.Background(), func(context.Context) error {
					order = append(order, highest)
					return nil
				}, pool.WithPriority(pool.Highest))
			}
		})
	}
	release()
	p.Wait(context.Background())
	if len(order) != 1001 || order[0] != 0 || order[1] != highest {
		t.Fatalf("order starts %v, want [0 %d ...]", order[:min(5, len(order))], highest)
	}
	for i := 2; i < len(order); i++ {
		if order[i] != i-1 {
			t.Fatalf("Go jobs out of order after the batch was given back: position %d ran %d", i, order[i])
		}
	}
	if s := reconcile(t, p); s.Succeeded != 1002 {
		t.Fatalf("succeeded %d, want 1002", s.Succeeded)
	}
}
