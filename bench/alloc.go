package main

import (
	"fmt"
	"runtime"
)

// allocMeter counts what the code between start and per allocates: the
// Mallocs and TotalAlloc deltas of runtime.MemStats, which count every
// allocation of every goroutine (workers, timers, a peer's helpers) and are
// not reduced by a collection in between.
type allocMeter struct{ m0 runtime.MemStats }

// start records the counts now.
func (a *allocMeter) start() { runtime.ReadMemStats(&a.m0) }

// per returns allocations and bytes per op over n ops since start.
func (a *allocMeter) per(n int) (allocs, bytes float64) {
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	return float64(m1.Mallocs-a.m0.Mallocs) / float64(n), float64(m1.TotalAlloc-a.m0.TotalAlloc) / float64(n)
}

// liveHeap forces a collection and returns the bytes in live heap objects.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// allocMetrics are the allocs/op and B/op columns, named after unit (job,
// node, entry, op), with ratios when ratio is set.
func allocMetrics(unit string, ratio bool) []Metric {
	return []Metric{
		{Name: "allocs/" + unit, Ratio: ratio, Format: fmt2},
		{Name: "B/" + unit, Ratio: ratio, Format: fmt0},
	}
}

// fmt0 and fmt2 print a figure with no or two decimals.
func fmt0(v float64) string { return fmt.Sprintf("%.0f", v) }
func fmt2(v float64) string { return fmt.Sprintf("%.2f", v) }
