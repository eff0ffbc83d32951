package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"
)

// Result holds every sample of one entry: Samples[metric][run].
type Result struct {
	Entry   Entry
	Samples [][]float64
	// Failed counts the runs that returned an error wrapping errRunFailed,
	// and Why keeps the last such error.
	Failed int
	Why    error
}

// errRunFailed marks a run that a peer could not complete in a way the
// report should show rather than stop at (a peer's own limit, not a lost
// job): the row keeps its other runs and notes the failures.
var errRunFailed = errors.New("run failed")

// measure runs every entry of w runs times. Each repetition visits the
// entries in an order rotated by one, with a runtime.GC() before each run,
// so slow drift and warm-up spread over all entries.
func measure(w Workload, runs int, progress io.Writer) ([]Result, error) {
	res := make([]Result, len(w.Entries))
	for i, e := range w.Entries {
		res[i] = Result{Entry: e, Samples: make([][]float64, len(w.Metrics))}
	}
	runs = max(runs, w.Runs)
	if w.MaxRuns > 0 {
		runs = min(runs, w.MaxRuns)
	}
	for run := range runs {
		start := time.Now()
		for k := range res {
			r := &res[(k+run)%len(res)]
			if r.Entry.Run == nil {
				continue
			}
			runtime.GC()
			vals, err := r.Entry.Run()
			if errors.Is(err, errRunFailed) {
				r.Failed, r.Why = r.Failed+1, err
				fmt.Fprintf(progress, "%s, %s: %v\n", w.Key, r.Entry.Name, err)
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", w.Key, r.Entry.Name, err)
			}
			for m, v := range vals {
				r.Samples[m] = append(r.Samples[m], v)
			}
		}
		fmt.Fprintf(progress, "%s: run %d/%d in %v\n", w.Key, run+1, runs, time.Since(start).Round(time.Millisecond))
	}
	return res, nil
}

// stats summarises samples as median, min and max.
func stats(xs []float64) (med, lo, hi float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}
