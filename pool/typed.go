package pool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrUnknownKey is returned by a Typed pool's submits for a key it was not
// configured with.
var ErrUnknownKey = errors.New("pool: unknown key")

// Key configures one key of a Typed pool: its own workers and queue.
type Key[K comparable] struct {
	// Key is the routing key, such as "cpu" or "io".
	Key K
	// Workers is the number of workers of this key (at least 1).
	Workers int
	// Options apply to this key's pool after the Typed pool's common
	// options: a queue size, a rate limit, scaling bounds.
	Options []Option
	// Lend lets idle workers of this key run jobs of keys that Borrow.
	Lend bool
	// Borrow lets this key's jobs run on another key's idle workers when
	// none of its own is idle; lenders are tried in key order.
	Borrow bool
}

// Typed routes jobs by key to per-key workers and queues, like the C++
// typed_thread_pool: CPU-bound and I/O-bound work, say, never wait for each
// other. Each key is a full Pool, so jobs have the same handles, priorities,
// futures (Call on Pool(key)), groups and shutdown rules. The order of the
// keys given to NewTyped is the order in which lenders are tried. A Typed
// pool is safe for concurrent use; make one with NewTyped.
type Typed[K comparable] struct {
	keys  []Key[K]
	pools map[K]*Pool
	cfg   map[K]*Key[K] // each key's configuration, for routing
}

// NewTyped starts a pool per key. opts apply to every key's pool, before the
// key's own Options; WithName names each key's pool "name/key". It returns an
// error wrapping ErrInvalidOption for no keys, a duplicate key, or a key
// whose pool cannot be made, and then starts nothing.
func NewTyped[K comparable](keys []Key[K], opts ...Option) (*Typed[K], error) {
	if len(keys) == 0 {
		return nil, invalidf("NewTyped: no keys")
	}
	t := &Typed[K]{keys: slices.Clone(keys), pools: make(map[K]*Pool, len(keys)), cfg: make(map[K]*Key[K], len(keys))}
	var base config
	for _, o := range opts {
		if o != nil {
			o.applyPool(&base) // only to learn the name; New validates
		}
	}
	for _, k := range t.keys {
		if _, dup := t.pools[k.Key]; dup {
			t.Close()
			return nil, invalidf("NewTyped: duplicate key %v", k.Key)
		}
		all := append(append(append([]Option{}, opts...), k.Options...), WithName(fmt.Sprintf("%s/%v", base.name, k.Key)))
		p, err := New(k.Workers, all...)
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("NewTyped: key %v: %w", k.Key, err)
		}
		t.pools[k.Key] = p
	}
	for i := range t.keys {
		t.cfg[t.keys[i].Key] = &t.keys[i]
	}
	return t, nil
}

// Pool returns the pool of key, for Call, Map, Stream, groups and Stats.
func (t *Typed[K]) Pool(key K) (*Pool, bool) {
	p, ok := t.pools[key]
	return p, ok
}

// Keys returns the keys in their order.
func (t *Typed[K]) Keys() []K {
	out := make([]K, len(t.keys))
	for i, k := range t.keys {
		out[i] = k.Key
	}
	return out
}

// route picks the pool that runs a job of key: its own, or, when it
// borrows and has no idle worker, the first lender with one.
func (t *Typed[K]) route(key K) (*Pool, error) {
	p, ok := t.pools[key]
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnknownKey, key)
	}
	if !t.cfg[key].Borrow || p.idleWorkers() > 0 {
		return p, nil
	}
	for _, k := range t.keys {
		if k.Key != key && k.Lend {
			if q := t.pools[k.Key]; q.idleWorkers() > 0 {
				return q, nil
			}
		}
	}
	return p, nil
}

// Go runs fn on key's workers (or a lender's), like Pool.Go.
func (t *Typed[K]) Go(key K, fn func()) error {
	p, err := t.route(key)
	if err != nil {
		return err
	}
	return p.Go(fn)
}

// Submit runs fn on key's workers (or a lender's), like Pool.Submit. An
// unknown key returns an error wrapping ErrUnknownKey.
func (t *Typed[K]) Submit(ctx context.Context, key K, fn func(context.Context) error, opts ...JobOption) (*Job, error) {
	p, err := t.route(key)
	if err != nil {
		return nil, err
	}
	return p.Submit(ctx, fn, opts...)
}

// TrySubmit is Submit that never waits for a full queue.
func (t *Typed[K]) TrySubmit(ctx context.Context, key K, fn func(context.Context) error, opts ...JobOption) (*Job, error) {
	p, err := t.route(key)
	if err != nil {
		return nil, err
	}
	return p.TrySubmit(ctx, fn, opts...)
}

// TypedStats holds a Stats per key and their sum.
type TypedStats[K comparable] struct {
	Total Stats
	ByKey map[K]Stats
}

// Stats returns a snapshot per key and in total. A borrowed job counts
// under the key whose worker ran it.
func (t *Typed[K]) Stats() TypedStats[K] {
	ts := TypedStats[K]{ByKey: make(map[K]Stats, len(t.keys))}
	for _, k := range t.keys {
		s := t.pools[k.Key].Stats()
		ts.ByKey[k.Key] = s
		ts.Total.add(s)
	}
	return ts
}

// Close closes every key's pool, draining all of them concurrently.
func (t *Typed[K]) Close() error {
	return t.Shutdown(context.Background())
}

// Shutdown shuts every key's pool down concurrently under one ctx and
// returns ctx's error if any of them could not drain in time.
func (t *Typed[K]) Shutdown(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 0, len(t.pools))
	var mu sync.Mutex
	for _, p := range t.pools {
		wg.Go(func() {
			if err := p.Shutdown(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Wait waits until every key's pool is idle, or ctx ends.
func (t *Typed[K]) Wait(ctx context.Context) error {
	for _, p := range t.pools {
		if err := p.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// idleWorkers returns the number of parked workers.
func (p *Pool) idleWorkers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// add sums o into s, for totals over several pools.
func (s *Stats) add(o Stats) {
	s.Submitted += o.Submitted
	s.Rejected += o.Rejected
	s.Succeeded += o.Succeeded
	s.Failed += o.Failed
	s.Cancelled += o.Cancelled
	s.Skipped += o.Skipped
	s.Panicked += o.Panicked
	s.Retried += o.Retried
	s.Pending += o.Pending
	s.Queued += o.Queued
	s.Running += o.Running
	s.Workers += o.Workers
	s.Idle += o.Idle
	s.Started += o.Started
	s.Retired += o.Retired
	for i := range s.QueuedBy {
		s.QueuedBy[i] += o.QueuedBy[i]
		s.WaitBy[i].merge(o.WaitBy[i])
	}
	s.Wait.merge(o.Wait)
	s.Run.merge(o.Run)
	s.Uptime = max(s.Uptime, o.Uptime)
}

func (h *Histogram) merge(o Histogram) {
	h.Count += o.Count
	for i := range h.Buckets {
		h.Buckets[i] += o.Buckets[i]
	}
}
