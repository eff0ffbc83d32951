package registry

import (
	"context"
	"fmt"
)

// Provide registers the ready value v as the singleton of type T (and the name
// given by [Named]). Resolve[T] returns v itself from then on; Close closes it
// if it is a closer (see [Registry.Close]). T is the key exactly: provide an
// interface type as Provide[io.Reader](r, v) to resolve it as io.Reader.
//
// It returns an error matching [ErrDuplicate] if the type and name are
// already provided, [ErrClosed] after Close, [ErrInvalidOption] for
// [Transient] and [ErrNoRegistry] if r is nil. Provide is safe to call from
// many goroutines at once and concurrently with Resolve; it never blocks on a
// factory. It copies the service table, so it costs O(services).
func Provide[T any](r *Registry, v T, opts ...Option) error {
	o := apply(opts)
	k := keyFor[T](o.name)
	if o.transient {
		return fmt.Errorf("%w: Transient applies to ProvideFunc, not to Provide of %s", ErrInvalidOption, k)
	}
	if r == nil {
		return fmt.Errorf("%w: providing %s", ErrNoRegistry, k)
	}
	e := &entry[T]{base: base{key: k}, val: v}
	e.ready.Store(true)
	return r.add(e, true)
}

// ProvideFunc registers factory f for type T (and the name given by [Named]).
// By default the service is a lazy singleton: f runs on the first Resolve,
// exactly once even under concurrent Resolves (those that come during the
// build wait for it, or for their own ctx to end), and its value is returned
// from then on. If f returns an error, the Resolve that ran it and those
// waiting on that build get the error, nothing is stored, and the next Resolve
// runs f again; if f was failing because the ctx of the Resolve that ran it
// ended, the waiters run f again instead of sharing that error. If f panics,
// the panic goes on in the goroutine that ran it, the waiters get an error,
// and the next Resolve runs f again. With [Transient], f runs on every
// Resolve and its values are neither kept nor closed.
//
// f receives the registry and a context derived from the ctx given to Resolve
// that records the chain of services being built; f must use that context for
// the Resolve calls it makes, so that cycles are reported with [ErrCycle]
// instead of blocking. f runs on the goroutine that called Resolve, with no
// lock of the registry held, and may provide services.
//
// It returns an error matching [ErrNilFactory] if f is nil, [ErrDuplicate] if
// the type and name are already provided, [ErrClosed] after Close and
// [ErrNoRegistry] if r is nil. ProvideFunc is safe to call from many
// goroutines and does not run f.
func ProvideFunc[T any](r *Registry, f func(context.Context, *Registry) (T, error), opts ...Option) error {
	o := apply(opts)
	k := keyFor[T](o.name)
	if f == nil {
		return fmt.Errorf("%w for %s", ErrNilFactory, k)
	}
	if r == nil {
		return fmt.Errorf("%w: providing %s", ErrNoRegistry, k)
	}
	return r.add(&entry[T]{base: base{key: k, transient: o.transient}, factory: f}, false)
}
