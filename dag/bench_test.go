package dag_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

// layered returns a graph of n nodes in layers of width nodes; each node
// after the first layer depends on 0 to 3 distinct random nodes of the layer
// before it. The seed is fixed, so every call builds the same graph.
func layered(b *testing.B, n, width int) *dag.Graph {
	rng := rand.New(rand.NewPCG(1, 2))
	g := dag.New()
	noop := func(context.Context, dag.Results) (any, error) { return nil, nil }
	for i := range n {
		var deps []string
		if layer := i / width; layer > 0 {
			for k, picks := 0, rng.IntN(4); k < picks; k++ {
				d := "n" + strconv.Itoa((layer-1)*width+rng.IntN(width))
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
			b.Fatal(err)
		}
	}
	return g
}

// BenchmarkRun100k runs a 100,000-node layered graph of trivial nodes on a
// pool of GOMAXPROCS workers, and reports the cost per node: the overhead of
// the DAG and of one pool job per node.
func BenchmarkRun100k(b *testing.B) {
	const n = 100_000
	g := layered(b, n, 1000)
	if err := g.Validate(); err != nil {
		b.Fatal(err)
	}
	p, err := pool.New(runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runs := 0
	for b.Loop() {
		if _, err := g.Run(context.Background(), p); err != nil {
			b.Fatal(err)
		}
		runs++
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/node")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(runs*n), "B/node")
}

// BenchmarkValidate100k measures Validate on a fresh 100,000-node layered
// graph (the cached result would cost nothing).
func BenchmarkValidate100k(b *testing.B) {
	const n = 100_000
	g := layered(b, n, 1000)
	b.ReportAllocs()
	runs := 0
	for b.Loop() {
		g.Add("extra"+strconv.Itoa(runs), func(context.Context, dag.Results) (any, error) { return nil, nil })
		if err := g.Validate(); err != nil {
			b.Fatal(err)
		}
		runs++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/node")
}

// twoDeps returns the graph of issue 19: layers of width nodes, each node
// after the first layer depending on two nodes of the layer before (its
// own position and the next, wrapping), all no-ops.
func twoDeps(b *testing.B, layers, width int) *dag.Graph {
	g := dag.New()
	noop := func(context.Context, dag.Results) (any, error) { return nil, nil }
	for l := range layers {
		for k := range width {
			var deps []string
			if l > 0 {
				deps = []string{"n" + strconv.Itoa((l-1)*width+k), "n" + strconv.Itoa((l-1)*width+(k+1)%width)}
			}
			if err := g.Add("n"+strconv.Itoa(l*width+k), noop, dag.DependsOn(deps...)); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := g.Validate(); err != nil {
		b.Fatal(err)
	}
	return g
}

// chain returns a graph of n no-op nodes, each depending on the one before.
func chain(b *testing.B, n int) *dag.Graph {
	g := dag.New()
	noop := func(context.Context, dag.Results) (any, error) { return nil, nil }
	for i := range n {
		var deps []string
		if i > 0 {
			deps = []string{"n" + strconv.Itoa(i-1)}
		}
		if err := g.Add("n"+strconv.Itoa(i), noop, dag.DependsOn(deps...)); err != nil {
			b.Fatal(err)
		}
	}
	if err := g.Validate(); err != nil {
		b.Fatal(err)
	}
	return g
}

// runPerNode runs g on a pool of GOMAXPROCS workers once per iteration and
// reports ns/node, B/node (every allocation during the runs) and
// kept-B/node (heap still in use with the last Report alive, after a GC).
func runPerNode(b *testing.B, g *dag.Graph, n int, opts ...dag.RunOption) {
	p, err := pool.New(runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var rep *dag.Report
	runs := 0
	for b.Loop() {
		rep = nil
		if rep, err = g.Run(context.Background(), p, opts...); err != nil {
			b.Fatal(err)
		}
		runs++
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	total := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/node")
	b.ReportMetric(float64(total)/float64(runs*n), "B/node")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "kept-B/node")
	runtime.KeepAlive(rep)
}

// BenchmarkRunLayered runs issue 19's graph, 100 layers of 1,000 nodes with
// two dependencies each.
func BenchmarkRunLayered(b *testing.B) {
	const layers, width = 100, 1000
	runPerNode(b, twoDeps(b, layers, width), layers*width)
}

// BenchmarkRunTwice runs issue 19's layered graph twice per iteration on
// one pool, timing the first and the second Run apart, the first Report
// still alive during the second Run: the second must be no slower.
func BenchmarkRunTwice(b *testing.B) {
	const layers, width = 100, 1000
	const n = layers * width
	g := twoDeps(b, layers, width)
	p, err := pool.New(runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	var first, second time.Duration
	runs := 0
	for b.Loop() {
		var reps [2]*dag.Report // the first Report stays alive during the second Run
		for k := range 2 {
			start := time.Now()
			if reps[k], err = g.Run(context.Background(), p); err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				first += time.Since(start)
			} else {
				second += time.Since(start)
			}
		}
		runtime.KeepAlive(reps)
		runs++
	}
	b.ReportMetric(float64(first.Nanoseconds())/float64(runs*n), "first-ns/node")
	b.ReportMetric(float64(second.Nanoseconds())/float64(runs*n), "second-ns/node")
}

// BenchmarkRunChain1M runs a chain of 1,000,000 nodes.
func BenchmarkRunChain1M(b *testing.B) {
	const n = 1_000_000
	runPerNode(b, chain(b, n), n)
}

// BenchmarkPoolFloor is the pool-only peer of BenchmarkRunLayered: 100,000
// no-op jobs, 1,000 submitted at first and each later one submitted by a
// job as it ends, as a node's job submits its ready dependents, with no
// graph. "submit" uses pool.Submit, one Job a node as Run does; "go" uses
// pool.Go. Run cannot be cheaper per node than "submit".
func BenchmarkPoolFloor(b *testing.B) {
	const n, width = 100_000, 1000
	for _, mode := range []string{"submit", "go"} {
		b.Run(mode, func(b *testing.B) {
			p, err := pool.New(runtime.GOMAXPROCS(0))
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			b.ReportAllocs()
			runs := 0
			for b.Loop() {
				var left atomic.Int64
				left.Store(n - width)
				done := make(chan struct{})
				var ended atomic.Int64
				var job func()
				job = func() {
					if left.Add(-1) >= 0 {
						if mode == "go" {
							p.Go(job)
						} else {
							p.Submit(context.Background(), func(context.Context) error { job(); return nil })
						}
					}
					if ended.Add(1) == n {
						close(done)
					}
				}
				for range width {
					if mode == "go" {
						p.Go(job)
					} else {
						p.Submit(context.Background(), func(context.Context) error { job(); return nil })
					}
				}
				<-done
				runs++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/node")
		})
	}
}
