package registry_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/threadsystem/threadsystem/registry"
)

type Greeter struct{ greeting string }

func (g *Greeter) Greet(name string) string { return g.greeting + ", " + name }

func ExampleProvide() {
	ctx := context.Background()
	r := registry.New()
	if err := registry.Provide(r, &Greeter{greeting: "Hello"}); err != nil {
		fmt.Println(err)
		return
	}
	g, err := registry.Resolve[*Greeter](ctx, r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.Greet("gopher"))

	_, err = registry.Resolve[*DB](ctx, r)
	fmt.Println(err, errors.Is(err, registry.ErrNotFound))
	// Output:
	// Hello, gopher
	// registry: no service *registry_test.DB true
}

func ExampleProvideFunc() {
	ctx := context.Background()
	r := registry.New()
	_ = registry.Provide(r, "Hi")
	// A lazy singleton: built on first Resolve, from other services.
	_ = registry.ProvideFunc(r, func(ctx context.Context, r *registry.Registry) (*Greeter, error) {
		fmt.Println("building the greeter")
		greeting, err := registry.Resolve[string](ctx, r) // pass ctx on: cycles are caught
		if err != nil {
			return nil, err
		}
		return &Greeter{greeting: greeting}, nil
	})
	for _, name := range []string{"Ann", "Bob"} {
		g, err := registry.Resolve[*Greeter](ctx, r)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(g.Greet(name))
	}
	// Output:
	// building the greeter
	// Hi, Ann
	// Hi, Bob
}

func ExampleTransient() {
	ctx := context.Background()
	r := registry.New()
	n := 0
	_ = registry.ProvideFunc(r, func(context.Context, *registry.Registry) (int, error) {
		n++
		return n, nil
	}, registry.Transient())
	for range 3 {
		v, _ := registry.Resolve[int](ctx, r)
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output:
	// 1 2 3
}

func ExampleNamed() {
	ctx := context.Background()
	r := registry.New()
	_ = registry.Provide(r, &Greeter{greeting: "Hello"}, registry.Named("en"))
	_ = registry.Provide(r, &Greeter{greeting: "Bonjour"}, registry.Named("fr"))
	for _, lang := range []string{"en", "fr", "de"} {
		g, err := registry.Resolve[*Greeter](ctx, r, registry.Named(lang))
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(g.Greet("Zoé"))
	}
	// Output:
	// Hello, Zoé
	// Bonjour, Zoé
	// registry: no service *registry_test.Greeter named "de"
}

// handle stands for a job run by a pool whose base context carries the
// registry: it gets only a ctx and resolves what it needs.
func handle(ctx context.Context, name string) error {
	g, err := registry.ResolveFrom[*Greeter](ctx)
	if err != nil {
		return err
	}
	fmt.Println(g.Greet(name))
	return nil
}

func ExampleNewContext() {
	r := registry.New()
	_ = registry.Provide(r, &Greeter{greeting: "Hello"})
	ctx := registry.NewContext(context.Background(), r)

	fmt.Println(handle(ctx, "job 1"))
	fmt.Println(handle(context.Background(), "job 2"))
	// Output:
	// Hello, job 1
	// <nil>
	// registry: no registry in context: resolving *registry_test.Greeter
}

// conn is a service with the context form of Close.
type conn struct{ name string }

func (c *conn) Close(context.Context) error {
	fmt.Println("closing", c.name)
	return nil
}

func ExampleRegistry_Close() {
	ctx := context.Background()
	r := registry.New()
	_ = registry.Provide(r, &conn{name: "database"})
	_ = registry.ProvideFunc(r, func(ctx context.Context, r *registry.Registry) (*conn, error) {
		if _, err := registry.Resolve[*conn](ctx, r); err != nil {
			return nil, err
		}
		return &conn{name: "cache over the database"}, nil
	}, registry.Named("cache"))
	_, _ = registry.Resolve[*conn](ctx, r, registry.Named("cache"))

	fmt.Println(r.Close(ctx)) // newest first
	_, err := registry.Resolve[*conn](ctx, r)
	fmt.Println(err)
	// Output:
	// closing cache over the database
	// closing database
	// <nil>
	// registry: closed: resolving *registry_test.conn
}

type (
	Orders struct{ users *Users }
	Users  struct{ orders *Orders }
)

func ExampleResolve_cycle() {
	ctx := context.Background()
	r := registry.New()
	_ = registry.ProvideFunc(r, func(ctx context.Context, r *registry.Registry) (*Orders, error) {
		u, err := registry.Resolve[*Users](ctx, r)
		return &Orders{users: u}, err
	})
	_ = registry.ProvideFunc(r, func(ctx context.Context, r *registry.Registry) (*Users, error) {
		o, err := registry.Resolve[*Orders](ctx, r)
		return &Users{orders: o}, err
	})
	_, err := registry.Resolve[*Orders](ctx, r)
	fmt.Println(err)
	fmt.Println(errors.Is(err, registry.ErrCycle))
	// Output:
	// registry: cycle: *registry_test.Orders -> *registry_test.Users -> *registry_test.Orders
	// true
}
