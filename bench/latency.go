package main

import (
	"fmt"
	"slices"
	"time"
)

// latencyWorkload is (d): the time of each single submit call.
func latencyWorkload(cs []Contender, sc Scale) Workload {
	n, t := sc.n(200_000), newTask(tiny)
	ns := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	w := Workload{Key: "d-latency", Title: "(d) submit latency",
		What: fmt.Sprintf("time.Now around each of %s submits of tiny jobs from one goroutine; workers = GOMAXPROCS = %d. "+
			"Includes the clock's own cost (an empty timed call: p50 %s ns). Lower is better.",
			fmtCount(n), procs(), ns(timerOverhead())),
		Metrics: []Metric{
			{Name: "p50 ns", Ratio: true, Format: ns},
			{Name: "p99 ns", Ratio: true, Format: ns},
		}}
	for _, c := range cs {
		w.Entries = append(w.Entries, Entry{Name: c.Name, Run: func() ([]float64, error) {
			counter.Store(0)
			p50, p99, err := submitLatency(c, n, t)
			if err != nil {
				return nil, err
			}
			return []float64{p50, p99}, checkCount(c.Name, n)
		}})
	}
	return w
}

// submitLatency times n single submits and returns their p50 and p99 in ns.
func submitLatency(c Contender, n int, t *Task) (p50, p99 float64, err error) {
	r, err := c.New(Config{Workers: procs()})
	if err != nil {
		return 0, 0, err
	}
	lat := make([]time.Duration, n)
	var hs handles
	if c.Handles {
		hs = make(handles, 0, n)
	}
	for i := range lat {
		start := time.Now()
		h := r.Submit(t)
		lat[i] = time.Since(start)
		hs.keep(h)
	}
	hs.wait()
	r.Wait()
	p50, p99 = percentiles(lat)
	return p50, p99, nil
}

// percentiles sorts lat and returns its p50 and p99 in ns.
func percentiles(lat []time.Duration) (p50, p99 float64) {
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) }
	return at(0.50), at(0.99)
}

// timerOverhead is the p50 of timing an empty call, in ns.
func timerOverhead() float64 {
	lat := make([]time.Duration, 100_000)
	for i := range lat {
		start := time.Now()
		lat[i] = time.Since(start)
	}
	p50, _ := percentiles(lat)
	return p50
}
