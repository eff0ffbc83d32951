package dag_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

func ExampleGraph() {
	p, _ := pool.New(4)
	defer p.Close()

	g := dag.New()
	dag.Add(g, "fetch", func(ctx context.Context, _ dag.Results) (string, error) {
		return "alice,bob,carol", nil
	})
	dag.Add(g, "parse", func(ctx context.Context, in dag.Results) ([]string, error) {
		body, err := dag.Get[string](in, "fetch")
		return strings.Split(body, ","), err
	}, dag.DependsOn("fetch"))
	dag.Add(g, "validate", func(ctx context.Context, in dag.Results) (bool, error) {
		body, err := dag.Get[string](in, "fetch")
		return body != "", err
	}, dag.DependsOn("fetch"))
	dag.Add(g, "store", func(ctx context.Context, in dag.Results) (int, error) {
		names, err := dag.Get[[]string](in, "parse")
		if err != nil {
			return 0, err
		}
		if valid, _ := dag.Get[bool](in, "validate"); !valid {
			return 0, errors.New("invalid input")
		}
		return len(names), nil
	}, dag.DependsOn("parse", "validate"), dag.WithPriority(pool.High))

	rep, err := g.Run(context.Background(), p, dag.KeepResults())
	if err != nil {
		fmt.Println(err)
		return
	}
	stored, _ := dag.Get[int](rep.Results(), "store")
	fmt.Println("stored", stored, "records")
	for _, n := range rep.Nodes {
		fmt.Println(n.Name, n.State)
	}
	fmt.Println("ends with", rep.CriticalPath[len(rep.CriticalPath)-1])
	// Output:
	// stored 3 records
	// fetch succeeded
	// parse succeeded
	// validate succeeded
	// store succeeded
	// ends with store
}

func ExampleGraph_Run_failure() {
	p, _ := pool.New(2)
	defer p.Close()

	g := dag.New()
	g.Add("fetch", func(context.Context, dag.Results) (any, error) {
		return nil, errors.New("connection refused")
	})
	g.Add("parse", func(context.Context, dag.Results) (any, error) { return nil, nil }, dag.DependsOn("fetch"))
	g.Add("metrics", func(context.Context, dag.Results) (any, error) { return nil, nil })

	rep, err := g.Run(context.Background(), p) // SkipDependents by default
	for _, n := range rep.Nodes {
		fmt.Println(n.Name, n.State)
	}
	fmt.Println(err)
	// Output:
	// fetch failed
	// parse skipped
	// metrics succeeded
	// dag: 2 of 3 nodes did not succeed (1 failed, 0 cancelled, 1 skipped); dag: node "fetch" failed: connection refused
}

func ExampleGraph_Validate() {
	g := dag.New()
	noop := func(context.Context, dag.Results) (any, error) { return nil, nil }
	g.Add("a", noop, dag.DependsOn("b"))
	g.Add("b", noop, dag.DependsOn("c"))
	g.Add("c", noop, dag.DependsOn("a"))
	err := g.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, dag.ErrCycle))
	// Output:
	// dag: cycle: a -> b -> c -> a
	// true
}

func ExampleGraph_DOT() {
	p, _ := pool.New(2)
	defer p.Close()

	g := dag.New()
	noop := func(context.Context, dag.Results) (any, error) { return nil, nil }
	g.Add("fetch", noop)
	g.Add("parse", func(context.Context, dag.Results) (any, error) { return nil, errors.New("bad input") },
		dag.DependsOn("fetch"))
	g.Add("store", noop, dag.DependsOn("parse"))

	rep, _ := g.Run(context.Background(), p)
	fmt.Print(g.DOT(rep))
	// Output:
	// digraph dag {
	// 	rankdir=LR;
	// 	node [shape=box];
	// 	"fetch" [style=filled, fillcolor=green];
	// 	"parse" [style=filled, fillcolor=red];
	// 	"store" [style=filled, fillcolor=grey];
	// 	"fetch" -> "parse";
	// 	"parse" -> "store";
	// }
}

func ExampleGraph_Mermaid() {
	g := dag.New()
	noop := func(context.Context, dag.Results) (any, error) { return nil, nil }
	g.Add("fetch", noop)
	g.Add("parse", noop, dag.DependsOn("fetch"))
	g.Add("validate", noop, dag.DependsOn("fetch"))
	g.Add("store", noop, dag.DependsOn("parse", "validate"))
	fmt.Print(g.Mermaid(nil))
	// Output:
	// flowchart LR
	//     n0["fetch"]
	//     n1["parse"]
	//     n2["store"]
	//     n3["validate"]
	//     n0 --> n1
	//     n1 --> n2
	//     n3 --> n2
	//     n0 --> n3
}
