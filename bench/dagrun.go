package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

// Names of the rows of (j).
const (
	dagRunName   = "threadsystem dag Run (graph built and validated)"
	dagBuildName = "threadsystem dag New + Add + Run"
	dagRefName   = "pool Submit + Wait per node, no graph (reference)"
)

// dagWidth is the width of a layer of (j)'s graph.
const dagWidth = 1000

// dagWorkload is (j): the per-node overhead of running a large graph.
func dagWorkload(sc Scale) Workload {
	n := sc.n(100_000)
	ns := Metric{Name: "ns/node", Ratio: true, Format: fmt0}
	w := Workload{Key: "j-dag", Title: "(j) DAG per-node overhead",
		What: fmt.Sprintf("a layered random graph of %s trivial nodes (layers of %s; each node after the first layer depends on 0-3 "+
			"random nodes of the layer before, fixed seed), run with g.Run(ctx, p) on a pool of GOMAXPROCS = %d workers. "+
			"ns/node: wall time per node; allocs/node and B/node: Mallocs and TotalAlloc deltas per node. "+
			"The reference submits one no-op job per node to the same pool, all at once, and waits for each: the pool's share. "+
			"No peer: the project's target is under 2 µs and 1 KiB per node.",
			fmtCount(n), fmtCount(min(n, dagWidth)), procs()),
		Metrics: append([]Metric{ns}, allocMetrics("node", false)...),
		Percent: &Percent{Title: "% of 2 µs", Base: 2000},
		Base:    dagRefName,
		Checks: []Check{
			{Entry: dagRunName, Metric: 0, Want: 2000, Note: "project target: under 2 µs per node"},
			{Entry: dagRunName, Metric: 2, Want: 1024, Note: "project target: under 1 KiB per node"},
			{Entry: dagBuildName, Metric: 0, Note: "building the graph (New, Add per node, Validate) included"},
			{Entry: dagBuildName, Metric: 2, Note: "building the graph included"},
			{Entry: dagRunName, Versus: dagRefName, Metric: 0, Note: "a node against a bare pool job"},
		}}
	var built *dag.Graph
	w.Entries = []Entry{
		{Name: dagRunName, Run: func() ([]float64, error) {
			if built == nil {
				g, err := layered(n)
				if err != nil {
					return nil, err
				}
				if err := g.Validate(); err != nil {
					return nil, err
				}
				built = g
			}
			return dagRun(n, func() (*dag.Graph, error) { return built, nil })
		}},
		{Name: dagBuildName, Run: func() ([]float64, error) {
			return dagRun(n, func() (*dag.Graph, error) { return layered(n) })
		}},
		{Name: dagRefName, Run: func() ([]float64, error) { return submitEach(n) }},
	}
	return w
}

// layered builds (j)'s graph: n no-op nodes in layers of dagWidth, each
// node after the first layer depending on 0 to 3 distinct random nodes of
// the layer before. The seed is fixed, so every call builds the same graph.
func layered(n int) (*dag.Graph, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := dag.New()
	noop := func(context.Context, dag.Results) (any, error) { return nil, nil }
	var deps []string
	for i := range n {
		deps = deps[:0]
		if layer := i / dagWidth; layer > 0 {
			for range rng.IntN(4) {
				d := "n" + strconv.Itoa((layer-1)*dagWidth+rng.IntN(dagWidth))
				dup := false
				for _, e := range deps {
					dup = dup || e == d
				}
				if !dup {
					deps = append(deps, d)
				}
			}
		}
		if err := g.Add("n"+strconv.Itoa(i), noop, dag.DependsOn(deps...)); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// dagRun times build then Run of an n-node graph on a fresh pool.
func dagRun(n int, build func() (*dag.Graph, error)) ([]float64, error) {
	p, err := pool.New(procs())
	if err != nil {
		return nil, err
	}
	defer p.Close()
	var am allocMeter
	am.start()
	start := time.Now()
	g, err := build()
	if err != nil {
		return nil, err
	}
	rep, err := g.Run(context.Background(), p)
	d := time.Since(start)
	allocs, bytes := am.per(n)
	if err != nil {
		return nil, err
	}
	if got := len(rep.Nodes); got != n {
		return nil, fmt.Errorf("dag: report has %d nodes, want %d", got, n)
	}
	return []float64{float64(d.Nanoseconds()) / float64(n), allocs, bytes}, nil
}

// submitEach submits n no-op jobs to a fresh pool and waits for each.
func submitEach(n int) ([]float64, error) {
	p, err := pool.New(procs())
	if err != nil {
		return nil, err
	}
	defer p.Close()
	ctx := context.Background()
	noop := func(context.Context) error { return nil }
	jobs := make([]*pool.Job, n)
	var am allocMeter
	am.start()
	start := time.Now()
	for i := range jobs {
		if jobs[i], err = p.Submit(ctx, noop); err != nil {
			return nil, err
		}
	}
	for _, j := range jobs {
		if err := j.Wait(ctx); err != nil {
			return nil, err
		}
	}
	d := time.Since(start)
	allocs, bytes := am.per(n)
	return []float64{float64(d.Nanoseconds()) / float64(n), allocs, bytes}, nil
}
