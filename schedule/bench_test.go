package schedule_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/schedule"
)

func newBenchScheduler(b testing.TB) *schedule.Scheduler {
	p, err := pool.New(runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	s := schedule.New(p)
	b.Cleanup(func() {
		s.Close()
		p.Close()
	})
	return s
}

// BenchmarkSchedule measures adding an entry to a scheduler that already
// holds many.
func BenchmarkSchedule(b *testing.B) {
	s := newBenchScheduler(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.After(time.Hour, nop); err != nil {
			b.Fatal(err)
		}
	}
}

// heapPerEntry returns the heap bytes each of n waiting After entries holds.
func heapPerEntry(tb testing.TB, n int) float64 {
	s := newBenchScheduler(tb)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		if _, err := s.After(time.Hour, nop); err != nil {
			tb.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// BenchmarkMemory reports the heap held per waiting entry, heap slot
// included, for a million entries.
func BenchmarkMemory(b *testing.B) {
	var per float64
	for b.Loop() {
		per = heapPerEntry(b, 1_000_000)
	}
	b.ReportMetric(per, "B/entry")
}

// TestMemoryPerEntry holds the scheduler to its budget of 250 bytes per
// waiting entry.
func TestMemoryPerEntry(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation sizes")
	}
	if per := heapPerEntry(t, 100_000); per > 250 {
		t.Errorf("%.0f bytes per entry, want at most 250", per)
	}
}

// BenchmarkLateness schedules 100,000 entries due within a window (1s, or
// SCHEDULE_LATENESS_WINDOW such as 1m) on the real clock and reports how
// late their runs started, in microseconds. Run it alone:
//
//	go test -run '^$' -bench Lateness -benchtime 1x ./schedule
func BenchmarkLateness(b *testing.B) {
	window := time.Second
	if v := os.Getenv("SCHEDULE_LATENESS_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		window = d
	}
	const n = 100_000
	var p50, p99, worst time.Duration
	for b.Loop() {
		s := newBenchScheduler(b)
		late := make([]time.Duration, n)
		var wg sync.WaitGroup
		wg.Add(n)
		start := time.Now().Add(100 * time.Millisecond)
		for i := range n {
			at := start.Add(time.Duration(i) * window / n)
			if _, err := s.At(at, func(context.Context) error {
				late[i] = time.Since(at)
				wg.Done()
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
		slices.Sort(late)
		p50, p99, worst = late[n/2], late[n*99/100], late[n-1]
	}
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(worst.Microseconds()), "max-µs")
}
