package pool_test

import (
	"fmt"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// A Histogram keeps power-of-two buckets: Quantile returns the upper bound
// of the bucket holding the quantile, within a factor of two of the truth.
func ExampleHistogram_Quantile() {
	var h pool.Histogram
	h.Buckets[10] = 90 // 90 waits in [512ns, 1.024µs)
	h.Buckets[12] = 9  // 9 in [2.048µs, 4.096µs)
	h.Buckets[20] = 1  // 1 in [524µs, 1.05ms)
	h.Count = 100
	fmt.Println("p50:", h.Quantile(0.5))
	fmt.Println("p99:", h.Quantile(0.99))
	fmt.Println("max:", h.Quantile(1))
	fmt.Println(h)
	// Output:
	// p50: 1.023µs
	// p99: 4.095µs
	// max: 1.048575ms
	// count 100, p50 ≤1.023µs, p90 ≤1.023µs, p99 ≤4.095µs, max ≤1.048575ms
}

// Printing Stats gives one line that reconciles; fmt.Println(p.Stats())
// prints a live pool so.
func ExampleStats_String() {
	s := pool.Stats{
		Submitted: 10, Succeeded: 7, Failed: 1, Queued: 2,
		Workers: 4, Uptime: 1500 * time.Millisecond,
	}
	s.Wait.Buckets[10], s.Wait.Count = 8, 8
	s.Run.Buckets[14], s.Run.Count = 8, 8
	fmt.Println(s)
	// Output:
	// submitted 10 = pending 0 + queued 2 + running 0 + succeeded 7 + failed 1 + cancelled 0 + skipped 0; rejected 0, retried 0, panicked 0; workers 4 (idle 0); wait p50 ≤1.023µs p99 ≤1.023µs; run p50 ≤16.383µs p99 ≤16.383µs; uptime 1.5s
}
