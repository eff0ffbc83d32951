package event

import (
	"reflect"
	"slices"
	"sync"
)

// snapshot is an immutable list of subscriptions plus a lazily filled cache,
// per published type, of the subscriptions it matches. Subscribe and
// unsubscribe replace the whole snapshot, which drops the cache with it.
type snapshot struct {
	subs  []subscriber
	cache sync.Map // reflect.Type → *matchList
}

// matchList is what one published type reaches in one snapshot.
type matchList struct {
	subs     []subscriber
	hasSync  bool // some subscription runs in Publish's goroutine
	hasAsync bool // some subscription is buffered
}

// typePair keys the cache of type matches kept across snapshots.
type typePair struct{ pub, sub reflect.Type }

// matches returns the subscriptions that an event of static type t reaches,
// or nil. After the first call per type and snapshot it is one map lookup.
func (b *Bus) matches(t reflect.Type) *matchList {
	sn := b.snap.Load()
	if sn == nil {
		return nil
	}
	if v, ok := sn.cache.Load(t); ok {
		return v.(*matchList)
	}
	m := &matchList{}
	for _, s := range sn.subs {
		c := s.config()
		if !b.match(t, c.typ) {
			continue
		}
		m.subs = append(m.subs, s)
		if c.sync {
			m.hasSync = true
		} else {
			m.hasAsync = true
		}
	}
	v, _ := sn.cache.LoadOrStore(t, m)
	return v.(*matchList)
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
