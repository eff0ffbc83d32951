package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/prom"
)

// Names of the rows of (o).
const (
	plainName    = "threadsystem Go, no observer, no logger"
	observedName = "threadsystem Go, WithObserver(no-op ObserverFunc)"
	loggedName   = "threadsystem Go, WithLogger(level Error: debug off)"
	scrapedName  = "threadsystem Go, Prometheus collector registered and scraped every 10 ms"
)

// scrapeEvery is how often (o)'s scraped row gathers its registry.
const scrapeEvery = 10 * time.Millisecond

// observerRuns is (o)'s minimum repetitions: its gaps are a few percent.
const observerRuns = 11

// observerWorkload is (o): what an observer or a quiet logger costs Go.
func observerWorkload(sc Scale) Workload {
	n := sc.n(1_000_000)
	w := Workload{Key: "o-observer", Title: "(o) observer and logger cost",
		What: fmt.Sprintf("as (a): %s tiny jobs through p.Go from one goroutine, then p.Wait and Close; workers = GOMAXPROCS = %d; "+
			"on a pool with nothing set, with pool.WithObserver(pool.ObserverFunc(func(pool.Event) {})), and with "+
			"pool.WithLogger(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))), "+
			"whose Debug lifecycle lines are disabled, and with no option but a prom.NewCollector() holding the pool, "+
			"registered in a prometheus.NewRegistry() that a goroutine Gathers every %v while the jobs run. At least %d runs, since the target is a 2%% gap.",
			fmtCount(n), procs(), scrapeEvery, observerRuns),
		Metrics: []Metric{rateMetric},
		Base:    plainName,
		Runs:    observerRuns,
		Checks: []Check{
			{Entry: loggedName, Versus: plainName, Metric: 0, Want: 0.98, Note: "project target: a disabled logger costs under 2%"},
			{Entry: scrapedName, Versus: plainName, Metric: 0, Want: 0.98, Note: "a collector reads Stats only when scraped: its cost is under 2%"},
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
		w.Entries = append(w.Entries, Entry{Name: c.name, Run: func() ([]float64, error) { return goRun(n, c.opts, nil) }})
	}
	w.Entries = append(w.Entries, Entry{Name: scrapedName, Run: func() ([]float64, error) { return goRun(n, nil, scrape) }})
	return w
}

// goRun submits n tiny jobs with Go to a pool built with opts and returns
// jobs/s, checking that every job ran. A non-nil attach is called with the
// pool just before the clock starts; the stop it returns is called once the
// pool is closed and the clock stopped (or on an early error), always before
// goRun returns, and its error fails the run.
func goRun(n int, opts []pool.Option, attach func(*pool.Pool) (stop func() error, err error)) (_ []float64, err error) {
	p, err := pool.New(procs(), opts...)
	if err != nil {
		return nil, err
	}
	if attach != nil {
		stop, err := attach(p)
		if err != nil {
			_ = p.Close()
			return nil, err
		}
		defer func() {
			if serr := stop(); err == nil {
				err = serr
			}
		}()
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

// scrape exports p through a new prom.Collector registered in a new
// prometheus registry and starts a goroutine that Gathers the registry every
// scrapeEvery, as a Prometheus server polling /metrics would (without the
// HTTP encoding). The returned stop ends that goroutine, waits for it and
// returns the first Gather error, if any.
func scrape(p *pool.Pool) (func() error, error) {
	c := prom.NewCollector()
	if err := c.Add("bench", p); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var gatherErr error
	wg.Go(func() {
		t := time.NewTicker(scrapeEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := reg.Gather(); err != nil && gatherErr == nil {
					gatherErr = fmt.Errorf("prometheus gather: %w", err)
				}
			}
		}
	})
	return func() error {
		close(done)
		wg.Wait()
		return gatherErr
	}, nil
}
