package schedule_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/schedule"
)

// heapInUse returns HeapAlloc after a forced collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// burstSize is the entries the memory tests add: a million, or a fifth of
// it under the race detector (still several megabytes of heap slots).
func burstSize() int {
	if raceEnabled {
		return 200_000
	}
	return 1_000_000
}

// checkGivenBack fails t unless the heap is back within 1 MB of base.
func checkGivenBack(t *testing.T, what string, base uint64, n int) {
	t.Helper()
	after := heapInUse()
	if grown := int64(after) - int64(base); grown > 1<<20 {
		t.Errorf("%s: the heap holds %d bytes more than before %d entries (%.1f per entry), want at most 1 MB",
			what, grown, n, float64(grown)/float64(n))
	}
}

// TestCancelGivesMemoryBack adds a million waiting entries, cancels them
// all and checks that the scheduler gives back their heap slots: without
// Close, the heap is back within 1 MB of where it was before the adds.
func TestCancelGivesMemoryBack(t *testing.T) {
	n := burstSize()
	nop := func(context.Context) error { return nil }
	kinds := []struct {
		name string
		add  func(*schedule.Scheduler) (*schedule.Entry, error)
	}{
		{"Every", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.Every(time.Hour, nop) }},
		{"Cron", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.Cron("0 * * * *", nop) }},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			s := newBenchScheduler(t)
			if _, err := s.After(time.Hour, nop); err != nil { // starts the loop
				t.Fatal(err)
			}
			base := heapInUse()
			es := make([]*schedule.Entry, n)
			for i := range es {
				e, err := k.add(s)
				if err != nil {
					t.Fatal(err)
				}
				es[i] = e
			}
			for _, e := range es {
				e.Cancel()
			}
			if got := s.Len(); got != 1 {
				t.Fatalf("Len() = %d after cancelling %d entries, want 1", got, n)
			}
			es = nil
			checkGivenBack(t, "after cancels", base, n)
		})
	}
}

// TestBurstGivesMemoryBack fires a burst of one-shot entries due at one
// instant and checks that, once every run is over and a recheck interval
// has passed, the scheduler and the pool give back what the burst took:
// the heap is back within 1 MB of where it was before the adds, without
// Close. The pool's part is its idle trim (pool.WithIdleTimeout).
func TestBurstGivesMemoryBack(t *testing.T) {
	n := burstSize() / 4
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 2)
		nop := func(context.Context) error { return nil }
		if _, err := s.After(time.Hour, nop); err != nil { // starts the loop
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(n)
		run := func(context.Context) error { wg.Done(); return nil }
		synctest.Wait()
		base := heapInUse()
		at := time.Now().Add(time.Second)
		for range n {
			if _, err := s.At(at, run); err != nil {
				t.Fatal(err)
			}
		}
		wg.Wait()
		// The scheduler rechecks entries waiting on runs each second; the
		// pool trims its queues once idle for its idle timeout (10 s by
		// default).
		time.Sleep(11 * time.Second)
		synctest.Wait()
		if got := s.Len(); got != 1 {
			t.Fatalf("Len() = %d after the burst, want 1", got)
		}
		checkGivenBack(t, "after the burst", base, n)
	})
}
