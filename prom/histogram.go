package prom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/threadsystem/threadsystem/pool"
)

// numBuckets is the length of pool.Histogram.Buckets; numBounds the number
// of its finite upper bounds: bucket i < numBounds holds durations below
// 2^i ns, and the last bucket holds everything longer, so it has none.
const (
	numBuckets = len(pool.Histogram{}.Buckets)
	numBounds  = numBuckets - 1
)

// bounds[i] is bucket i's upper bound, 2^i ns, in seconds. Durations are whole
// nanoseconds, so every duration in bucket i is at most 2^i-1 ns: below the
// bound, as the le ("less or equal") label requires.
//
// mids[i] is the value a duration in bucket i counts for in the estimated
// sum: 0 for bucket 0 (zero durations), the midpoint 1.5*2^(i-1) ns of
// [2^(i-1), 2^i) for the others, and the lower bound 2^(numBounds-1) ns for
// the open last bucket.
var bounds, mids = func() (b [numBounds]float64, m [numBuckets]float64) {
	for i := range numBuckets {
		if i < numBounds {
			b[i] = float64(uint64(1)<<i) / 1e9
		}
		switch {
		case i == 0:
		case i < numBounds:
			m[i] = 1.5 * float64(uint64(1)<<(i-1)) / 1e9
		default:
			m[i] = float64(uint64(1)<<(i-1)) / 1e9
		}
	}
	return b, m
}()

// histogram turns a pool histogram into a constant Prometheus histogram
// with the bounds first..last. The count is the pool's Count (or the sum
// of the buckets, if a Source reports a larger one) and the sum is the
// estimate described at mids. It allocates one map.
func (c *Collector) histogram(desc *prometheus.Desc, h *pool.Histogram, labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, c.cfg.last-c.cfg.first+1)
	var cum uint64
	var sum float64
	for i, n := range h.Buckets {
		cum += n
		sum += float64(n) * mids[i]
		if i >= c.cfg.first && i <= c.cfg.last {
			buckets[bounds[i]] = cum
		}
	}
	return prometheus.MustNewConstHistogram(desc, max(h.Count, cum), sum, buckets, labels...)
}
