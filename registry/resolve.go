package registry

import (
	"context"
	"fmt"
)

// Resolve returns the service of type T (and the name given by [Named]).
//
// For a provided value or a built singleton it does one map lookup and three
// atomic loads: no lock, no allocation, about 18 ns. Otherwise it builds the
// service as described at [ProvideFunc]: it runs the factory on the calling
// goroutine, or, when another goroutine is building the same singleton, waits
// for that build or for ctx to end (then it returns an error wrapping
// ctx.Err()). Only that wait looks at ctx; a built singleton is returned even
// if ctx has ended.
//
// Errors match [ErrNotFound] when nothing is provided under the type and name
// (the message names both, as in `registry: no service *foo.DB named
// "primary"`), [ErrCycle] when the service is needed to build itself (the
// message spells the cycle), [ErrClosed] after Close, [ErrInvalidOption] for
// [Transient] and [ErrNoRegistry] when r is nil. A factory's own error is
// returned wrapped with the service it was building
// ("registry: building *foo.DB: ..."); an error that a factory passes on from
// a nested Resolve is returned as it is.
//
// Resolve is safe to call from many goroutines at once, with the same or
// different types, and from inside factories; a nil ctx is taken as
// context.Background().
func Resolve[T any](ctx context.Context, r *Registry, opts ...Option) (T, error) {
	var zero T
	o := apply(opts)
	k := keyFor[T](o.name)
	if o.transient {
		return zero, fmt.Errorf("%w: Transient applies to ProvideFunc, not to Resolve of %s", ErrInvalidOption, k)
	}
	if r == nil {
		return zero, fmt.Errorf("%w: resolving %s", ErrNoRegistry, k)
	}
	if r.closed.Load() {
		return zero, closedErr("resolving", k)
	}
	s := r.lookup(k)
	if s == nil {
		return zero, fmt.Errorf("%w %s", ErrNotFound, k)
	}
	e := s.(*entry[T]) // the key holds T, so the assertion cannot fail
	if e.ready.Load() {
		return e.val, nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return e.resolve(ctx, r)
}
