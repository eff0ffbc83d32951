package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/robfig/cron/v3"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/schedule"
)

// Names of the rows of (k).
const (
	tsAtName      = "threadsystem schedule At"
	tsAtBigName   = "threadsystem schedule At, 10× the entries"
	gocronName    = "gocron v2 OneTimeJob"
	robfigName    = "robfig/cron v3 Schedule (one-shot Schedule)"
	robfigBigName = "robfig/cron v3 Schedule, 10× the entries"
	schedWindow   = time.Second // entries come due over [schedWindow, 2×schedWindow) from the first add
	schedTimeout  = 60 * time.Second
)

// scheduler is one live scheduler of (k): add schedules fn once at t; start,
// where set, starts it after every add, given the first due time; stop stops
// it and everything it started.
type scheduler struct {
	add   func(t time.Time, fn func()) error
	start func(first time.Time) error
	stop  func()
}

// scheduleWorkload is (k): scheduling and firing one-shot entries.
func scheduleWorkload(sc Scale) Workload {
	n := sc.n(100_000)
	nBig := sc.n(1_000_000)
	perEntry := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	w := Workload{Key: "k-schedule", Title: "(k) one-shot scheduling",
		What: fmt.Sprintf("%s one-shot entries, added from one goroutine, due evenly over [1 s, 2 s) after the first add, each bumping "+
			"a counter; the run ends when the last one has fired. %s rather than 1,000,000 for the comparison with all peers: "+
			"gocron v2 cannot take a million: a million adds take ~10 s, far past the due times, so added before Start the late "+
			"ones are refused (\"start must not be in the past\"), and added while it runs, a one-time job that is already due "+
			"when gocron's scheduler goroutine schedules it makes that goroutine spin forever (a 1,000,000-entry try did not end "+
			"in 5 minutes). Our scheduler and robfig/cron also run %s entries (due over the same second) as "+
			"separate rows, compared with each other. "+
			"add ns/entry: wall time of the add loop, per entry. CPU ns/entry: the process's user+system CPU time from the first add "+
			"to the last firing, per entry: scheduling, timers, firing and GC, without the idle wait (the forced GC for the live "+
			"figure is subtracted). late: from the last entry's due time to its firing. alloc B/entry: TotalAlloc delta per entry. "+
			"live B/entry: live heap after a forced GC once every entry is added, minus before the scheduler was built. "+
			"threadsystem: schedule.New on pool.New(GOMAXPROCS = %d), s.At(t, fn) (After(d) computes the same due time from now); "+
			"firings run on the pool. gocron: NewScheduler, NewJob(OneTimeJob(OneTimeJobStartDateTime(t)), NewTask(fn)) for every "+
			"entry, then Start (see the spin above; a run whose adds end less than %v before the first due time is failed "+
			"rather than started); it runs each job in a goroutine of its own. robfig/cron, which has no one-shot entry: "+
			"c.Schedule(once(t), FuncJob(fn)) for every entry before Start (while it runs, each add re-sorts all entries), where once(t).Next returns t before t and the zero "+
			"time (never) from t on; fired entries stay in its slice, which it sorts on every wake-up. It also runs each job "+
			"in a goroutine of its own.",
			fmtCount(n), fmtCount(n), fmtCount(nBig), procs(), gocronMargin),
		Metrics: []Metric{
			{Name: "add ns/entry", Ratio: true, Format: perEntry},
			{Name: "CPU ns/entry", Ratio: true, Format: perEntry},
			{Name: "late", Format: fmtNs},
			{Name: "alloc B/entry", Format: perEntry},
			{Name: "live B/entry", Ratio: true, Format: perEntry},
		},
		Base: gocronName,
		Checks: []Check{
			{Entry: tsAtName, Versus: gocronName, Metric: 1},
			{Entry: tsAtName, Versus: robfigName, Metric: 1},
			{Entry: tsAtBigName, Versus: robfigBigName, Metric: 1, Note: fmtCount(nBig) + " entries"},
			{Entry: tsAtName, Versus: gocronName, Metric: 4},
			{Entry: tsAtName, Versus: robfigName, Metric: 4},
			{Entry: tsAtBigName, Metric: 1, Note: fmtCount(nBig) + " entries"},
			{Entry: tsAtBigName, Metric: 4, Note: fmtCount(nBig) + " entries"},
		}}
	big := fmtCount(nBig) + " entries"
	w.Entries = []Entry{
		{Name: tsAtName, Run: func() ([]float64, error) { return scheduleRun(n, newTSScheduler) }},
		{Name: gocronName, Run: func() ([]float64, error) { return scheduleRun(n, newGocron) }},
		{Name: robfigName, Run: func() ([]float64, error) { return scheduleRun(n, newRobfig) }},
		{Name: tsAtBigName, Base: robfigBigName, Note: big + "; base: " + robfigBigName,
			Run: func() ([]float64, error) { return scheduleRun(nBig, newTSScheduler) }},
		{Name: robfigBigName, Base: robfigBigName, Note: big,
			Run: func() ([]float64, error) { return scheduleRun(nBig, newRobfig) }},
	}
	return w
}

