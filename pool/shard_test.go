package pool_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestFastLaneEveryJobRunsOnce drives the fast lane (a fixed, unbounded
// pool) from 8 submitters in bursts with idle gaps between them, so workers
// steal, spin, park and wake over and over: every Go func runs exactly once,
// every job with a handle ends exactly once (some are cancelled while
// queued, leaving ghosts in the shards), and the counts reconcile.
func TestFastLaneEveryJobRunsOnce(t *testing.T) {
	const submitters, bursts = 8, 20
	perBurst := 500
	if testing.Short() {
		perBurst = 100
	}
	p := newPool(t, 4)
	n := submitters * bursts * perBurst
	runs := make([]atomic.Int32, n)
	jobRuns := make([]atomic.Int32, n)
	var (
		mu   sync.Mutex
		jobs []*pool.Job
	)
	ctx := context.Background()
	for b := range bursts {
		var wg sync.WaitGroup
		for s := range submitters {
			wg.Go(func() {
				for i := range perBurst {
					k := (b*submitters+s)*perBurst + i
					if err := p.Go(func() { runs[k].Add(1) }); err != nil {
						t.Errorf("Go: %v", err)
						return
					}
					if i%8 != 0 {
						continue
					}
					j, err := p.Submit(ctx, func(context.Context) error { jobRuns[k].Add(1); return nil })
					if err != nil {
						t.Errorf("Submit: %v", err)
						return
					}
					if i%16 == 0 {
						j.Cancel()
					}
					mu.Lock()
					jobs = append(jobs, j)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if b%2 == 0 {
			// Let every worker run dry and park before the next burst.
			if err := p.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for k := range runs {
		if r := runs[k].Load(); r != 1 {
			t.Fatalf("Go func %d ran %d times", k, r)
		}
		if r := jobRuns[k].Load(); r > 1 {
			t.Fatalf("job %d ran %d times", k, r)
		}
	}
	var cancelled uint64
	for _, j := range jobs {
		st := j.State()
		if !st.Terminal() {
			t.Fatalf("job %d left %v", j.ID(), st)
		}
		if st == pool.Cancelled {
			cancelled++
		}
	}
	s := reconcile(t, p)
	if want := uint64(n + len(jobs)); s.Submitted != want || s.Cancelled != cancelled || s.Queued != 0 {
		t.Fatalf("submitted %d (want %d), cancelled %d (want %d), queued %d", s.Submitted, want, s.Cancelled, cancelled, s.Queued)
	}
}

// TestFastLaneWakesParkedWorkers submits one func at a time to a pool whose
// workers have all parked: a lost wake-up would leave it queued forever.
func TestFastLaneWakesParkedWorkers(t *testing.T) {
	p := newPool(t, 4)
	done := make(chan struct{})
	for i := range 3000 {
		if err := p.Go(func() { done <- struct{}{} }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("func %d never ran: %+v", i, p.Stats())
		}
		if i%3 == 0 {
			p.Wait(context.Background()) // every worker parked
		}
	}
}

// TestFastLaneStartsInOrder: on a pool of n workers, long jobs submitted in a
// row start n at a time in submission order, as from one shared queue.
func TestFastLaneStartsInOrder(t *testing.T) {
	const workers, total = 4, 12
	p := newPool(t, workers)
	started := make(chan int, total)
	gate := make(chan struct{})
	for i := range total {
		if err := p.Go(func() { started <- i; <-gate }); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int]bool{}
	for range workers {
		seen[<-started] = true
	}
	for i := range workers {
		if !seen[i] {
			t.Fatalf("first %d to start were %v, want 0..%d", workers, seen, workers-1)
		}
	}
	close(gate)
	p.Wait(context.Background())
}

// TestFastLaneHigherPriorityFirst: Go funcs queue in the shards, a Highest
// job in the locked queue; the worker freed next runs the Highest one.
func TestFastLaneHigherPriorityFirst(t *testing.T) {
	p := newPool(t, 1)
	gate := make(chan struct{})
	if err := p.Go(func() { <-gate }); err != nil {
		t.Fatal(err)
	}
	var order []string
	var mu sync.Mutex
	record := func(s string) {
		mu.Lock()
		order = append(order, s)
		mu.Unlock()
	}
	for range 5 {
		p.Go(func() { record("normal") })
	}
	p.Submit(context.Background(), func(context.Context) error { record("highest"); return nil }, pool.WithPriority(pool.Highest))
	p.Submit(context.Background(), func(context.Context) error { record("lowest"); return nil }, pool.WithPriority(pool.Lowest))
	close(gate)
	p.Wait(context.Background())
	if len(order) != 7 || order[0] != "highest" || order[6] != "lowest" {
		t.Fatalf("order = %v, want highest, 5 normal, lowest", order)
	}
}

// TestFastLaneShutdownRace races 8 submitters on the fast lane against a
// Shutdown whose deadline has passed: every accepted job ends exactly once,
// every accepted Go func either ran or is counted Cancelled, and every
// submit after the close is refused.
func TestFastLaneShutdownRace(t *testing.T) {
	p, err := pool.New(4)
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg       sync.WaitGroup
		accepted atomic.Int64 // Go funcs accepted
		ran      atomic.Int64
		mu       sync.Mutex
		jobs     []*pool.Job
		jobRuns  atomic.Int64
		midway   = make(chan struct{})
		once     sync.Once
	)
	for range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				if i == 2000 {
					once.Do(func() { close(midway) })
				}
				if err := p.Go(func() { ran.Add(1) }); err != nil {
					if !errors.Is(err, pool.ErrClosed) {
						t.Errorf("Go: %v", err)
					}
					return
				}
				accepted.Add(1)
				j, err := p.Submit(context.Background(), func(context.Context) error { jobRuns.Add(1); return nil })
				if err != nil {
					return
				}
				mu.Lock()
				jobs = append(jobs, j)
				mu.Unlock()
			}
		})
	}
	<-midway
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Shutdown(ctx) // drains nothing: cancels what is queued
	wg.Wait()
	p.Close()
	s := reconcile(t, p)
	var succeeded, cancelledJobs int64
	for _, j := range jobs {
		switch j.State() {
		case pool.Succeeded:
			succeeded++
		case pool.Cancelled:
			cancelledJobs++
		default:
			t.Fatalf("job %d ended %v", j.ID(), j.State())
		}
	}
	if succeeded != jobRuns.Load() {
		t.Fatalf("%d jobs succeeded but %d ran", succeeded, jobRuns.Load())
	}
	funcsCancelled := int64(s.Cancelled) - cancelledJobs
	if ran.Load()+funcsCancelled != accepted.Load() {
		t.Fatalf("Go funcs: %d ran + %d cancelled != %d accepted", ran.Load(), funcsCancelled, accepted.Load())
	}
	if s.Submitted != uint64(accepted.Load())+uint64(len(jobs)) {
		t.Fatalf("submitted %d, want %d", s.Submitted, accepted.Load()+int64(len(jobs)))
	}
}
