package main

import (
	"fmt"
	"runtime"
)

// Metric is one measured column of a workload.
type Metric struct {
	Name   string
	Higher bool // higher is better
	Ratio  bool // print the ratio to the baseline
	Format func(float64) string
}

// Entry is one row of a workload: a contender or a reference.
type Entry struct {
	Name string
	Note string                    // remark, or why Run is nil
	Run  func() ([]float64, error) // one value per Metric; nil = not run
	// Base names the entry this row's ratios divide by; empty means the
	// workload's Base.
	Base string
}

// Percent adds a "% of X" column for the first metric, against the median
// of the entry named Entry or, when Entry is empty, against Base.
type Percent struct {
	Title string
	Entry string
	Base  float64
}

// Workload is one benchmark scenario.
type Workload struct {
	Key     string
	Title   string
	What    string
	Metrics []Metric
	Percent *Percent
	Entries []Entry
	// Base names the entry ratios divide by; empty means the buffered
	// channel baseline. Only workloads on that baseline join the summary
	// table of ratios; the others report through Checks.
	Base string
	// Runs raises the repetitions for a workload whose gaps are small.
	Runs int
	// MaxRuns, when set, caps the repetitions of a workload too slow to
	// repeat -runs times.
	MaxRuns int
	// Checks are the figures this workload puts in the closing summary of
	// targets and peers.
	Checks []Check
}

// baseOf names the entry e's ratios divide by in w.
func (w Workload) baseOf(e Entry) string {
	switch {
	case e.Base != "":
		return e.Base
	case w.Base != "":
		return w.Base
	}
	return baselineName
}

// onBaseline reports whether every ratio in w is against the buffered
// channel, so w belongs in the summary table of ratios.
func (w Workload) onBaseline() bool {
	for _, e := range w.Entries {
		if w.baseOf(e) != baselineName {
			return false
		}
	}
	return true
}

// Scale multiplies the job counts.
type Scale float64

// n scales a job count, keeping at least 1.
func (s Scale) n(base int) int { return max(1, int(float64(base)*float64(s))) }

// procs is the worker count for the CPU-bound workloads.
func procs() int { return runtime.GOMAXPROCS(0) }

// workloads builds every workload at scale sc.
func workloads(cs []Contender, sc Scale) []Workload {
	return []Workload{
		tinyWorkload(cs, sc),
		cpuWorkload(cs, sc),
		sleepWorkload(cs, sc),
		latencyWorkload(cs, sc),
		memoryWorkload(cs, sc),
		priorityWorkload(cs, sc),
		multiWorkload(cs, sc),
		futureWorkload(sc),
		mapWorkload(sc),
		dagWorkload(sc),
		scheduleWorkload(sc),
		eventWorkload(sc),
		eventLatencyWorkload(sc),
		registryWorkload(sc),
		observerWorkload(sc),
		scheduleScaleWorkload(sc),
	}
}

// skipped is an entry that is listed but not run.
func skipped(name, why string) Entry { return Entry{Name: name, Note: why} }

// checkCount verifies that want jobs bumped counter since it was reset.
func checkCount(name string, want int) error {
	if got := counter.Load(); got != int64(want) {
		return fmt.Errorf("%s: %d of %d jobs ran", name, got, want)
	}
	return nil
}
