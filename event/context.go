package event

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// eventCtx is the context a handler receives: its parent (Publish's context
// for Sync subscribers, the bus's for the others) plus the publish time.
// Buffered subscribers of one Publish share one, allocated with the time
// already read; Sync subscribers of one Publish share one taken from a
// ctxSlab, whose time is read when first asked for.
type eventCtx struct {
	context.Context
	at    time.Time
	state atomic.Uint32 // timeUnset, timeReading or timeSet; at is final once timeSet
}

const (
	timeUnset   = iota // nobody asked yet
	timeReading        // the first asker is reading the clock
	timeSet            // at holds the publish time
)

type publishedAtKey struct{}

func (c *eventCtx) Value(key any) any {
	if key == (publishedAtKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// time returns the publish time, reading the clock on the first call. Later
// and concurrent calls return what the first one read.
func (c *eventCtx) time() time.Time {
	for {
		switch c.state.Load() {
		case timeSet:
			return c.at
		case timeUnset:
			if c.state.CompareAndSwap(timeUnset, timeReading) {
				c.at = time.Now()
				c.state.Store(timeSet)
				return c.at
			}
		}
		runtime.Gosched() // another goroutine is reading the clock
	}
}

// slabSize is how many Sync handler contexts one allocation holds.
const slabSize = 64

// ctxSlab hands out Sync handler contexts, each once, so that Publish
// allocates one slab per slabSize calls rather than a context per call. A
// context a handler keeps after Publish returns keeps its slab alive.
type ctxSlab struct {
	next atomic.Uint32 // index of the next context to hand out
	ctx  [slabSize]eventCtx
}

// syncCtx returns a fresh context for the Sync handlers of one Publish.
func (b *Bus) syncCtx(parent context.Context) *eventCtx {
	var n *ctxSlab
	for {
		sl := b.slab.Load()
		if sl != nil {
			if i := sl.next.Add(1) - 1; i < slabSize {
				c := &sl.ctx[i]
				c.Context = parent
				return c
			}
		}
		if n == nil {
			n = &ctxSlab{}
			n.next.Store(1)
		}
		if b.slab.CompareAndSwap(sl, n) {
			c := &n.ctx[0]
			c.Context = parent
			return c
		}
		// Another Publish installed a slab: take from it, keeping n in
		// case that one is full too.
	}
}

// PublishedAt returns the publish time of the event being handled, read from
// a handler's context or any context derived from it. It returns the zero
// Time for a context that did not come from the bus. The time comes from
// time.Now, so testing/synctest fakes it.
//
// For a buffered subscriber it is the time Publish was called. For a Sync
// subscriber the clock is read when PublishedAt is first called for that
// event, by any of its Sync handlers, and every later call returns that same
// time: so Publish reads no clock for handlers that never ask. Call it first
// thing in a Sync handler to time the publish; asked only after other Sync
// handlers ran, or after Publish returned, it reports that later time.
//
// Safe from many goroutines; it allocates nothing.
func PublishedAt(ctx context.Context) time.Time {
	if c, ok := ctx.(*eventCtx); ok {
		return c.time()
	}
	if c, ok := ctx.Value(publishedAtKey{}).(*eventCtx); ok {
		return c.time()
	}
	return time.Time{}
}
