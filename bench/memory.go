package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// memoryWorkload is (e): heap cost of a queued job.
func memoryWorkload(cs []Contender, sc Scale) Workload {
	n := sc.n(100_000)
	f1 := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	f2 := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	w := Workload{Key: "e-memory", Title: "(e) memory per queued job",
		What: fmt.Sprintf("every worker (GOMAXPROCS = %d) blocked, then %s no-op jobs submitted and left queued; GC off during the measurement. "+
			"alloc B/job and allocs/job: HeapAlloc+StackInuse and Mallocs deltas from before the runner is built until every job is queued "+
			"(so the channel's up-front buffer of %s+%d slots counts); live B/job: the same after a forced GC, jobs still queued. "+
			"Raw goroutines: each job is a goroutine parked on a gate. Lower is better.",
			procs(), fmtCount(n), fmtCount(n), procs()),
		Metrics: []Metric{
			{Name: "alloc B/job", Ratio: true, Format: f1},
			{Name: "allocs/job", Format: f2},
			{Name: "live B/job", Ratio: true, Format: f1},
		}}
	for _, c := range cs {
		if !c.Queues {
			w.Entries = append(w.Entries, skipped(c.Name, "(blocks): no queue beyond its workers"))
			continue
		}
		w.Entries = append(w.Entries, Entry{Name: c.Name, Run: func() ([]float64, error) {
			return queuedCost(c, n)
		}})
	}
	return w
}

// queuedCost measures what n queued jobs cost in c; see memoryWorkload.
func queuedCost(c Contender, n int) ([]float64, error) {
	g := newGate()
	blocker, job := g.blocker(), newTask(func() {})
	if c.Unbounded {
		job = newTask(func() { <-g.ch })
	}
	var hs handles
	if c.Handles {
		hs = make(handles, 0, n+procs())
	}

	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	var m0, m1, m2 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	r, err := c.New(Config{Workers: procs(), QueueCap: n + procs()})
	if err != nil {
		return nil, err
	}
	if !c.Unbounded {
		g.expect(procs())
		for range procs() {
			hs.keep(r.Submit(blocker))
		}
		g.awaitStarted()
	}
	for range n {
		hs.keep(r.Submit(job))
	}
	runtime.ReadMemStats(&m1)
	runtime.GC()
	runtime.ReadMemStats(&m2)
	g.open()
	hs.wait()
	r.Wait()

	used := func(m *runtime.MemStats) float64 {
		return float64(int64(m.HeapAlloc+m.StackInuse)-int64(m0.HeapAlloc+m0.StackInuse)) / float64(n)
	}
	allocs := float64(m1.Mallocs-m0.Mallocs) / float64(n)
	return []float64{used(&m1), allocs, used(&m2)}, nil
}
