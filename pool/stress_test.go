package pool_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// terminalLedger counts terminal events per job ID through the observer.
type terminalLedger struct {
	mu       sync.Mutex
	terminal map[uint64]int
	funcs    atomic.Int64 // terminal events of Go jobs (no ID)
}

func (l *terminalLedger) Observe(e pool.Event) {
	switch e.Kind {
	case pool.EventSucceeded, pool.EventFailed, pool.EventCancelled, pool.EventSkipped:
	default:
		return
	}
	if e.JobID == 0 {
		l.funcs.Add(1)
		return
	}
	l.mu.Lock()
	l.terminal[e.JobID]++
	l.mu.Unlock()
}

// TestStressEveryJobEndsOnce races 8 submitters of 50,000 jobs each (random
// priorities, random cancels, some Go jobs) against a Shutdown: every accepted
// job reaches exactly one terminal state exactly once, its Done channel
// closes, and the counts reconcile.
func TestStressEveryJobEndsOnce(t *testing.T) {
	perSubmitter := 50000
	if testing.Short() {
		perSubmitter = 5000
	}
	ledger := &terminalLedger{terminal: make(map[uint64]int)}
	p, err := pool.New(4, pool.WithObserver(ledger), pool.WithQueueSize(4096))
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted []*pool.Job
		goOK     atomic.Int64
		goRan    atomic.Int64
		total    atomic.Int64
		midway   = make(chan struct{})
	)
	for s := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(s), 42))
			var mine []*pool.Job
			for i := range perSubmitter {
				if total.Add(1) == int64(perSubmitter) {
					close(midway) // the Shutdown below races the rest
				}
				if i%10 == 0 {
					if p.Go(func() { goRan.Add(1) }) == nil {
						goOK.Add(1)
					}
					continue
				}
				prio := pool.Priorities[rng.IntN(5)]
				j, err := p.Submit(context.Background(), func(ctx context.Context) error {
					if rng := rand.N(4); rng == 0 {
						return errors.New("job failed")
					}
					return ctx.Err()
				}, pool.WithPriority(prio))
				if err != nil {
					if !errors.Is(err, pool.ErrClosed) {
						t.Errorf("Submit: %v", err)
					}
					break
				}
				mine = append(mine, j)
				if rng.IntN(8) == 0 {
					j.Cancel()
				}
				if rng.IntN(50) == 0 && len(mine) > 10 {
					mine[rng.IntN(len(mine))].Cancel()
				}
			}
			mu.Lock()
			accepted = append(accepted, mine...)
			mu.Unlock()
		})
	}
	<-midway
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	p.Shutdown(ctx)
	cancel()
	wg.Wait()
	p.Close()

	for _, j := range accepted {
		select {
		case <-j.Done():
		default:
			t.Fatalf("job %d: Done not closed, state %v", j.ID(), j.State())
		}
		if !j.State().Terminal() {
			t.Fatalf("job %d left %v", j.ID(), j.State())
		}
		if n := ledger.terminal[j.ID()]; n != 1 {
			t.Fatalf("job %d reported %d terminal events, want 1", j.ID(), n)
		}
	}
	if len(ledger.terminal) != len(accepted) {
		t.Fatalf("%d jobs reported terminal events, %d accepted", len(ledger.terminal), len(accepted))
	}
	if ledger.funcs.Load() != goOK.Load() {
		t.Fatalf("Go jobs: %d accepted, %d terminal events", goOK.Load(), ledger.funcs.Load())
	}
	s := reconcile(t, p)
	if want := uint64(len(accepted)) + uint64(goOK.Load()); s.Submitted != want {
		t.Fatalf("submitted = %d, want %d", s.Submitted, want)
	}
	if s.Queued != 0 || s.Running != 0 {
		t.Fatalf("closed pool reports queued %d running %d", s.Queued, s.Running)
	}
}
