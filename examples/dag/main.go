// Dag runs a small dependency graph on a pool: fetch, then parse and
// validate in parallel, then store, which receives parse's typed result.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	p, err := pool.New(4)
	if err != nil {
		return err
	}
	defer p.Close()

	g := dag.New()
	if err := errors.Join(
		dag.Add(g, "fetch", func(context.Context, dag.Results) (string, error) {
			return "<html>42</html>", nil
		}),
		dag.Add(g, "parse", func(_ context.Context, in dag.Results) (int, error) {
			page, err := dag.Get[string](in, "fetch")
			if err != nil {
				return 0, err
			}
			time.Sleep(50 * time.Millisecond) // the slow step: it makes the critical path
			return len(page), nil
		}, dag.DependsOn("fetch")),
		dag.Add(g, "validate", func(context.Context, dag.Results) (bool, error) {
			return true, nil
		}, dag.DependsOn("fetch")),
		dag.Add(g, "store", func(_ context.Context, in dag.Results) (string, error) {
			n, err := dag.Get[int](in, "parse")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("stored %d bytes", n), nil
		}, dag.DependsOn("parse", "validate"), dag.WithPriority(pool.High)),
	); err != nil {
		return err
	}

	rep, err := g.Run(context.Background(), p, dag.KeepResults())
	if err != nil {
		return err
	}
	for _, n := range rep.Nodes {
		fmt.Printf("%-8s %v after %d attempt(s)\n", n.Name, n.State, n.Attempts)
	}
	result, err := dag.Get[string](rep.Results(), "store")
	fmt.Println("result:", result, err)
	fmt.Println("critical path:", strings.Join(rep.CriticalPath, " -> "))
	return nil
}
