package dag_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

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
