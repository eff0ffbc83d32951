package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

// priorityWorkload is (f): does a Highest job overtake a queue of Lowest?
func priorityWorkload(cs []Contender, sc Scale) Workload {
	n := sc.n(10_000)
	w := Workload{Key: "f-priority", Title: "(f) priority",
		What: fmt.Sprintf("one worker busy with a blocking job, %s Lowest jobs queued behind it, then one Highest job; release. "+
			"before: how many queued jobs ran before the Highest one (0 = priority honoured, %s = FIFO); "+
			"wait: from the release to the Highest job's start. Peers have no priority and get plain submits. Lower is better.",
			fmtCount(n), fmtCount(n)),
		Metrics: []Metric{
			{Name: "before", Format: func(v float64) string { return fmt.Sprintf("%.0f", v) }},
			{Name: "wait", Ratio: true, Format: func(v float64) string { return fmtDur(time.Duration(v)) }},
		}}
	for _, c := range cs {
		switch {
		case c.Unbounded:
			w.Entries = append(w.Entries, skipped(c.Name, "n/a: no workers, no queue"))
		case !c.Queues:
			w.Entries = append(w.Entries, skipped(c.Name, "(blocks): cannot queue behind a busy worker"))
		default:
			e := Entry{Name: c.Name, Run: func() ([]float64, error) { return overtake(c, n) }}
			if !c.Priority {
				e.Note = "no priority: plain submits"
			}
			w.Entries = append(w.Entries, e)
		}
	}
	return w
}

// overtake runs the priority scenario once and returns how many low jobs ran
// before the high one, and the high job's wait in ns.
func overtake(c Contender, n int) ([]float64, error) {
	r, err := c.New(Config{Workers: 1, QueueCap: n + 2})
	if err != nil {
		return nil, err
	}
	submit := func(t *Task, high bool) Handle {
		if pr, ok := r.(PrioRunner); ok {
			return pr.SubmitPrio(t, high)
		}
		return r.Submit(t)
	}
	g := newGate()
	g.expect(1)
	hs := make(handles, 0, n+2)
	hs.keep(submit(g.blocker(), false))
	g.awaitStarted()

	var ran atomic.Int64
	low := newTask(func() { ran.Add(1) })
	for range n {
		hs.keep(submit(low, false))
	}
	var before int64
	var startedAt time.Time
	hs.keep(submit(newTask(func() { before, startedAt = ran.Load(), time.Now() }), true))
	released := time.Now()
	g.open()
	hs.wait()
	r.Wait()
	if got := ran.Load(); got != int64(n) {
		return nil, fmt.Errorf("%s: %d of %d low jobs ran", c.Name, got, n)
	}
	return []float64{float64(before), float64(startedAt.Sub(released))}, nil
}
