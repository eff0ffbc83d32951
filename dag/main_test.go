package dag_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newPool returns a pool of n workers that the caller must Close (inside a
// synctest bubble, before the bubble's function returns).
func newPool(t testing.TB, n int) *pool.Pool {
	t.Helper()
	p, err := pool.New(n)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type nodeFunc = func(context.Context, dag.Results) (any, error)

// build adds one node per spec "name" or "name:dep1,dep2", running fns[name]
// or, by default, a function returning the node's name.
func build(t testing.TB, spec []string, fns map[string]nodeFunc) *dag.Graph {
	t.Helper()
	g := dag.New()
	for _, s := range spec {
		name, deps, _ := strings.Cut(s, ":")
		fn := fns[name]
		if fn == nil {
			fn = func(context.Context, dag.Results) (any, error) { return name, nil }
		}
		var opts []dag.NodeOption
		if deps != "" {
			opts = append(opts, dag.DependsOn(strings.Split(deps, ",")...))
		}
		if err := g.Add(name, fn, opts...); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// states returns "name=state" for each node of rep, in Add order.
func states(rep *dag.Report) string {
	var parts []string
	for _, n := range rep.Nodes {
		parts = append(parts, n.Name+"="+n.State.String())
	}
	return strings.Join(parts, " ")
}
