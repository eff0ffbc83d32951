package event

import (
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
)

// snapshot is an immutable list of subscriptions plus a lazily filled cache,
// per published type, of the subscriptions it matches. Subscribe and
// unsubscribe replace the whole snapshot, which drops the cache with it.
type snapshot struct {
	subs []subscriber
	// recent is a copy-on-write list of the first maxRecent match lists
	// built, scanned before the map: comparing a few interface values costs
	// less than hashing one.
	recent atomic.Pointer[[]*matchList]
	cache  sync.Map // key → *matchList
}

// maxRecent bounds snapshot.recent; later types are found in the map only.
const maxRecent = 8

// matchList is what one published type reaches in one snapshot.
type matchList struct {
	bus      *Bus
	key      any // (*E)(nil) for published type E
	subs     []subscriber
	nSync    uint64 // subscriptions that run in Publish's goroutine
	hasAsync bool   // some subscription is buffered

	// For a list of Sync subscriptions only (see matchList.syncCtx):
	// publishes in a row, up to quietAfter, whose handlers did not ask
	// PublishedAt, and the context handed to them once quietAfter is
	// reached. On their own cache line: Publish writes quiet while
	// handlers ask.
	_     [64]byte
	quiet atomic.Int32
	lazy  atomic.Pointer[eventCtx]
	_     [52]byte
}

// typePair keys the cache of type matches kept across snapshots.
type typePair struct{ pub, sub reflect.Type }

// keyFor is the cache key of published type E: a nil *E, which compares
// and hashes by type alone and boxes without allocating.
func keyFor[E any]() any { return (*E)(nil) }

// matches returns the subscriptions that an event of static type E reaches,
// or nil. After the first call per type and snapshot it is a short scan of
// interface comparisons, or one map lookup once a snapshot has seen more
// than maxRecent types.
func matches[E any](b *Bus) *matchList {
	sn := b.snap.Load()
	if sn == nil {
		return nil
	}
	key := keyFor[E]()
	if r := sn.recent.Load(); r != nil {
		for _, m := range *r {
			if m.key == key {
				return m
			}
		}
	}
	if v, ok := sn.cache.Load(key); ok {
		return v.(*matchList)
	}
	return b.build(sn, key, reflect.TypeFor[E]())
}

// build makes the match list of type t in sn and caches it under key.
func (b *Bus) build(sn *snapshot, key any, t reflect.Type) *matchList {
	m := &matchList{bus: b, key: key}
	for _, s := range sn.subs {
		c := s.config()
		if !b.match(t, c.typ) {
			continue
		}
		m.subs = append(m.subs, s)
		if c.sync {
			m.nSync++
		} else {
			m.hasAsync = true
		}
	}
	v, loaded := sn.cache.LoadOrStore(key, m)
	m = v.(*matchList)
	if loaded {
		return m
	}
	for {
		old := sn.recent.Load()
		var l []*matchList
		if old != nil {
			if len(*old) >= maxRecent {
				return m
			}
			l = slices.Clip(slices.Clone(*old))
		}
		l = append(l, m)
		if sn.recent.CompareAndSwap(old, &l) {
			return m
		}
	}
}

// match reports whether an event of static type pub reaches a subscription
// to type sub: the same type, or an interface that pub implements. The
// Implements check is done once per pair for the life of the bus.
func (b *Bus) match(pub, sub reflect.Type) bool {
	if pub == sub {
		return true
	}
	if sub.Kind() != reflect.Interface {
		return false
	}
	k := typePair{pub, sub}
	if v, ok := b.implied.Load(k); ok {
		return v.(bool)
	}
	ok := pub.Implements(sub)
	b.implied.Store(k, ok)
	return ok
}

// addLocked publishes a snapshot with s appended. b.mu must be held.
func (b *Bus) addLocked(s subscriber) {
	var subs []subscriber
	if old := b.snap.Load(); old != nil {
		subs = slices.Clip(slices.Clone(old.subs))
	}
	b.snap.Store(&snapshot{subs: append(subs, s)})
}

// remove publishes a snapshot without s; it is a no-op if s is not there.
func (b *Bus) remove(s subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.snap.Load()
	if old == nil {
		return
	}
	i := slices.Index(old.subs, s)
	if i < 0 {
		return
	}
	b.snap.Store(&snapshot{subs: slices.Delete(slices.Clone(old.subs), i, i+1)})
}
