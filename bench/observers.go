package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// Names of the rows of (o).
const (
	plainName    = "threadsystem Go, no observer, no logger"
	observedName = "threadsystem Go, WithObserver(no-op ObserverFunc)"
	loggedName   = "threadsystem Go, WithLogger(level Error: debug off)"
)

// observerRuns is (o)'s minimum repetitions: its gaps are a few percent.
const observerRuns = 11

// observerWorkload is (o): what an observer or a quiet logger costs Go.
func observerWorkload(sc Scale) Workload {
	n := sc.n(1_000_000)
	w := Workload{Key: "o-observer", Title: "(o) observer and logger cost",
		What: fmt.Sprintf("as (a): %s tiny jobs through p.Go from one goroutine, then p.Wait and Close; workers = GOMAXPROCS = %d; "+
			"on a pool with nothing set, with pool.WithObserver(pool.ObserverFunc(func(pool.Event) {})), and with "+
			"pool.WithLogger(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))), "+
			"whose Debug lifecycle lines are disabled. At least %d runs, since the target is a 2%% gap.",
			fmtCount(n), procs(), observerRuns),
		Metrics: []Metric{rateMetric},
		Base:    plainName,
		Runs:    observerRuns,
		Checks: []Check{
			{Entry: loggedName, Versus: plainName, Metric: 0, Want: 0.98, Note: "project target: a disabled logger costs under 2%"},
			{Entry: observedName, Versus: plainName, Metric: 0, Note: "an observer is on: every job builds and sends its lifecycle Events"},
		}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	for _, c := range []struct {
		name string
		opts []pool.Option
	}{
		{plainName, nil},
		{observedName, []pool.Option{pool.WithObserver(pool.ObserverFunc(func(pool.Event) {}))}},
		{loggedName, []pool.Option{pool.WithLogger(quiet)}},
	} {
		w.Entries = append(w.Entries, Entry{Name: c.name, Run: func() ([]float64, error) { return goRun(n, c.opts) }})
	}
	return w
}

// goRun submits n tiny jobs with Go to a pool built with opts and returns
// jobs/s, checking that every job ran.
func goRun(n int, opts []pool.Option) ([]float64, error) {
	p, err := pool.New(procs(), opts...)
	if err != nil {
		return nil, err
	}
	counter.Store(0)
	start := time.Now()
	for range n {
		if err := p.Go(tiny); err != nil {
			return nil, err
		}
	}
	if err := p.Wait(context.Background()); err != nil {
		return nil, err
	}
	if err := p.Close(); err != nil {
		return nil, err
	}
	d := time.Since(start)
	return []float64{float64(n) / d.Seconds()}, checkCount("Go", n)
}
