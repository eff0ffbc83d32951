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

// addKinds are the calls whose waiting entries heapPerEntry measures, with
// their budgets in bytes per entry (robfig/cron v3 holds 129 per
// Schedule(Every) and 185 per AddFunc, bench (s)).
var addKinds = []struct {
	name   string
	add    func(*schedule.Scheduler) (*schedule.Entry, error)
	budget float64
}{
	{"After", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(time.Hour, nop) }, 128},
	{"Every", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.Every(time.Hour, nop) }, 128},
	{"Cron", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.Cron("0 * * * *", nop) }, 192},
}

// heapPerEntry returns the heap bytes each of n waiting entries made by add
// holds.
func heapPerEntry(tb testing.TB, n int, add func(*schedule.Scheduler) (*schedule.Entry, error)) float64 {
	s := newBenchScheduler(tb)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		if _, err := add(s); err != nil {
			tb.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// BenchmarkMemory reports the heap held per waiting entry, heap slot
// included, for a million entries of each kind.
func BenchmarkMemory(b *testing.B) {
	for _, k := range addKinds {
		b.Run(k.name, func(b *testing.B) {
			var per float64
			for b.Loop() {
				per = heapPerEntry(b, 1_000_000, k.add)
			}
			b.ReportMetric(per, "B/entry")
		})
	}
}

// TestMemoryPerEntry holds each kind of waiting entry to its budget: 128
// bytes for After and Every, 192 for Cron entries sharing their spec.
func TestMemoryPerEntry(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation sizes")
	}
	for _, k := range addKinds {
		if per := heapPerEntry(t, 200_000, k.add); per > k.budget {
			t.Errorf("%s: %.0f bytes per entry, want at most %.0f", k.name, per, k.budget)
		}
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

// BenchmarkBurst schedules 100,000 one-shot entries due at one instant on
// the real clock and reports how long after it the last run started and
// the median start, in microseconds. Run it alone:
//
//	go test -run '^$' -bench Burst -benchtime 1x ./schedule
func BenchmarkBurst(b *testing.B) {
	const n = 100_000
	var p50, worst time.Duration
	for b.Loop() {
		s := newBenchScheduler(b)
		late := make([]time.Duration, n)
		var wg sync.WaitGroup
		wg.Add(n)
		t0 := time.Now()
		at := t0.Add(500 * time.Millisecond)
		for i := range n {
			if _, err := s.At(at, func(context.Context) error {
				late[i] = time.Since(at)
				wg.Done()
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("adds took %v", time.Since(t0))
		wg.Wait()
		slices.Sort(late)
		p50, worst = late[n/2], late[n-1]
	}
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(worst.Microseconds()), "max-µs")
}

// BenchmarkCancel measures Entry.Cancel of waiting entries in a scheduler
// holding b.N of them, compactions of the heap included.
func BenchmarkCancel(b *testing.B) {
	s := newBenchScheduler(b)
	es := make([]*schedule.Entry, b.N)
	for i := range es {
		e, err := s.After(time.Hour, nop)
		if err != nil {
			b.Fatal(err)
		}
		es[i] = e
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, e := range es {
		e.Cancel()
	}
}
