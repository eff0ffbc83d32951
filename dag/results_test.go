package dag_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

func TestGet(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	g := dag.New()
	dag.Add(g, "num", func(context.Context, dag.Results) (int, error) { return 42, nil })
	g.Add("nil", func(context.Context, dag.Results) (any, error) { return nil, nil })
	g.Add("bad", fail)
	var inside error
	g.Add("reader", func(_ context.Context, in dag.Results) (any, error) {
		_, inside = in.Value("bad") // not a dependency of reader
		return nil, nil
	}, dag.DependsOn("num"))
	rep, _ := g.Run(context.Background(), p, dag.KeepResults())
	if !errors.Is(inside, dag.ErrNotFound) {
		t.Errorf("Value of a non-dependency inside a node = %v, want ErrNotFound", inside)
	}

	res := rep.Results()
	tests := []struct {
		name string
		get  func() (any, error)
		want any
		err  error
	}{
		{"right type", func() (any, error) { return dag.Get[int](res, "num") }, 42, nil},
		{"as any", func() (any, error) { return dag.Get[any](res, "num") }, 42, nil},
		{"wrong type", func() (any, error) { return dag.Get[string](res, "num") }, "", dag.ErrType},
		{"missing", func() (any, error) { return dag.Get[int](res, "nope") }, 0, dag.ErrNotFound},
		{"nil as interface", func() (any, error) { return dag.Get[error](res, "nil") }, error(nil), nil},
		{"nil as int", func() (any, error) { return dag.Get[int](res, "nil") }, 0, dag.ErrType},
		{"failed node", func() (any, error) { return dag.Get[int](res, "bad") }, 0, errBoom},
		{"zero Results", func() (any, error) { return dag.Get[int](dag.Results{}, "num") }, 0, dag.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("got %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestGetErrorMessages(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	g := dag.New()
	dag.Add(g, "num", func(context.Context, dag.Results) (int, error) { return 42, nil })
	g.Add("bad", fail)
	rep, _ := g.Run(context.Background(), p, dag.KeepResults())
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"type", func() error { _, err := dag.Get[string](rep.Results(), "num"); return err },
			`dag: wrong result type: node "num" holds int, not string`},
		{"missing", func() error { _, err := dag.Get[int](rep.Results(), "x"); return err },
			`dag: no such result: no node "x"`},
		{"failed", func() error { _, err := rep.Results().Value("bad"); return err },
			`dag: node "bad" failed: boom`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(tt.err()); got != tt.want {
				t.Fatalf("error %q, want %q", got, tt.want)
			}
		})
	}
	var ne *dag.NodeError
	if _, err := rep.Results().Value("bad"); !errors.As(err, &ne) || ne.State != pool.Failed {
		t.Fatalf("Value(bad) = %v, want a *NodeError", err)
	}
}

// TestReportKeepsResultsOnlyWithKeepResults runs one graph with and without
// KeepResults: without it the Report's Results give ErrNotKept for a node
// that succeeded, the *NodeError for one that did not, and ErrNotFound for
// a name outside the graph; with it, the values.
func TestReportKeepsResultsOnlyWithKeepResults(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	g := dag.New()
	dag.Add(g, "num", func(context.Context, dag.Results) (int, error) { return 42, nil })
	g.Add("bad", fail)
	tests := []struct {
		name string
		opts []dag.RunOption
		num  error // what Get(num) returns
	}{
		{"default", nil, dag.ErrNotKept},
		{"KeepResults", []dag.RunOption{dag.KeepResults()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := g.Run(context.Background(), p, tt.opts...)
			v, err := dag.Get[int](rep.Results(), "num")
			if !errors.Is(err, tt.num) || err == nil && v != 42 {
				t.Errorf("Get(num) = %d, %v; want 42 or %v", v, err, tt.num)
			}
			var ne *dag.NodeError
			if _, err := rep.Results().Value("bad"); !errors.As(err, &ne) || ne.State != pool.Failed {
				t.Errorf("Value(bad) = %v, want a *NodeError for a Failed node", err)
			}
			if _, err := rep.Results().Value("x"); !errors.Is(err, dag.ErrNotFound) {
				t.Errorf("Value(x) = %v, want ErrNotFound", err)
			}
		})
	}
}
