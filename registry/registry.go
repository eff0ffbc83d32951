package registry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Registry holds services keyed by type and name. Make one with [New]; the
// zero Registry is also empty and ready to use. A Registry must not be copied
// after first use.
//
// All methods and the generic functions taking a *Registry are safe for
// concurrent use by many goroutines. Lookups of built singletons take no lock;
// Provide, first builds and Close serialise on one internal mutex, which is
// never held while a factory or a Close method runs.
type Registry struct {
	entries atomic.Pointer[map[key]slot] // copy-on-write; stored under mu
	closed  atomic.Bool                  // set under mu, read without it

	mu      sync.Mutex
	created []slot               // singletons in order of creation
	waiting map[*waiter]struct{} // Resolves blocked on another's build
}

// New returns an empty Registry. It is the same as new(Registry) and costs
// one small allocation.
func New() *Registry {
	return new(Registry)
}

// Close closes the singletons, provided or built, whose value implements
// io.Closer or interface{ Close(context.Context) error }, in reverse order of
// creation: a provided value is created by Provide, a lazy singleton when its
// first build finishes, so a service is closed before the services its factory
// resolved. It passes ctx to the context form and calls every Close even when
// ctx ends or an earlier one fails; the errors are joined with errors.Join,
// each wrapped with the service it came from. Transient values are never
// closed.
//
// Once Close has started, Provide, ProvideFunc and Resolve fail with
// [ErrClosed]. A build still running when Close starts is not waited for: when
// it finishes it closes the value itself and its Resolve fails with ErrClosed,
// so nothing stays open. A Resolve that runs at the same time as Close may
// still return a provided or built service that Close is about to close.
//
// Close is safe to call from many goroutines and is idempotent: only the first
// call closes anything, and every later call returns nil at once, without
// waiting for the first to finish. It blocks while the Close methods of the
// services run; a service's Close may call Close again without deadlock.
// Close on a nil *Registry returns nil.
func (r *Registry) Close(ctx context.Context) error {
	if r == nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	r.mu.Lock()
	if r.closed.Load() {
		r.mu.Unlock()
		return nil
	}
	r.closed.Store(true)
	created := r.created
	r.created = nil
	r.mu.Unlock()

	var errs []error
	for i := len(created) - 1; i >= 0; i-- {
		if err := created[i].closeValue(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// lookup returns the service stored under k, or nil. It takes no lock.
func (r *Registry) lookup(k key) slot {
	m := r.entries.Load()
	if m == nil {
		return nil
	}
	return (*m)[k]
}

// add stores s under its key. Singletons given as values (created) join the
// close list at once.
func (r *Registry) add(s slot, created bool) error {
	k := s.common().key
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return closedErr("providing", k)
	}
	old := r.lookup(k)
	if old != nil {
		return fmt.Errorf("%w %s", ErrDuplicate, k)
	}
	var m map[key]slot
	if p := r.entries.Load(); p != nil {
		m = make(map[key]slot, len(*p)+1)
		for k, v := range *p {
			m[k] = v
		}
	} else {
		m = make(map[key]slot, 1)
	}
	m[k] = s
	r.entries.Store(&m)
	if created {
		r.created = append(r.created, s)
	}
	return nil
}

// closedErr reports an operation on key k after Close.
func closedErr(op string, k key) error {
	return fmt.Errorf("%w: %s %s", ErrClosed, op, k)
}
