package main

import (
	"fmt"
	"sync"
	"time"
)

// throughput submits n copies of t from submitters goroutines, waits for
// every job (handles first, where the contender returns them) and returns
// jobs per second. Runner creation and handle slices are outside the clock.
func throughput(c Contender, cfg Config, n, submitters int, t *Task) (float64, error) {
	r, err := c.New(cfg)
	if err != nil {
		return 0, err
	}
	shares := make([]handles, submitters)
	for i := range shares {
		if c.Handles {
			shares[i] = make(handles, 0, n/submitters+1)
		}
	}
	start := time.Now()
	if submitters == 1 {
		submitAll(r, t, n, shares[0])
	} else {
		var wg sync.WaitGroup
		for i := range submitters {
			k := n / submitters
			if i < n%submitters {
				k++
			}
			wg.Go(func() { submitAll(r, t, k, shares[i]) })
		}
		wg.Wait()
	}
	r.Wait()
	d := time.Since(start)
	return float64(n) / d.Seconds(), nil
}

// submitAll submits t k times, then waits on every handle it got.
func submitAll(r Runner, t *Task, k int, hs handles) {
	for range k {
		hs.keep(r.Submit(t))
	}
	hs.wait()
}

// rateMetric is a jobs/s column.
var rateMetric = Metric{Name: "jobs/s", Higher: true, Ratio: true, Format: fmtRate}

// countedRun runs throughput with the tiny or sleep job and checks the count.
func countedRun(c Contender, cfg Config, n, submitters int, t *Task) func() ([]float64, error) {
	return func() ([]float64, error) {
		counter.Store(0)
		rate, err := throughput(c, cfg, n, submitters, t)
		if err != nil {
			return nil, err
		}
		return []float64{rate}, checkCount(c.Name, n)
	}
}

// tinyWorkload is (a): tiny jobs from one goroutine.
func tinyWorkload(cs []Contender, sc Scale) Workload {
	n, t := sc.n(1_000_000), newTask(tiny)
	w := Workload{Key: "a-tiny", Title: "(a) tiny jobs, one submitter",
		What: fmt.Sprintf("%s jobs of one atomic add, submitted from one goroutine, then wait for all; workers = GOMAXPROCS = %d.",
			fmtCount(n), procs()),
		Metrics: []Metric{rateMetric}}
	for _, c := range cs {
		w.Entries = append(w.Entries, Entry{Name: c.Name, Run: countedRun(c, Config{Workers: procs()}, n, 1, t)})
	}
	return w
}

// multiWorkload is (g): tiny jobs from 16 goroutines.
func multiWorkload(cs []Contender, sc Scale) Workload {
	const submitters = 16
	n, t := sc.n(1_000_000), newTask(tiny)
	w := Workload{Key: "g-multi", Title: "(g) tiny jobs, 16 submitters",
		What: fmt.Sprintf("%s jobs of one atomic add, submitted from %d goroutines, then wait for all; workers = GOMAXPROCS = %d.",
			fmtCount(n), submitters, procs()),
		Metrics: []Metric{rateMetric}}
	for _, c := range cs {
		w.Entries = append(w.Entries, Entry{Name: c.Name, Run: countedRun(c, Config{Workers: procs()}, n, submitters, t)})
	}
	return w
}

// referenceName names the no-pool row of (b).
const referenceName = "no pool: static split (reference)"

// cpuWorkload is (b): ~1 µs CPU jobs, plus the static-split reference.
func cpuWorkload(cs []Contender, sc Scale) Workload {
	n, t := sc.n(1_000_000), newTask(cpuJob)
	w := Workload{Key: "b-cpu", Title: "(b) 1 µs CPU jobs",
		What: fmt.Sprintf("%s jobs of ~1 µs of CPU each (a calibrated spin loop), one submitter; workers = GOMAXPROCS = %d. "+
			"The reference runs the same %s spins split statically over %d goroutines, with no per-job hand-off.",
			fmtCount(n), procs(), fmtCount(n), procs()),
		Metrics: []Metric{rateMetric},
		Percent: &Percent{Title: "% of reference", Entry: referenceName}}
	w.Entries = append(w.Entries, Entry{Name: referenceName, Run: func() ([]float64, error) {
		return []float64{staticSplit(n, procs())}, nil
	}})
	for _, c := range cs {
		w.Entries = append(w.Entries, Entry{Name: c.Name, Run: func() ([]float64, error) {
			rate, err := throughput(c, Config{Workers: procs()}, n, 1, t)
			return []float64{rate}, err
		}})
	}
	return w
}

// staticSplit runs n cpuJobs over g goroutines, n/g each, and returns jobs/s.
func staticSplit(n, g int) float64 {
	var wg sync.WaitGroup
	start := time.Now()
	for i := range g {
		k := n / g
		if i < n%g {
			k++
		}
		wg.Go(func() {
			for range k {
				cpuJob()
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// sleepWorkload is (c): 1 ms sleeps on 1,000 workers.
func sleepWorkload(cs []Contender, sc Scale) Workload {
	const workers = 1000
	n, t := sc.n(100_000), newTask(sleepJob)
	ideal := float64(workers) / time.Millisecond.Seconds()
	w := Workload{Key: "c-sleep", Title: "(c) 1 ms sleeping jobs on 1,000 workers",
		What: fmt.Sprintf("%s jobs sleeping 1 ms each, one submitter, %d workers: ideal %s (%s).",
			fmtCount(n), workers, fmtDur(time.Duration(float64(n)/ideal*float64(time.Second))), fmtRate(ideal)),
		Metrics: []Metric{rateMetric},
		Percent: &Percent{Title: "% of ideal", Base: ideal}}
	for _, c := range cs {
		if c.Unbounded {
			w.Entries = append(w.Entries, skipped(c.Name, "n/a: no worker limit"))
			continue
		}
		w.Entries = append(w.Entries, Entry{Name: c.Name, Run: countedRun(c, Config{Workers: workers}, n, 1, t)})
	}
	return w
}
