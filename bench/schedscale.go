package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/schedule"
)

// Names of the rows of (s).
const (
	tsScaleName     = "threadsystem schedule"
	robfigScaleName = "robfig/cron v3"
	scaleLead       = 300 * time.Millisecond // from the end of the adds to the first due time
	scaleSpread     = 10 * time.Second       // the lateness run's window
	robfigRemoves   = 100                    // robfig's Remove is O(n): time this many
)

// scaler is one scheduler of (s) under test.
type scaler struct {
	at     func(t time.Time, fn func()) // one-shot at t
	every  func(d time.Duration)        // a periodic no-op entry, its function shared by all
	cron   func(spec string)
	keep   func(n int)     // from now on keep the handles of periodic entries, room made for n
	cancel func(n int) int // cancels up to n of the periodic entries kept; returns how many
	start  func()
	stop   func()
}

// scheduleScaleWorkload is (s): the scheduler at scale.
func scheduleScaleWorkload(sc Scale) Workload {
	n := sc.n(100_000)
	nMem := sc.n(1_000_000)
	f0 := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	w := Workload{Key: "s-schedule-scale", Title: "(s) the scheduler at scale",
		What: fmt.Sprintf("burst: %s one-shot entries due at one instant, at least %v after the adds end; all started: from that instant "+
			"to the start of the last run; p50: of the starts. spread p99: %s one-shot entries due evenly over %v, the 99th "+
			"percentile of start − due. B/Every and B/Cron: live heap after a forced GC per waiting entry, %s entries of "+
			"Every(1h) (robfig: Schedule(Every(1h))) and of Cron(\"0 * * * *\") (robfig: AddFunc), one no-op function shared by all, "+
			"minus before the scheduler was built; our Cron entries share the parsed spec, robfig parses each. add ns: the Every add loop per entry. cancel ns: Entry.Cancel of every Every entry (robfig: Remove(id) "+
			"of %d of its %s entries, O(n) each). threadsystem: schedule.New on pool.New(GOMAXPROCS = %d), runs on the pool; "+
			"robfig/cron: cron.New(), one goroutine per run, entries added before Start. Lower is better.",
			fmtCount(n), scaleLead, fmtCount(n), scaleSpread, fmtCount(nMem), robfigRemoves, fmtCount(nMem), procs()),
		Metrics: []Metric{
			{Name: "burst all started", Ratio: true, Format: fmtNs},
			{Name: "burst p50", Ratio: true, Format: fmtNs},
			{Name: "spread p99", Ratio: true, Format: fmtNs},
			{Name: "B/Every", Ratio: true, Format: f0},
			{Name: "B/Cron", Ratio: true, Format: f0},
			{Name: "add ns", Ratio: true, Format: f0},
			{Name: "cancel ns", Ratio: true, Format: f0},
		},
		Base: robfigScaleName,
		Checks: []Check{
			{Entry: tsScaleName, Metric: 0, Want: float64(25 * time.Millisecond), Note: "project target: " + fmtCount(n) + " due at once all started within 25 ms"},
			{Entry: tsScaleName, Versus: robfigScaleName, Metric: 0, Want: 0.5, Note: "project target: twice robfig's rate"},
			{Entry: tsScaleName, Metric: 2, Want: float64(2 * time.Millisecond), Note: "project target: p99 under 2 ms over " + scaleSpread.String()},
			{Entry: tsScaleName, Metric: 3, Want: 128, Note: "project target: at most 128 B per Every entry"},
			{Entry: tsScaleName, Versus: robfigScaleName, Metric: 3, Want: 1, Note: "at or below robfig"},
			{Entry: tsScaleName, Metric: 4, Want: 192, Note: "project target: at most 192 B per Cron entry"},
			{Entry: tsScaleName, Versus: robfigScaleName, Metric: 4, Want: 1, Note: "at or below robfig"},
			{Entry: tsScaleName, Metric: 5, Want: 239, Note: "project target: no slower than before (239 ns)"},
			{Entry: tsScaleName, Metric: 6, Want: 301, Note: "project target: no slower than before (301 ns)"},
		}}
	w.Entries = []Entry{
		{Name: tsScaleName, Run: func() ([]float64, error) { return scaleRun(n, nMem, newTSScaler) }},
		{Name: robfigScaleName, Run: func() ([]float64, error) { return scaleRun(n, nMem, newRobfigScaler) }},
	}
	return w
}

// scaleRun measures one scheduler from open; see scheduleScaleWorkload.
func scaleRun(n, nMem int, open func() (*scaler, error)) ([]float64, error) {
	all, p50, err := lateness(n, 0, open)
	if err != nil {
		return nil, err
	}
	_, _, err = lateness(n, scaleSpread, open)
	if err != nil {
		return nil, err
	}
	p99 := lastP99
	bEvery, _, _, err := entryCost(nMem, open, func(s *scaler) { s.every(time.Hour) }, false)
	if err != nil {
		return nil, err
	}
	bCron, _, _, err := entryCost(nMem, open, func(s *scaler) { s.cron("0 * * * *") }, false)
	if err != nil {
		return nil, err
	}
	_, addNs, cancelNs, err := entryCost(nMem, open, func(s *scaler) { s.every(time.Hour) }, true)
	if err != nil {
		return nil, err
	}
	return []float64{all, p50, p99, bEvery, bCron, addNs, cancelNs}, nil
}

