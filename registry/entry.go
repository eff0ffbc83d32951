package registry

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
)

// slot is a stored service of any type.
type slot interface {
	common() *base
	// closeValue closes the value if it is a closer; called at most once.
	closeValue(ctx context.Context) error
}

// base is the part of an entry that does not depend on its type.
type base struct {
	key       key
	transient bool
	ready     atomic.Bool // the value is set; never cleared
	attempt   *attempt    // the build in progress, guarded by Registry.mu
}

func (b *base) common() *base { return b }

// entry is a service of type T: a value, or a factory and, once built, its
// value.
type entry[T any] struct {
	base
	val     T // written once, before ready is set
	factory func(context.Context, *Registry) (T, error)
}

func (e *entry[T]) closeValue(ctx context.Context) error {
	return closeValue(ctx, e.key, e.val)
}

// contextCloser is the context-aware form of io.Closer.
type contextCloser interface {
	Close(context.Context) error
}

// closeValue closes v, the value of service k, if it implements either
// closer form, and wraps the error with k.
func closeValue(ctx context.Context, k key, v any) error {
	var err error
	switch c := v.(type) {
	case contextCloser:
		err = c.Close(ctx)
	case io.Closer:
		err = c.Close()
	}
	if err != nil {
		return fmt.Errorf("registry: closing %s: %w", k, err)
	}
	return nil
}
