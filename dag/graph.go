package dag

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// Graph is a set of named nodes, each a function with the names of the nodes
// it depends on. Build it with Add, check it with Validate, run it on a pool
// with Run, draw it with DOT or Mermaid.
//
// All methods are safe for concurrent use. A Graph can be Run many times,
// also concurrently: each Run works on a snapshot taken when it starts, so a
// node added during a Run belongs to later runs only. The zero Graph is an
// empty graph ready to use; New returns the same thing.
type Graph struct {
	mu    sync.Mutex
	nodes []node
	index map[string]int32 // name -> position in nodes
	// shared is true while a plan holds index: Add clones it before writing.
	shared bool
	plan   *plan // validated snapshot; nil after an Add
}

// node is one node as Add records it.
type node struct {
	name    string
	deps    []string
	fn      func(context.Context, Results) (any, error)
	prio    pool.Priority
	timeout time.Duration
	retry   *retry.Policy
	// jobOpts are the node's job options, built once by Add: the first is
	// its name, passed to Submit only under NameJobs.
	jobOpts []pool.JobOption
}

// New returns an empty graph.
func New() *Graph { return &Graph{} }

// Add adds a node named name that runs fn once its dependencies (see
// DependsOn) have ended. fn receives the context of its pool job and a
// Results holding its dependencies' results, and returns its own result,
// which dependents and the Report read by name; a non-nil error makes the
// node Failed and its result is discarded.
//
// Add returns an error wrapping ErrInvalidNode for an empty name or a nil fn,
// ErrDuplicate for a name already added, and ErrInvalidOption for a bad
// option or a nil *Graph; then nothing is added. Dependencies are resolved
// by Validate (and Run), so nodes may be added in any order. Add costs one map insert and a
// few small allocations.
func (g *Graph) Add(name string, fn func(ctx context.Context, in Results) (any, error), opts ...NodeOption) error {
	if g == nil {
		return invalidf("Add: nil *Graph")
	}
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrInvalidNode)
	}
	if fn == nil {
		return fmt.Errorf("%w: node %q: nil function", ErrInvalidNode, name)
	}
	n := node{name: name, fn: fn}
	for _, o := range opts {
		if o == nil {
			return invalidf("node %q: nil option", name)
		}
		if err := o.applyNode(&n); err != nil {
			return fmt.Errorf("%w: node %q: %w", ErrInvalidOption, name, err)
		}
	}
	if len(n.deps) > 1 {
		seen := make(map[string]struct{}, len(n.deps))
		for _, d := range n.deps {
			if _, ok := seen[d]; ok {
				return fmt.Errorf("%w: node %q lists dependency %q twice", ErrDuplicate, name, d)
			}
			seen[d] = struct{}{}
		}
	}
	n.jobOpts = append(n.jobOpts, pool.WithName(name))
	if n.prio != pool.Normal {
		n.jobOpts = append(n.jobOpts, pool.WithPriority(n.prio))
	}
	if n.timeout > 0 {
		n.jobOpts = append(n.jobOpts, pool.WithTimeout(n.timeout))
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.index[name]; ok {
		return fmt.Errorf("%w: node %q already added", ErrDuplicate, name)
	}
	if g.index == nil {
		g.index = make(map[string]int32)
	} else if g.shared {
		g.index = maps.Clone(g.index)
		g.shared = false
	}
	g.index[name] = int32(len(g.nodes))
	g.nodes = append(g.nodes, n)
	g.plan = nil
	return nil
}

// Add is Graph.Add for a function with a typed result: dependents and the
// Report read it with Get[T]. It has the same errors and costs as
// Graph.Add, plus boxing the result into an interface.
func Add[T any](g *Graph, name string, fn func(ctx context.Context, in Results) (T, error), opts ...NodeOption) error {
	if fn == nil {
		return g.Add(name, nil, opts...)
	}
	return g.Add(name, func(ctx context.Context, in Results) (any, error) {
		v, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		return v, nil
	}, opts...)
}

// Len returns the number of nodes added so far.
func (g *Graph) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.nodes)
}
