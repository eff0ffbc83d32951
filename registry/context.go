package registry

import (
	"context"
	"fmt"
)

// ctxKey is the context key under which NewContext stores a *Registry.
type ctxKey struct{}

// NewContext returns a copy of ctx that carries r, for [FromContext] and
// [ResolveFrom]: give it as the base context of a pool, and its jobs can
// resolve their services. A nil ctx is taken as context.Background(), as
// [Resolve] takes it (context.WithValue would panic). It costs one
// allocation and is safe to call from many goroutines.
func NewContext(ctx context.Context, r *Registry) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, ctxKey{}, r)
}

// FromContext returns the registry stored in ctx by [NewContext], and whether
// there is a non-nil one. A nil ctx holds none. It is safe to call from many
// goroutines and costs one context lookup (a walk up the context chain).
func FromContext(ctx context.Context) (*Registry, bool) {
	if ctx == nil {
		return nil, false
	}
	r, _ := ctx.Value(ctxKey{}).(*Registry)
	return r, r != nil
}

// ResolveFrom is [Resolve] on the registry that ctx carries (see
// [NewContext]). It returns an error matching [ErrNoRegistry], naming the type
// and name asked for, when ctx carries none, and otherwise behaves exactly like
// Resolve, which it calls with ctx. It is safe to call from many goroutines.
func ResolveFrom[T any](ctx context.Context, opts ...Option) (T, error) {
	r, ok := FromContext(ctx)
	if !ok {
		var zero T
		return zero, fmt.Errorf("%w in context: resolving %s", ErrNoRegistry, keyFor[T](apply(opts).name))
	}
	return Resolve[T](ctx, r, opts...)
}
