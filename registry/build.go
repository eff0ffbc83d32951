package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// chainKey is the context key under which a factory's context holds the node
// of the build it runs.
type chainKey struct{}

// node is one build in progress. Following parent from the node a factory
// runs under gives the chain of services being built, innermost first.
type node struct {
	reg    *Registry
	key    key
	parent *node
}

// attempt is one build of a singleton. done is closed when it ends; if it
// failed, err is set before that and shared says whether the Resolves waiting
// on it return err (true) or try again (false).
type attempt struct {
	done    chan struct{}
	builder *node
	err     error
	shared  bool
}

// waiter is a Resolve, made from inside a factory (at), blocked on another
// goroutine's build of on.
type waiter struct {
	at *node
	on *base
}

// buildError is a factory's own error, wrapped with the service it built.
type buildError struct {
	key key
	err error
}

func (e *buildError) Error() string {
	return "registry: building " + e.key.String() + ": " + e.err.Error()
}
func (e *buildError) Unwrap() error { return e.err }

// resolve is the slow path of Resolve: build the service, wait for another
// goroutine's build, or report a cycle.
func (e *entry[T]) resolve(ctx context.Context, r *Registry) (T, error) {
	var zero T
	leaf, _ := ctx.Value(chainKey{}).(*node)
	if e.transient {
		if p := chainCycle(leaf, r, e.key); p != nil {
			return zero, cycleErr(p)
		}
		n := &node{reg: r, key: e.key, parent: leaf}
		v, err := e.factory(context.WithValue(ctx, chainKey{}, n), r)
		if err != nil {
			return zero, wrapBuild(e.key, err)
		}
		return v, nil
	}

	r.mu.Lock()
	for {
		switch {
		case e.ready.Load():
			r.mu.Unlock()
			return e.val, nil
		case r.closed.Load():
			r.mu.Unlock()
			return zero, closedErr("resolving", e.key)
		}
		if p := chainCycle(leaf, r, e.key); p != nil {
			r.mu.Unlock()
			return zero, cycleErr(p)
		}
		a := e.attempt
		if a == nil {
			return e.build(ctx, r, leaf) // unlocks r.mu
		}
		var w *waiter
		if leaf != nil { // a top-level Resolve holds no build, so it cannot close a cycle
			if p := r.waitCycle(leaf, &e.base); p != nil {
				r.mu.Unlock()
				return zero, cycleErr(p)
			}
			w = &waiter{at: leaf, on: &e.base}
			if r.waiting == nil {
				r.waiting = make(map[*waiter]struct{})
			}
			r.waiting[w] = struct{}{}
		}
		r.mu.Unlock()
		select {
		case <-a.done:
		case <-ctx.Done():
		}
		r.mu.Lock()
		delete(r.waiting, w)
		select {
		case <-a.done:
			if a.err != nil && a.shared {
				r.mu.Unlock()
				return zero, a.err
			}
		default:
			r.mu.Unlock()
			return zero, fmt.Errorf("registry: waiting for %s: %w", e.key, ctx.Err())
		}
	}
}

// build runs the factory as the one build of a singleton. It is called with
// r.mu held and e.attempt nil, and unlocks r.mu.
func (e *entry[T]) build(ctx context.Context, r *Registry, leaf *node) (T, error) {
	var zero T
	n := &node{reg: r, key: e.key, parent: leaf}
	a := &attempt{done: make(chan struct{}), builder: n}
	e.attempt = a
	r.mu.Unlock()

	returned := false
	defer func() {
		if !returned { // the factory panicked or called runtime.Goexit
			r.endAttempt(&e.base, a, fmt.Errorf("registry: building %s: factory panicked or called runtime.Goexit", e.key), true)
		}
	}()
	v, err := e.factory(context.WithValue(ctx, chainKey{}, n), r)
	returned = true
	if err != nil {
		err = wrapBuild(e.key, err)
		r.endAttempt(&e.base, a, err, ctx.Err() == nil)
		return zero, err
	}

	r.mu.Lock()
	if r.closed.Load() { // Close started during the build: close what we made
		r.mu.Unlock()
		r.endAttempt(&e.base, a, nil, false) // waiters see the registry closed
		return zero, errors.Join(closedErr("resolving", e.key), closeValue(ctx, e.key, v))
	}
	e.val = v
	e.ready.Store(true)
	r.created = append(r.created, e)
	e.attempt = nil
	close(a.done)
	r.mu.Unlock()
	return v, nil
}

// endAttempt ends a failed build: a Resolve coming later builds again.
func (r *Registry) endAttempt(b *base, a *attempt, err error, shared bool) {
	r.mu.Lock()
	a.err, a.shared = err, shared
	b.attempt = nil
	close(a.done)
	r.mu.Unlock()
}

// wrapBuild wraps a factory's error with the service it built, unless the
// error already comes from this package's build or cycle checks.
func wrapBuild(k key, err error) error {
	var be *buildError
	if errors.As(err, &be) || errors.Is(err, ErrCycle) {
		return err
	}
	return &buildError{key: k, err: err}
}

// chainCycle returns the cycle closed by building k of r under leaf (the
// keys from the first build of k down to leaf, then k), or nil.
func chainCycle(leaf *node, r *Registry, k key) []key {
	for n := leaf; n != nil; n = n.parent {
		if n.reg == r && n.key == k {
			return append(pathDown(n, leaf), k)
		}
	}
	return nil
}

// pathDown returns the keys from ancestor top down to n, both included.
func pathDown(top, n *node) []key {
	var p []key
	for ; n != top; n = n.parent {
		p = append(p, n.key)
	}
	p = append(p, top.key)
	slices.Reverse(p)
	return p
}

// above reports whether top is n or one of its ancestors.
func above(top, n *node) bool {
	for ; n != nil; n = n.parent {
		if n == top {
			return true
		}
	}
	return false
}

// waitCycle returns the cycle that the build chain ending at leaf would close
// by waiting on e's build, which runs on another goroutine: e's build waits,
// maybe through further builds, on a build held by leaf's chain. It returns
// nil if waiting is safe. Called with r.mu held.
//
// The wait-for graph is kept acyclic: every wait is checked here, under r.mu,
// before it is registered, so the last wait that would close a cycle is the
// one refused.
func (r *Registry) waitCycle(leaf *node, e *base) []key {
	p, held := r.waitPath(leaf, e, map[*base]bool{e: true})
	if p == nil {
		return nil
	}
	return append(pathDown(held, leaf), p...)
}

// waitPath looks for waiters inside e's build. For one waiting on a build held
// by leaf's chain it returns the keys from e to that build and the build's
// node; otherwise it follows the waits further.
func (r *Registry) waitPath(leaf *node, e *base, seen map[*base]bool) ([]key, *node) {
	m := e.attempt.builder
	for w := range r.waiting {
		g := w.on
		if g.attempt == nil || !above(m, w.at) {
			continue // g is built (the waiter is waking up) or w is not inside e's build
		}
		seg := pathDown(m, w.at)
		if h := g.attempt.builder; above(h, leaf) {
			return append(seg, g.key), h
		}
		if !seen[g] {
			seen[g] = true
			if p, h := r.waitPath(leaf, g, seen); p != nil {
				return append(seg, p...), h
			}
		}
	}
	return nil, nil
}

// cycleErr spells a cycle.
func cycleErr(p []key) error {
	s := make([]string, len(p))
	for i, k := range p {
		s[i] = k.String()
	}
	return fmt.Errorf("%w: %s", ErrCycle, strings.Join(s, " -> "))
}
