package dag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/threadsystem/threadsystem/pool"
)

// stateColor is the fill colour of each terminal state in DOT and Mermaid.
var stateColor = map[pool.State]string{
	pool.Succeeded: "green",
	pool.Failed:    "red",
	pool.Cancelled: "orange",
	pool.Skipped:   "grey",
}

// edgeList returns the graph's node names sorted, and for each of them its
// known dependencies sorted, as they stand now.
func (g *Graph) edgeList() (names []string, deps map[string][]string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	names = make([]string, len(g.nodes))
	deps = make(map[string][]string, len(g.nodes))
	for i := range g.nodes {
		names[i] = g.nodes[i].name
		var ds []string
		for _, d := range g.nodes[i].deps {
			if _, ok := g.index[d]; ok {
				ds = append(ds, d)
			}
		}
		slices.Sort(ds)
		deps[names[i]] = ds
	}
	slices.Sort(names)
	return names, deps
}

// stateOf returns the state of node name in rep, or 0 without a report.
func stateOf(rep *Report, name string) pool.State {
	nr, ok := rep.Node(name)
	if !ok {
		return 0
	}
	return nr.State
}

// DOT returns the graph in Graphviz DOT, one box per node and an arrow from
// each dependency to its dependent, nodes and edges sorted by name so the
// output is deterministic; a dependency on an unknown name is left out. When
// rep is not nil, each node of the report is filled after its state: green
// Succeeded, red Failed, orange Cancelled, grey Skipped. It is safe for concurrent use and costs O(n log n).
func (g *Graph) DOT(rep *Report) string {
	names, deps := g.edgeList()
	var b strings.Builder
	b.WriteString("digraph dag {\n\trankdir=LR;\n\tnode [shape=box];\n")
	for _, name := range names {
		fmt.Fprintf(&b, "\t%s", dotQuote(name))
		if c, ok := stateColor[stateOf(rep, name)]; ok {
			fmt.Fprintf(&b, " [style=filled, fillcolor=%s]", c)
		}
		b.WriteString(";\n")
	}
	for _, name := range names {
		for _, d := range deps[name] {
			fmt.Fprintf(&b, "\t%s -> %s;\n", dotQuote(d), dotQuote(name))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// Mermaid returns the graph as a Mermaid flowchart, left to right, with the
// same order, arrows and colours as DOT. Nodes get the ids n0, n1, ... in
// name order and their names as labels. It is safe for concurrent use and
// costs O(n log n).
func (g *Graph) Mermaid(rep *Report) string {
	names, deps := g.edgeList()
	id := make(map[string]int, len(names))
	for i, name := range names {
		id[name] = i
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, name := range names {
		fmt.Fprintf(&b, "    n%d[\"%s\"]\n", i, mermaidEscape(name))
	}
	for _, name := range names {
		for _, d := range deps[name] {
			fmt.Fprintf(&b, "    n%d --> n%d\n", id[d], id[name])
		}
	}
	used := map[pool.State]bool{}
	for i, name := range names {
		s := stateOf(rep, name)
		if _, ok := stateColor[s]; ok {
			used[s] = true
			fmt.Fprintf(&b, "    class n%d %s\n", i, s)
		}
	}
	for _, s := range []pool.State{pool.Succeeded, pool.Failed, pool.Cancelled, pool.Skipped} {
		if used[s] {
			fmt.Fprintf(&b, "    classDef %s fill:%s\n", s, stateColor[s])
		}
	}
	return b.String()
}

func mermaidEscape(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", " ")
	return r.Replace(s)
}
