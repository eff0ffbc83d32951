package dag_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/threadsystem/threadsystem/dag"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		spec    []string
		want    []error // each must match
		wantMsg string  // the exact message, when set
	}{
		{"empty graph", nil, nil, ""},
		{"diamond", []string{"a", "b:a", "c:a", "d:b,c"}, nil, ""},
		{"added before its dependency", []string{"b:a", "a"}, nil, ""},
		{"unknown dependency", []string{"a", "b:a,zz"}, []error{dag.ErrUnknownDependency},
			`dag: unknown dependency: node "b" depends on "zz"`},
		{"self-loop", []string{"a:a"}, []error{dag.ErrCycle}, "dag: cycle: a -> a"},
		{"2-cycle", []string{"b:a", "a:b"}, []error{dag.ErrCycle}, "dag: cycle: a -> b -> a"},
		{"3-cycle", []string{"root", "c:a", "a:b,root", "b:c"}, []error{dag.ErrCycle}, "dag: cycle: a -> b -> c -> a"},
		{"cycle below an innocent node", []string{"x:y", "y:q", "q:r", "r:q"}, []error{dag.ErrCycle}, "dag: cycle: q -> r -> q"},
		{"unknown and cycle", []string{"a:b,nope", "b:a"}, []error{dag.ErrUnknownDependency, dag.ErrCycle},
			"dag: unknown dependency: node \"a\" depends on \"nope\"\ndag: cycle: a -> b -> a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(t, tt.spec, nil)
			err := g.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("Validate() = %v, want it to match %v", err, w)
				}
			}
			if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
				t.Errorf("Validate() = %q, want %q", err, tt.wantMsg)
			}
		})
	}
}

func TestValidateAfterAddSeesNewNodes(t *testing.T) {
	g := build(t, []string{"a", "b:a"}, nil)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := g.Add("c", ok, dag.DependsOn("missing")); err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); !errors.Is(err, dag.ErrUnknownDependency) {
		t.Fatalf("Validate() after Add = %v, want ErrUnknownDependency", err)
	}
}

func TestValidateLongChainIsIterative(t *testing.T) {
	const n = 50_000
	g := dag.New()
	g.Add("n0", ok)
	for i := 1; i < n; i++ {
		g.Add(fmt.Sprint("n", i), ok, dag.DependsOn(fmt.Sprint("n", i-1)))
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	// Close the chain into one long cycle: it must be spelled in full.
	g2 := dag.New()
	g2.Add("n0", ok, dag.DependsOn(fmt.Sprint("n", n-1)))
	for i := 1; i < n; i++ {
		g2.Add(fmt.Sprint("n", i), ok, dag.DependsOn(fmt.Sprint("n", i-1)))
	}
	err := g2.Validate()
	if !errors.Is(err, dag.ErrCycle) || len(err.Error()) < n*4 {
		t.Fatalf("Validate() on a %d-node cycle: %.80v", n, err)
	}
}