func nopFn() {}

// nopRun is nopFn as this project's schedule takes it.
func nopRun(context.Context) error { return nil }

// lastP99 is the 99th percentile of the latest lateness run.
var lastP99 float64

// lateness adds n one-shot entries due over window (all at one instant for
// 0), starting scaleLead after the adds end, and returns the latest start
// and the median start, each after its due time, in nanoseconds.
func lateness(n int, window time.Duration, open func() (*scaler, error)) (worst, p50 float64, err error) {
	s, err := open()
	if err != nil {
		return 0, 0, err
	}
	defer s.stop()
	late := make([]time.Duration, n)
	var wg sync.WaitGroup
	wg.Add(n)
	// Estimate the add time generously, then place the due times after it.
	first := time.Now().Add(scaleLead + time.Duration(n)*10*time.Microsecond)
	for i := range n {
		at := first.Add(time.Duration(i) * window / time.Duration(n))
		s.at(at, func() {
			late[i] = time.Since(at)
			wg.Done()
		})
	}
	if time.Until(first) < 50*time.Millisecond {
		return 0, 0, fmt.Errorf("%w: the adds ended %v before the first due time", errRunFailed, time.Until(first))
	}
	s.start()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(window + schedTimeout):
		return 0, 0, fmt.Errorf("schedule: not every run started within %v", window+schedTimeout)
	}
	slices.Sort(late)
	lastP99 = float64(late[n*99/100])
	return float64(late[n-1]), float64(late[n/2]), nil
}

// entryCost adds n periodic entries with add and returns the live heap per
// entry, the add time per entry and, when withCancel is set, the cancel time
// per entry, in bytes and nanoseconds. Only withCancel keeps the handles
// (in a slice made beforehand), so the heap figure holds none.
func entryCost(n int, open func() (*scaler, error), add func(*scaler), withCancel bool) (perEntry, addNs, cancelNs float64, err error) {
	heap0 := liveHeap()
	s, err := open()
	if err != nil {
		return 0, 0, 0, err
	}
	defer s.stop()
	if withCancel {
		s.keep(n)
	}
	start := time.Now()
	for range n {
		add(s)
	}
	addNs = float64(time.Since(start).Nanoseconds()) / float64(n)
	perEntry = (float64(liveHeap()) - float64(heap0)) / float64(n)
	if withCancel {
		start = time.Now()
		k := s.cancel(n)
		cancelNs = float64(time.Since(start).Nanoseconds()) / float64(k)
	}
	return perEntry, addNs, cancelNs, nil
}

// newTSScaler is this project's scheduler on a GOMAXPROCS pool.
func newTSScaler() (*scaler, error) {
	p, err := pool.New(procs())
	if err != nil {
		return nil, err
	}
	s := schedule.New(p, schedule.WithLocation(time.UTC))
	var entries []*schedule.Entry
	keeping := false
	keep := func(e *schedule.Entry, err error) {
		must(err)
		if keeping {
			entries = append(entries, e)
		}
	}
	return &scaler{
		at: func(t time.Time, fn func()) {
			_, err := s.At(t, func(context.Context) error { fn(); return nil })
			must(err)
		},
		every: func(d time.Duration) { keep(s.Every(d, nopRun)) },
		cron:  func(spec string) { keep(s.Cron(spec, nopRun)) },
		keep:  func(n int) { keeping, entries = true, make([]*schedule.Entry, 0, n) },
		cancel: func(n int) int {
			k := 0
			for _, e := range entries[:min(n, len(entries))] {
				e.Cancel()
				k++
			}
			return k
		},
		start: func() {},
		stop: func() {
			must(s.Close())
			must(p.Close())
		},
	}, nil
}

// newRobfigScaler is a robfig/cron v3 scheduler, started after the adds.
func newRobfigScaler() (*scaler, error) {
	c := cron.New(cron.WithLocation(time.UTC))
	var ids []cron.EntryID
	started, keeping := false, false
	keep := func(id cron.EntryID) {
		if keeping {
			ids = append(ids, id)
		}
	}
	return &scaler{
		at:    func(t time.Time, fn func()) { c.Schedule(once(t), cron.FuncJob(fn)) },
		every: func(d time.Duration) { keep(c.Schedule(cron.Every(d), cron.FuncJob(nopFn))) },
		cron: func(spec string) {
			id, err := c.AddFunc(spec, nopFn)
			must(err)
			keep(id)
		},
		keep: func(n int) { keeping, ids = true, make([]cron.EntryID, 0, n) },
		cancel: func(n int) int {
			k := min(n, robfigRemoves, len(ids))
			for _, id := range ids[:k] {
				c.Remove(id)
			}
			return k
		},
		start: func() { c.Start(); started = true },
		stop: func() {
			if started {
				<-c.Stop().Done()
			}
		},
	}, nil
}
