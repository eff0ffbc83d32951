package event

import (
	"context"
	"math"
	"sync/atomic"
	"time"
)

// eventCtx is the context a handler receives: its parent (Publish's context
// for Sync subscribers, the bus's for the others) plus the publish time.
// When Publish reads the clock, once, both kinds of subscriber share that
// reading: buffered ones through one allocated eventCtx, Sync ones through
// one taken from a ctxSlab. When it does not (see matchList.syncCtx), the
// Sync handlers get a lazy one, whose at is lazyAt, kept in the match list
// and shared by the publishes with the same parent.
type eventCtx struct {
	context.Context
	m  *matchList // the published type's; its bus's epoch is at's origin
	at int64      // publish time in ns since the bus's epoch, or lazyAt
}

// lazyAt marks an eventCtx whose time is read when asked.
const lazyAt = math.MinInt64

// quietAfter is how many publishes in a row of one type to Sync handlers
// only, none of which asked PublishedAt, make Publish stop reading the
// clock for that type. An ask resets the count only once it has reached
// askReset, so that handlers asking every time do not write it every time;
// hence a handler asking at least once every quietAfter-askReset (64)
// publishes keeps the type timed.
const (
	quietAfter = 80
	askReset   = 16
)

type publishedAtKey struct{}

func (c *eventCtx) Value(key any) any {
	if key == (publishedAtKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// time returns the publish time as a time.Time: the bus's epoch plus the
// offset read by Publish, or, for a lazy context, read now. Either way the
// type's Sync handlers use the time, so Publish reads it for them again.
func (c *eventCtx) time() time.Time {
	m := c.m
	at := c.at
	if at == lazyAt {
		at = m.bus.now()
	}
	if m.quiet.Load() >= askReset {
		m.quiet.Store(0)
	}
	return m.bus.epoch.Add(time.Duration(at))
}

// syncCtx returns the context for the Sync handlers of one Publish, with
// parent, of m's type, which has no buffered subscription. While the
// type's handlers use PublishedAt it is a fresh one with the time read now.
// Once quietAfter publishes in a row went by without any asking, it is a
// lazy one that reads the clock only if asked, which also brings the fresh
// ones back; the last lazy one is kept and handed out again while the
// parent is the same (and of a comparable type).
func (m *matchList) syncCtx(parent context.Context) *eventCtx {
	if q := m.quiet.Load(); q < quietAfter {
		m.quiet.Store(q + 1)
		return m.bus.syncCtx(parent, m, m.bus.now())
	}
	if c := m.lazy.Load(); c != nil && c.Context == parent {
		return c
	}
	c := m.bus.syncCtx(parent, m, lazyAt)
	if comparableCtx(parent) {
		m.lazy.Store(c)
	}
	return c
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

// syncCtx returns a fresh context for the Sync handlers of one Publish of
// m's type, published at at (see Bus.now).
func (b *Bus) syncCtx(parent context.Context, m *matchList, at int64) *eventCtx {
	var n *ctxSlab
	for {
		sl := b.slab.Load()
		if sl != nil {
			if i := sl.next.Add(1) - 1; i < slabSize {
				c := &sl.ctx[i]
				*c = eventCtx{Context: parent, m: m, at: at}
				return c
			}
		}
		if n == nil {
			n = &ctxSlab{}
			n.next.Store(1)
		}
		if b.slab.CompareAndSwap(sl, n) {
			c := &n.ctx[0]
			*c = eventCtx{Context: parent, m: m, at: at}
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
// Publish reads the clock at most once per call, before any handler runs or
// event is buffered, and every handler of that call that gets the reading
// gets that same time, however late it asks, even after Publish has
// returned. It always reads it when a buffered subscription matches. For an
// event type that only Sync subscriptions match, it reads it while their
// handlers use it: from the first Publish of the type after each Subscribe
// or unsubscribe, and as long as some handler of the type asks
// PublishedAt (from any goroutine) at least once every 64 publishes of the
// type. Once 80 publishes in a row went by without an ask, Publish stops
// reading the clock for that type (saving about 25 ns a call); the next
// ask then returns the time of the ask itself, which is later than the
// Publish call by what ran in between (earlier handlers included), and
// from the next Publish of the type on the clock is read again. So a Sync
// handler that calls PublishedAt for every event, or at least once every
// 64, always gets the exact publish time; one that asks rarely gets the
// time it asked.
//
// The reading is monotonic (time.Since of the time the bus was created), so
// the result carries a monotonic clock reading and its wall-clock part is
// the bus's creation time plus the elapsed monotonic time: a wall-clock step
// after NewBus does not show. The clock is the runtime's, so testing/synctest
// fakes it.
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