// scheduleRun adds n one-shot entries to a scheduler from open and waits for
// every one to fire; see scheduleWorkload for the figures it returns.
func scheduleRun(n int, open func() (*scheduler, error)) ([]float64, error) {
	var fired atomic.Int64
	done := make(chan struct{})
	fn := func() {
		if fired.Add(1) == int64(n) {
			close(done)
		}
	}
	heap0 := liveHeap()
	s, err := open()
	if err != nil {
		return nil, err
	}
	defer s.stop()
	var am allocMeter
	am.start()
	cpu0 := cpuTime()
	start := time.Now()
	first, step := start.Add(schedWindow), schedWindow/time.Duration(n)
	for i := range n {
		if err := s.add(first.Add(time.Duration(i)*step), fn); err != nil {
			return nil, err
		}
	}
	added := time.Since(start)
	if s.start != nil {
		if err := s.start(first); err != nil {
			return nil, err
		}
	}
	gc0 := cpuTime()
	heap1 := liveHeap()
	gcCPU := cpuTime() - gc0
	select {
	case <-done:
	case <-time.After(schedTimeout):
		return nil, fmt.Errorf("schedule: %d of %d entries fired in %v", fired.Load(), n, schedTimeout)
	}
	end := time.Now()
	cpu := cpuTime() - cpu0 - gcCPU
	_, bytes := am.per(n)
	lastDue := first.Add(time.Duration(n-1) * step)
	live := (float64(heap1) - float64(heap0)) / float64(n)
	return []float64{
		float64(added.Nanoseconds()) / float64(n),
		float64(cpu.Nanoseconds()) / float64(n),
		float64(end.Sub(lastDue)),
		bytes,
		live,
	}, nil
}

// newTSScheduler is this project's scheduler on a GOMAXPROCS pool.
func newTSScheduler() (*scheduler, error) {
	p, err := pool.New(procs())
	if err != nil {
		return nil, err
	}
	s := schedule.New(p)
	return &scheduler{
		add: func(t time.Time, fn func()) error {
			_, err := s.At(t, func(context.Context) error { fn(); return nil })
			return err
		},
		stop: func() {
			must(s.Close())
			must(p.Close())
		},
	}, nil
}

// gocronMargin is how long before the first due time gocron must be
// started. gocron v2.21.2 spins forever on its scheduler goroutine when a
// one-time job's time has passed by the time that goroutine schedules it
// (its catch-up loop alternates between the zero time and the past time), so
// jobs are added before Start, and a run whose adds end too late is failed
// instead of started.
const gocronMargin = 250 * time.Millisecond

// newGocron is a gocron v2 scheduler, started after every add.
func newGocron() (*scheduler, error) {
	s, err := gocron.NewScheduler()
	if err != nil {
		return nil, err
	}
	return &scheduler{
		add: func(t time.Time, fn func()) error {
			_, err := s.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartDateTime(t)), gocron.NewTask(fn))
			if errors.Is(err, gocron.ErrOneTimeJobStartDateTimePast) {
				return fmt.Errorf("%w: gocron's adds fell behind the due times: %w", errRunFailed, err)
			}
			return err
		},
		start: func(first time.Time) error {
			if left := time.Until(first); left < gocronMargin {
				return fmt.Errorf("%w: gocron's adds ended %v before the first due time", errRunFailed, left.Round(time.Millisecond))
			}
			s.Start()
			return nil
		},
		stop: func() { must(s.Shutdown()) },
	}, nil
}

// once is a robfig/cron Schedule that fires at its time and never again.
type once time.Time

// Next returns the time of o while t is before it, and the zero time
// (never) from then on.
func (o once) Next(t time.Time) time.Time {
	if t.Before(time.Time(o)) {
		return time.Time(o)
	}
	return time.Time{}
}

// newRobfig is a robfig/cron v3 scheduler, started after every add.
func newRobfig() (*scheduler, error) {
	c := cron.New()
	return &scheduler{
		add: func(t time.Time, fn func()) error {
			c.Schedule(once(t), cron.FuncJob(fn))
			return nil
		},
		start: func(time.Time) error { c.Start(); return nil },
		stop:  func() { <-c.Stop().Done() },
	}, nil
}
