package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/health"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/prom"
	"github.com/threadsystem/threadsystem/retry"
	"github.com/threadsystem/threadsystem/schedule"
)

// poolEvent is a pool's event on the bus, tagged with the pool's key.
type poolEvent struct {
	Pool string
	pool.Event
}

// eventLog keeps what the demo shows of the pool events on the bus: counts
// per pool and kind, every retry, and the first few worker events.
type eventLog struct {
	mu     sync.Mutex
	counts map[string]map[pool.EventKind]int
	shown  []string
	worker int // worker events shown so far
}

func newEventLog() *eventLog {
	return &eventLog{counts: make(map[string]map[pool.EventKind]int)}
}

// maxWorkerEvents is how many worker events the report lists.
const maxWorkerEvents = 6

func (l *eventLog) handle(_ context.Context, e poolEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts[e.Pool] == nil {
		l.counts[e.Pool] = make(map[pool.EventKind]int)
	}
	l.counts[e.Pool][e.Kind]++
	switch e.Kind {
	case pool.EventRetried:
		l.shown = append(l.shown, fmt.Sprintf("%s pool: job %q retried after: %v", e.Pool, e.Name, e.Err))
	case pool.EventWorkerStarted, pool.EventWorkerStopped:
		if l.worker < maxWorkerEvents {
			l.worker++
			l.shown = append(l.shown, fmt.Sprintf("%s pool: %s, now %d %s", e.Pool, e.Kind, e.Workers, plural(e.Workers, "worker")))
		}
	}
}

// count returns how many events of kind k pool published.
func (l *eventLog) count(pool string, k pool.EventKind) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[pool][k]
}

// newDemoServer serves the typed pool's metrics, health and profiles.
func newDemoServer(tp *pool.Typed[string]) *http.Server {
	c := prom.NewCollector()
	all := make(map[string]*pool.Pool)
	mux := http.NewServeMux()
	for _, k := range tp.Keys() {
		p, _ := tp.Pool(k)
		c.Add(k, p) // the keys are distinct and the pools live: it cannot fail
		all[k] = p
		mux.Handle("/healthz/"+k, health.Handler(p))
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/healthz", health.Pools(all))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}

// runPipeline runs a small DAG on p (fetch → parse, validate → store) and
// returns its report line and its nodes' tally.
func runPipeline(ctx context.Context, p *pool.Pool) (string, tally, error) {
	g := dag.New()
	step := func(d time.Duration, v string) func(context.Context, dag.Results) (string, error) {
		return func(context.Context, dag.Results) (string, error) {
			time.Sleep(d)
			return v, nil
		}
	}
	if err := errors.Join(
		dag.Add(g, "fetch", step(20*time.Millisecond, "raw")),
		dag.Add(g, "parse", step(30*time.Millisecond, "doc"), dag.DependsOn("fetch")),
		dag.Add(g, "validate", step(10*time.Millisecond, "ok"), dag.DependsOn("fetch")),
		dag.Add(g, "store", func(_ context.Context, in dag.Results) (string, error) {
			doc, err := dag.Get[string](in, "parse")
			if err != nil {
				return "", err
			}
			return "stored " + doc, nil
		}, dag.DependsOn("parse", "validate"), dag.WithPriority(pool.High)),
	); err != nil {
		return "", tally{}, err
	}
	rep, err := g.Run(ctx, p, dag.KeepResults())
	if err != nil {
		return "", tally{}, err
	}
	res, _ := dag.Get[string](rep.Results(), "store")
	var t tally
	var states []string
	for _, n := range rep.Nodes {
		t.add(n.State, n.Attempts)
		states = append(states, n.Name+"="+n.State.String())
	}
	return fmt.Sprintf("dag: %d nodes, %s; result %q; critical path %s (%v)",
		len(rep.Nodes), strings.Join(states, " "), res, strings.Join(rep.CriticalPath, " -> "),
		rep.CriticalTime.Round(time.Millisecond)), t, nil
}

// heartbeatRuns is how many times the periodic job runs.
const heartbeatRuns = 5

// runScheduled runs a periodic job heartbeatRuns times and a flaky job that
// the pool retries, both on p, and returns their report line and tallies.
func runScheduled(ctx context.Context, p *pool.Pool) (line string, beat, flakyTally tally, err error) {
	s := schedule.New(p)
	defer s.Close()
	var beats atomic.Uint64 // runs that returned nil
	e, err := s.Every(20*time.Millisecond, func(context.Context) error {
		beats.Add(1)
		return nil
	}, schedule.WithName("heartbeat"), schedule.MaxRuns(heartbeatRuns))
	if err != nil {
		return "", beat, flakyTally, err
	}
	calls := 0
	flaky, err := p.Submit(ctx, func(context.Context) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("upstream busy (attempt %d)", calls)
		}
		return nil
	}, pool.WithName("sync-upstream"), pool.WithRetry(retry.Policy{MaxAttempts: 5, InitialDelay: 10 * time.Millisecond}))
	if err != nil {
		return "", beat, flakyTally, err
	}
	if err := flaky.Wait(ctx); err != nil {
		return "", beat, flakyTally, err
	}
	select {
	case <-e.Done():
	case <-ctx.Done():
		return "", beat, flakyTally, ctx.Err()
	}
	runs := e.Runs()
	beat = tally{submitted: uint64(runs), succeeded: beats.Load()}
	beat.failed = beat.submitted - beat.succeeded
	flakyTally.add(flaky.State(), flaky.Attempts())
	line = fmt.Sprintf("schedule: heartbeat ran %d times, every 20ms; sync-upstream %s after %d attempts",
		runs, flaky.State(), flaky.Attempts())
	return line, beat, flakyTally, nil
}

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
