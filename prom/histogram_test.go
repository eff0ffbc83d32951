package prom_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/prom"
)

// TestHistogramFromPoolTimings: in a synctest bubble, a job waits exactly
// 1 s behind a blocker that runs 1 s and then runs 3 s itself; the buckets
// put each duration between the two powers of two around it, and the sum is
// the bucket midpoints: 0.75 * 2^30 ns for 1 s, 0.75 * 2^32 ns for 3 s.
func TestHistogramFromPoolTimings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(1)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		_, reg := newCollector(t, map[string]prom.Source{"p": p},
			prom.WithBucketRange(time.Second/2, 5*time.Second))
		ctx := context.Background()
		sleep := func(d time.Duration) func(context.Context) error {
			return func(context.Context) error { time.Sleep(d); return nil }
		}
		if _, err := p.Submit(ctx, sleep(time.Second)); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		j, err := p.Submit(ctx, sleep(3*time.Second), pool.WithPriority(pool.High))
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		const want = `
# HELP threadsystem_job_run_seconds Time jobs with a handle ran. Buckets are exact; the sum is estimated from bucket midpoints.
# TYPE threadsystem_job_run_seconds histogram
threadsystem_job_run_seconds_bucket{pool="p",le="0.536870912"} 0
threadsystem_job_run_seconds_bucket{pool="p",le="1.073741824"} 1
threadsystem_job_run_seconds_bucket{pool="p",le="2.147483648"} 1
threadsystem_job_run_seconds_bucket{pool="p",le="4.294967296"} 2
threadsystem_job_run_seconds_bucket{pool="p",le="+Inf"} 2
threadsystem_job_run_seconds_sum{pool="p"} 4.02653184
threadsystem_job_run_seconds_count{pool="p"} 2
# HELP threadsystem_job_wait_seconds Time jobs with a handle spent queued before a worker took them, by priority. Buckets are exact; the sum is estimated from bucket midpoints.
# TYPE threadsystem_job_wait_seconds histogram
threadsystem_job_wait_seconds_bucket{pool="p",priority="high",le="0.536870912"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="high",le="1.073741824"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="high",le="2.147483648"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="high",le="4.294967296"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="high",le="+Inf"} 1
threadsystem_job_wait_seconds_sum{pool="p",priority="high"} 0.805306368
threadsystem_job_wait_seconds_count{pool="p",priority="high"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="highest",le="0.536870912"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="highest",le="1.073741824"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="highest",le="2.147483648"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="highest",le="4.294967296"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="highest",le="+Inf"} 0
threadsystem_job_wait_seconds_sum{pool="p",priority="highest"} 0
threadsystem_job_wait_seconds_count{pool="p",priority="highest"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="low",le="0.536870912"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="low",le="1.073741824"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="low",le="2.147483648"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="low",le="4.294967296"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="low",le="+Inf"} 0
threadsystem_job_wait_seconds_sum{pool="p",priority="low"} 0
threadsystem_job_wait_seconds_count{pool="p",priority="low"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="lowest",le="0.536870912"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="lowest",le="1.073741824"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="lowest",le="2.147483648"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="lowest",le="4.294967296"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="lowest",le="+Inf"} 0
threadsystem_job_wait_seconds_sum{pool="p",priority="lowest"} 0
threadsystem_job_wait_seconds_count{pool="p",priority="lowest"} 0
threadsystem_job_wait_seconds_bucket{pool="p",priority="normal",le="0.536870912"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="normal",le="1.073741824"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="normal",le="2.147483648"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="normal",le="4.294967296"} 1
threadsystem_job_wait_seconds_bucket{pool="p",priority="normal",le="+Inf"} 1
threadsystem_job_wait_seconds_sum{pool="p",priority="normal"} 0
threadsystem_job_wait_seconds_count{pool="p",priority="normal"} 1
`
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
			"threadsystem_job_run_seconds", "threadsystem_job_wait_seconds"); err != nil {
			t.Error(err)
		}
	})
}

// TestHistogramBoundsAndSum: by default every pool bucket but the open last
// one becomes a bound 2^i ns; counts are cumulative; zero durations count 0
// towards the sum, the open bucket its lower bound 2^38 ns.
func TestHistogramBoundsAndSum(t *testing.T) {
	var h pool.Histogram
	h.Buckets[0] = 2  // zero durations
	h.Buckets[1] = 1  // 1 ns: midpoint 1.5 ns
	h.Buckets[10] = 4 // [512, 1024) ns: midpoint 768 ns
	h.Buckets[39] = 1 // over 2^38 ns
	h.Count = 8
	_, reg := newCollector(t, map[string]prom.Source{"f": prom.SourceFunc(func() pool.Stats {
		return pool.Stats{Run: h}
	})})
	got := gather(t, reg)[`threadsystem_job_run_seconds{pool="f"}`]
	if len(got.buckets) != 39 {
		t.Errorf("%d buckets, want 39", len(got.buckets))
	}
	for i := range 39 {
		bound := float64(uint64(1)<<i) / 1e9
		want := uint64(2)
		switch {
		case i >= 10:
			want = 7
		case i >= 1:
			want = 3
		}
		if got.buckets[bound] != want {
			t.Errorf("bucket le=%v (2^%d ns) = %d, want %d", bound, i, got.buckets[bound], want)
		}
	}
	wantSum := (1.5 + 4*768 + float64(uint64(1)<<38)) / 1e9
	if got.count != 8 || math.Abs(got.sum-wantSum) > 1e-12 {
		t.Errorf("count %d sum %v, want 8 and %v", got.count, got.sum, wantSum)
	}
}

// TestBucketRangeKeepsExactCumulativeCounts: a narrower range drops bounds
// but the counts at the bounds kept stay exact, and the count is unchanged.
func TestBucketRangeKeepsExactCumulativeCounts(t *testing.T) {
	var h pool.Histogram
	for i := range h.Buckets {
		h.Buckets[i] = 1
	}
	h.Count = uint64(len(h.Buckets))
	for _, tc := range []struct {
		lo, hi      time.Duration
		first, last int // exponents of the first and last bound kept
	}{
		{0, time.Hour, 0, 38},
		{time.Microsecond, time.Millisecond, 10, 19},
		{1024, 1024, 10, 10},
		{time.Minute, time.Hour, 36, 38},
	} {
		_, reg := newCollector(t, map[string]prom.Source{"f": prom.SourceFunc(func() pool.Stats {
			return pool.Stats{Run: h}
		})}, prom.WithBucketRange(tc.lo, tc.hi))
		got := gather(t, reg)[`threadsystem_job_run_seconds{pool="f"}`]
		if len(got.buckets) != tc.last-tc.first+1 || got.count != h.Count {
			t.Errorf("WithBucketRange(%v, %v): %d buckets, count %d; want %d and %d",
				tc.lo, tc.hi, len(got.buckets), got.count, tc.last-tc.first+1, h.Count)
		}
		for i := tc.first; i <= tc.last; i++ {
			if n := got.buckets[float64(uint64(1)<<i)/1e9]; n != uint64(i+1) {
				t.Errorf("WithBucketRange(%v, %v): le=2^%d ns holds %d, want %d", tc.lo, tc.hi, i, n, i+1)
			}
		}
	}
}
