package event

import (
	"context"
	"sync/atomic"
	"time"
)

// eventCtx is the context a handler receives: its parent (Publish's context
// for Sync subscribers, the bus's for the others) plus the publish time.
// Publish reads the clock once, only when some subscription matches, and
// both kinds of subscriber share that reading: buffered ones through one
// allocated eventCtx, Sync ones through one taken from a ctxSlab.
type eventCtx struct {
	context.Context
	bus *Bus  // whose epoch at counts from
	at  int64 // publish time in ns since bus.epoch, monotonic
}

type publishedAtKey struct{}

func (c *eventCtx) Value(key any) any {
	if key == (publishedAtKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// time returns the publish time as a time.Time: the bus's epoch plus the
// offset read by Publish.
func (c *eventCtx) time() time.Time {
	return c.bus.epoch.Add(time.Duration(c.at))
}

// now returns the time in ns since b.epoch. It reads only the monotonic
// clock (time.Since of a time carrying a monotonic reading), about half
// the cost of time.Now, and builds no time.Time.
func (b *Bus) now() int64 { return int64(time.Since(b.epoch)) }

// slabSize is how many Sync handler contexts one allocation holds: 63
// contexts of 32 bytes and the index fill a 2048-byte size class.
const slabSize = 63

// ctxSlab hands out Sync handler contexts, each once, so that Publish
// allocates one slab per slabSize calls rather than a context per call. A
// context a handler keeps after Publish returns keeps its slab alive.
type ctxSlab struct {
	next atomic.Uint32 // index of the next context to hand out
	ctx  [slabSize]eventCtx
}

// syncCtx returns a fresh context for the Sync handlers of one Publish,
// published at at (see Bus.now).
func (b *Bus) syncCtx(parent context.Context, at int64) *eventCtx {
	var n *ctxSlab
	for {
		sl := b.slab.Load()
		if sl != nil {
			if i := sl.next.Add(1) - 1; i < slabSize {
				c := &sl.ctx[i]
				*c = eventCtx{Context: parent, bus: b, at: at}
				return c
			}
		}
		if n == nil {
			n = &ctxSlab{}
			n.next.Store(1)
		}
		if b.slab.CompareAndSwap(sl, n) {
			c := &n.ctx[0]
			*c = eventCtx{Context: parent, bus: b, at: at}
			return c
		}
		// Another Publish installed a slab: take from it, keeping n in
		// case that one is full too.
	}
}

// PublishedAt returns the time Publish was called for the event being
// handled, read from a handler's context or any context derived from it. It
// returns the zero Time for a context that did not come from the bus, and
// for a nil ctx.
//
// Publish reads the clock once per call, when at least one subscription
// matches, before any handler runs or event is buffered; every handler of
// that call, Sync or buffered, gets that same time, however late it asks,
// even after Publish has returned. The reading is monotonic (time.Since of
// the time the bus was created), so the result carries a monotonic clock
// reading and its wall-clock part is the bus's creation time plus the
// elapsed monotonic time: a wall-clock step after NewBus does not show. The
// clock is the runtime's, so testing/synctest fakes it.
//
// Safe from many goroutines; it allocates nothing.
func PublishedAt(ctx context.Context) time.Time {
	if c, ok := ctx.(*eventCtx); ok {
		return c.time()
	}
	if ctx == nil {
		return time.Time{}
	}
	if c, ok := ctx.Value(publishedAtKey{}).(*eventCtx); ok {
		return c.time()
	}
	return time.Time{}
}
