package dag_test

import (
	"context"
	"errors"
	"testing"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

func ok(context.Context, dag.Results) (any, error) { return nil, nil }

func TestAddRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		node string
		fn   nodeFunc
		opts []dag.NodeOption
		want error
	}{
		{"empty name", "", ok, nil, dag.ErrInvalidNode},
		{"nil function", "x", nil, nil, dag.ErrInvalidNode},
		{"duplicate name", "a", ok, nil, dag.ErrDuplicate},
		{"dependency listed twice", "x", ok, []dag.NodeOption{dag.DependsOn("a", "b"), dag.DependsOn("a")}, dag.ErrDuplicate},
		{"nil option", "x", ok, []dag.NodeOption{nil}, dag.ErrInvalidOption},
		{"empty dependency", "x", ok, []dag.NodeOption{dag.DependsOn("a", "")}, dag.ErrInvalidOption},
		{"unknown priority", "x", ok, []dag.NodeOption{dag.WithPriority(pool.Highest + 1)}, dag.ErrInvalidOption},
		{"zero timeout", "x", ok, []dag.NodeOption{dag.WithTimeout(0)}, dag.ErrInvalidOption},
		{"invalid retry policy", "x", ok, []dag.NodeOption{dag.WithRetry(retry.Policy{MaxAttempts: -5})}, retry.ErrInvalidPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := dag.New()
			if err := g.Add("a", ok); err != nil {
				t.Fatal(err)
			}
			err := g.Add(tt.node, tt.fn, tt.opts...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Add(%q) = %v, want %v", tt.node, err, tt.want)
			}
			if g.Len() != 1 {
				t.Errorf("Len() = %d after a rejected Add, want 1", g.Len())
			}
		})
	}
}

// TestNilGraphIsAnError is issue 16 item 7: a nil *Graph is refused with an
// error naming it, not a nil-pointer panic.
func TestNilGraphIsAnError(t *testing.T) {
	var g *dag.Graph
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"Graph.Add", func() error { return g.Add("a", ok) }, "dag: invalid option: Add: nil *Graph"},
		{"Add", func() error {
			return dag.Add(g, "a", func(context.Context, dag.Results) (int, error) { return 1, nil })
		}, "dag: invalid option: Add: nil *Graph"},
		{"Validate", g.Validate, "dag: invalid option: Validate: nil *Graph"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, dag.ErrInvalidOption) || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAddTypedNilFunction(t *testing.T) {
	var g dag.Graph // the zero Graph is usable
	err := dag.Add[int](&g, "x", nil)
	if !errors.Is(err, dag.ErrInvalidNode) {
		t.Fatalf("Add[int](nil) = %v, want ErrInvalidNode", err)
	}
	if err := dag.Add(&g, "y", func(context.Context, dag.Results) (int, error) { return 1, nil }); err != nil {
		t.Fatalf("Add on the zero Graph: %v", err)
	}
	if g.Len() != 1 {
		t.Fatalf("Len() = %d, want 1", g.Len())
	}
}

func TestAddDuringRunAffectsLaterRunsOnly(t *testing.T) {
	p := newPool(t, 2)
	defer p.Close()
	g := dag.New()
	var g2added bool
	g.Add("a", func(context.Context, dag.Results) (any, error) {
		g2added = g.Add("b", ok, dag.DependsOn("a")) == nil
		return nil, nil
	})
	rep, err := g.Run(context.Background(), p)
	if err != nil || !g2added {
		t.Fatalf("Run: %v, added %v", err, g2added)
	}
	if len(rep.Nodes) != 1 {
		t.Fatalf("first run has %d nodes, want 1", len(rep.Nodes))
	}
	rep, err = g.Run(context.Background(), p)
	if err != nil || states(rep) != "a=succeeded b=succeeded" {
		t.Fatalf("second run: %v, %s", err, states(rep))
	}
}
