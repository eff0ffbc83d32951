package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
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

// eventLog prints pool events that reach the event bus: every scaling
// event, every retry and failure, and a count of the rest.
type eventLog struct {
	out    io.Writer
	mu     sync.Mutex
	counts map[pool.EventKind]int
	shown  int // scaling events printed so far
}

func newEventLog(out io.Writer) *eventLog {
	return &eventLog{out: out, counts: make(map[pool.EventKind]int)}
}

func (l *eventLog) handle(_ context.Context, e pool.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[e.Kind]++
	switch e.Kind {
	case pool.EventRetried, pool.EventStuck:
	case pool.EventWorkerStarted, pool.EventWorkerStopped:
		if l.shown >= 6 {
			return
		}
		l.shown++
	default:
		return
	}
	switch e.Kind {
	case pool.EventRetried:
		fmt.Fprintf(l.out, "  event: job %q retried after: %v\n", e.Name, e.Err)
	case pool.EventWorkerStarted, pool.EventWorkerStopped:
		fmt.Fprintf(l.out, "  event: %s (now %d workers)\n", e.Kind, e.Workers)
	default:
		fmt.Fprintf(l.out, "  event: %s %q\n", e.Kind, e.Name)
	}
}

func (l *eventLog) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	for _, k := range []pool.EventKind{pool.EventSubmitted, pool.EventStarted, pool.EventSucceeded,
		pool.EventFailed, pool.EventRetried, pool.EventWorkerStarted, pool.EventWorkerStopped} {
		parts = append(parts, fmt.Sprintf("%s %d", k, l.counts[k]))
	}
	return strings.Join(parts, ", ")
}

// serveMetrics serves /metrics for the typed pool's keys on addr until the
// returned stop func is called.
func serveMetrics(addr string, tp *pool.Typed[string], out io.Writer) (stop func(), err error) {
	c := prom.NewCollector()
	for _, k := range tp.Keys() {
		p, _ := tp.Pool(k)
		if err := c.Add(k, p); err != nil {
			return nil, err
		}
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	for _, k := range tp.Keys() {
		p, _ := tp.Pool(k)
		mux.Handle("/healthz/"+k, health.Handler(p))
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(out, "serving http://%s/metrics and /healthz/{cpu,io}\n", ln.Addr())
	return func() { srv.Close() }, nil
}

// runPipeline runs a small DAG on p: fetch → parse, validate → store.
func runPipeline(ctx context.Context, p *pool.Pool, out io.Writer) error {
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
		return err
	}
	rep, err := g.Run(ctx, p)
	if err != nil {
		return err
	}
	res, _ := dag.Get[string](rep.Results(), "store")
	var states []string
	for _, n := range rep.Nodes {
		states = append(states, n.Name+"="+n.State.String())
	}
	fmt.Fprintf(out, "dag: %s; %q; critical path %s (%v)\n",
		strings.Join(states, " "), res, strings.Join(rep.CriticalPath, " -> "), rep.CriticalTime.Round(time.Millisecond))
	return nil
}

// runScheduled runs a periodic job five times and a flaky job that the
// pool retries, both on p.
func runScheduled(ctx context.Context, p *pool.Pool, out io.Writer) error {
	s := schedule.New(p)
	defer s.Close()
	var ticks int
	var mu sync.Mutex
	e, err := s.Every(20*time.Millisecond, func(context.Context) error {
		mu.Lock()
		ticks++
		mu.Unlock()
		return nil
	}, schedule.WithName("heartbeat"), schedule.MaxRuns(5))
	if err != nil {
		return err
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
		return err
	}
	if err := flaky.Wait(ctx); err != nil {
		return err
	}
	select {
	case <-e.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(out, "schedule: heartbeat ran %d times every 20ms; sync-upstream succeeded after %d attempts\n",
		ticks, flaky.Attempts())
	return nil
}
