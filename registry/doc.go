// Package registry is a small, generic, thread-safe service registry: a
// dependency container keyed by a Go type and an optional name.
//
// A service is registered once, either as a ready value with [Provide] or as a
// factory with [ProvideFunc], and looked up with [Resolve] (or [ResolveFrom],
// which finds the registry in a context made by [NewContext]):
//
//	r := registry.New()
//	_ = registry.ProvideFunc(r, func(ctx context.Context, r *registry.Registry) (*DB, error) {
//		cfg, err := registry.Resolve[*Config](ctx, r)
//		if err != nil {
//			return nil, err
//		}
//		return Open(cfg.DSN)
//	})
//	db, err := registry.Resolve[*DB](ctx, r)
//	...
//	defer r.Close(ctx)
//
// # Keys
//
// A service is keyed by its static type T, exactly as written at the call,
// plus the name given by [Named] (empty by default). There is no interface
// matching: a value provided as io.Reader resolves only as io.Reader, never
// as its concrete type, and the other way round.
//
// # Lifetimes
//
// A provided value and a factory service are singletons: a factory runs once,
// on the first Resolve, even when many goroutines resolve it at the same time;
// those that arrive during the build wait for it and share its result. A
// failed build is not remembered: its error goes to the resolvers that waited
// for it, and the next Resolve runs the factory again. With [Transient] the
// factory runs on every Resolve instead and the registry keeps nothing.
//
// # Cycles
//
// A factory receives a context that records the chain of services being built.
// A factory must pass that context (or one derived from it) to the Resolve
// calls it makes; then a cycle (A's factory resolves B, whose factory resolves
// A) fails with an error matching [ErrCycle] that spells the cycle, such as
// "registry: cycle: *a.A -> *b.B -> *a.A", before anything blocks. This holds
// also when the builds of A and B were started by different goroutines that
// would otherwise wait for each other forever. A Resolve made with a context
// that does not carry the chain, inside a factory, hides the chain: a cycle
// through it can block until that context ends, like a recursive sync.Once.
//
// # Close
//
// [Registry.Close] closes the singletons that implement io.Closer or
// interface{ Close(context.Context) error }, newest first, and joins their
// errors. After Close, Provide and Resolve fail with [ErrClosed]; a singleton
// whose build was running when Close started is closed by that build, which
// then fails with ErrClosed, so nothing is left open. Transient values belong
// to the caller and are never closed by the registry.
//
// # Concurrency and cost
//
// Every function and method is safe for concurrent use by many goroutines.
// Resolving a singleton that is already built does one map lookup and three
// atomic loads, takes no lock and allocates nothing: about 18 ns, 19 ns with
// Named, and 29 ns through ResolveFrom, on an AMD EPYC with Go 1.26
// (go test -bench Resolve ./registry). A transient Resolve costs the factory
// plus about 100 ns and two allocations for the build chain. Provide copies the service
// table, so registering n services costs O(n²) in total: the registry is
// meant for tens or hundreds of services set up at start, not for a
// constantly changing set.
package registry
