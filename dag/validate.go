package dag

import (
	"errors"
	"fmt"
	"strings"
)

// plan is a validated, immutable snapshot of a graph, shared by every Run
// until the next Add. Edges are kept in compressed rows: the dependencies of
// node i are depIdx[depOff[i]:depOff[i+1]], its dependents likewise in succ.
type plan struct {
	nodes  []node
	index  map[string]int32
	depOff []int32
	depIdx []int32
	sucOff []int32
	sucIdx []int32
	order  []int32 // a topological order: every node after its dependencies
	roots  []int32 // nodes without dependencies, in Add order
	sinks  int64   // nodes without dependents
}

func (pl *plan) deps(i int32) []int32 { return pl.depIdx[pl.depOff[i]:pl.depOff[i+1]] }

func (pl *plan) dependents(i int32) []int32 { return pl.sucIdx[pl.sucOff[i]:pl.sucOff[i+1]] }

// Validate checks that every dependency names a node and that the
// dependencies form no cycle. It returns nil, or the problems joined: one
// error wrapping ErrUnknownDependency per unknown name (in Add order) and at
// most one wrapping ErrCycle, which spells the cycle starting at its
// alphabetically first node, as in "dag: cycle: a -> b -> c -> a" (a depends
// on b, b on c, c on a; a self-dependency reads "a -> a").
//
// Validate takes O(nodes + edges) time and memory (Kahn's algorithm, no
// recursion), and the result is kept: until the next Add, further calls and
// Run cost nothing more. It is safe for concurrent use. A nil *Graph gets an
// error wrapping ErrInvalidOption.
func (g *Graph) Validate() error {
	if g == nil {
		return invalidf("Validate: nil *Graph")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	_, err := g.compileLocked()
	return err
}

// snapshot returns the validated plan, building it if needed.
func (g *Graph) snapshot() (*plan, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.compileLocked()
}

func (g *Graph) compileLocked() (*plan, error) {
	if g.plan != nil {
		return g.plan, nil
	}
	n := len(g.nodes)
	nodes := g.nodes[:n:n]
	total := 0
	for i := range nodes {
		total += len(nodes[i].deps)
	}
	pl := &plan{
		nodes:  nodes,
		index:  g.index,
		depOff: make([]int32, n+1),
		depIdx: make([]int32, 0, total),
		sucOff: make([]int32, n+1),
	}
	var errs []error
	for i := range nodes {
		for _, d := range nodes[i].deps {
			j, ok := g.index[d]
			if !ok {
				errs = append(errs, fmt.Errorf("%w: node %q depends on %q", ErrUnknownDependency, nodes[i].name, d))
				continue
			}
			pl.depIdx = append(pl.depIdx, j)
			pl.sucOff[j+1]++
		}
		pl.depOff[i+1] = int32(len(pl.depIdx))
	}
	for i := range n {
		if pl.sucOff[i+1] == 0 {
			pl.sinks++
		}
		pl.sucOff[i+1] += pl.sucOff[i]
	}
	pl.sucIdx = make([]int32, len(pl.depIdx))
	next := make([]int32, n) // fill cursor per node, reused as remaining below
	copy(next, pl.sucOff[:n])
	for i := range int32(n) {
		for _, j := range pl.deps(i) {
			pl.sucIdx[next[j]] = i
			next[j]++
		}
	}

	// Kahn: a node is ordered once all its dependencies are.
	remaining := next
	pl.order = make([]int32, 0, n)
	for i := range int32(n) {
		remaining[i] = pl.depOff[i+1] - pl.depOff[i]
		if remaining[i] == 0 {
			pl.order = append(pl.order, i)
		}
	}
	pl.roots = pl.order[:len(pl.order):len(pl.order)]
	for k := 0; k < len(pl.order); k++ {
		for _, s := range pl.dependents(pl.order[k]) {
			if remaining[s]--; remaining[s] == 0 {
				pl.order = append(pl.order, s)
			}
		}
	}
	if len(pl.order) < n {
		errs = append(errs, pl.cycle(remaining))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	g.plan = pl
	g.shared = true
	return pl, nil
}

// cycle spells one cycle among the nodes Kahn could not order (remaining >
// 0). Each of them has a dependency among them, so walking from one along
// such dependencies must come back to a node already walked.
func (pl *plan) cycle(remaining []int32) error {
	start := int32(-1)
	for i, r := range remaining {
		if r > 0 {
			start = int32(i)
			break
		}
	}
	pos := map[int32]int{}
	var walk []int32
	for cur := start; ; {
		if k, ok := pos[cur]; ok {
			walk = walk[k:]
			break
		}
		pos[cur] = len(walk)
		walk = append(walk, cur)
		for _, d := range pl.deps(cur) {
			if remaining[d] > 0 {
				cur = d
				break
			}
		}
	}
	first := 0
	for k, i := range walk {
		if pl.nodes[i].name < pl.nodes[walk[first]].name {
			first = k
		}
	}
	names := make([]string, 0, len(walk)+1)
	for k := range walk {
		names = append(names, pl.nodes[walk[(first+k)%len(walk)]].name)
	}
	names = append(names, names[0])
	return fmt.Errorf("%w: %s", ErrCycle, strings.Join(names, " -> "))
}
