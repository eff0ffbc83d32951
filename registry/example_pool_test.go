package registry_test

import (
	"context"
	"fmt"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/registry"
)

// A service-aware pool needs no new pool type: the registry rides in the
// pool's base context, and a job's context falls back to it for values, so
// every job can resolve its services. A submit's own context is looked at
// first, so one job can be handed another registry, such as a test double.
func ExampleResolveFrom_pool() {
	r := registry.New()
	_ = registry.Provide(r, &DB{dsn: "postgres://prod"})
	p, _ := pool.New(2, pool.WithContext(registry.NewContext(context.Background(), r)))

	query := func(ctx context.Context) error {
		db, err := registry.ResolveFrom[*DB](ctx)
		if err != nil {
			return err
		}
		fmt.Println("querying", db.dsn)
		return nil
	}

	ctx := context.Background()
	j, _ := p.Submit(ctx, query) // ctx carries no registry: the pool's is used
	fmt.Println(j.Wait(ctx))

	fake := registry.New()
	_ = registry.Provide(fake, &DB{dsn: "memory://test"})
	j, _ = p.Submit(registry.NewContext(ctx, fake), query)
	fmt.Println(j.Wait(ctx))

	_ = p.Close()
	_ = r.Close(ctx)
	_ = fake.Close(ctx)
	// Output:
	// querying postgres://prod
	// <nil>
	// querying memory://test
	// <nil>
}
