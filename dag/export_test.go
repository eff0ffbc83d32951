package dag_test

import (
	"testing"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

// exportGraph is added in a scrambled order: the output must be sorted.
func exportGraph(t *testing.T) *dag.Graph {
	return build(t, []string{`say "hi":store`, "store:validate,parse", "validate:fetch", "fetch", "parse:fetch"}, nil)
}

var exportReport = &dag.Report{Nodes: []dag.NodeReport{
	{Name: "fetch", State: pool.Succeeded},
	{Name: "parse", State: pool.Succeeded},
	{Name: "validate", State: pool.Failed},
	{Name: "store", State: pool.Skipped},
	{Name: `say "hi"`, State: pool.Cancelled},
}}

func TestDOT(t *testing.T) {
	tests := []struct {
		name string
		rep  *dag.Report
		want string
	}{
		{"plain", nil, `digraph dag {
	rankdir=LR;
	node [shape=box];
	"fetch";
	"parse";
	"say \"hi\"";
	"store";
	"validate";
	"fetch" -> "parse";
	"store" -> "say \"hi\"";
	"parse" -> "store";
	"validate" -> "store";
	"fetch" -> "validate";
}
`},
		{"coloured", exportReport, `digraph dag {
	rankdir=LR;
	node [shape=box];
	"fetch" [style=filled, fillcolor=green];
	"parse" [style=filled, fillcolor=green];
	"say \"hi\"" [style=filled, fillcolor=orange];
	"store" [style=filled, fillcolor=grey];
	"validate" [style=filled, fillcolor=red];
	"fetch" -> "parse";
	"store" -> "say \"hi\"";
	"parse" -> "store";
	"validate" -> "store";
	"fetch" -> "validate";
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exportGraph(t).DOT(tt.rep); got != tt.want {
				t.Fatalf("DOT:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestMermaid(t *testing.T) {
	tests := []struct {
		name string
		rep  *dag.Report
		want string
	}{
		{"plain", nil, `flowchart LR
    n0["fetch"]
    n1["parse"]
    n2["say #quot;hi#quot;"]
    n3["store"]
    n4["validate"]
    n0 --> n1
    n3 --> n2
    n1 --> n3
    n4 --> n3
    n0 --> n4
`},
		{"coloured", exportReport, `flowchart LR
    n0["fetch"]
    n1["parse"]
    n2["say #quot;hi#quot;"]
    n3["store"]
    n4["validate"]
    n0 --> n1
    n3 --> n2
    n1 --> n3
    n4 --> n3
    n0 --> n4
    class n0 succeeded
    class n1 succeeded
    class n2 cancelled
    class n3 skipped
    class n4 failed
    classDef succeeded fill:green
    classDef failed fill:red
    classDef cancelled fill:orange
    classDef skipped fill:grey
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exportGraph(t).Mermaid(tt.rep); got != tt.want {
				t.Fatalf("Mermaid:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestExportLeavesOutUnknownDependencies(t *testing.T) {
	g := build(t, []string{"a:ghost"}, nil)
	if got, want := g.DOT(nil), "digraph dag {\n\trankdir=LR;\n\tnode [shape=box];\n\t\"a\";\n}\n"; got != want {
		t.Errorf("DOT = %q, want %q", got, want)
	}
	if got, want := g.Mermaid(nil), "flowchart LR\n    n0[\"a\"]\n"; got != want {
		t.Errorf("Mermaid = %q, want %q", got, want)
	}
}
