package event

import "sync/atomic"

// Stats is a snapshot of a bus's counters, from Bus.Stats. Counts are per
// delivery (one event to one subscriber) except Published and Subscribers.
// Counters are read one by one while the bus runs, so a snapshot taken under
// load may be slightly skewed; once the bus is quiet (after Close returns)
//
//	Matched == Delivered + Failed + Dropped + Rejected + Abandoned
//
// and Pending is 0. The Sync deliveries of one Publish are counted
// together, once it is done with its Sync handlers (or its goroutine
// ends): each handler it ran enters Matched and one of Delivered (it
// returned) or Failed (it panicked or called runtime.Goexit) at that
// moment. So a Sync delivery never shows in Pending; a Stats read from a
// Sync handler, or from the error handler a panic calls, does not yet count
// that Publish's Sync deliveries; the counts are exact once it returns.
// (Until December 2026 a Sync delivery entered Matched before its handler
// ran, and a panic counted in Failed at once.)
type Stats struct {
	// Subscribers is the number of active subscriptions.
	Subscribers int
	// Published counts Publish calls the bus took (all but ErrClosed ones).
	Published uint64
	// Matched counts deliveries dispatched: one per published event and
	// subscriber whose type matched it.
	Matched uint64
	// Delivered counts handler calls that returned.
	Delivered uint64
	// Failed counts handler calls that panicked.
	Failed uint64
	// Dropped counts deliveries discarded without an error: the Drop policy
	// on a full buffer, or events still buffered for a subscriber when it
	// unsubscribed.
	Dropped uint64
	// Rejected counts deliveries refused with an error from Publish: the Fail
	// policy (ErrFull), a Block wait whose context ended, or a Close that
	// gave up (ErrClosed).
	Rejected uint64
	// Abandoned counts buffered deliveries discarded because Close's context
	// ended first.
	Abandoned uint64
	// Pending counts buffered deliveries waiting or running now. Sync
	// deliveries are never pending: see above.
	Pending uint64
}

// counter is an atomic counter on its own cache line, so publishers on
// different cores do not fight over neighbouring counters.
type counter struct {
	atomic.Uint64
	_ [56]byte
}

// counters are the bus's Stats. Buffered deliveries are counted one by
// one in the first six; Sync ones by their Publish, when it is done with
// its Sync handlers, in syncRan (handlers started) and syncFailed (those
// that panicked), so a Publish to Sync subscribers makes one atomic
// addition.
type counters struct {
	matched, delivered, failed, dropped, rejected, abandoned counter
	syncRan, syncFailed                                      counter
}

// Stats returns a snapshot of the bus's counters. It is safe from many
// goroutines, never blocks, and costs a handful of atomic loads.
func (b *Bus) Stats() Stats {
	c := &b.stats
	// Publish adds syncRan before syncFailed: read them the other way, so
	// that sf <= sr.
	sf := c.syncFailed.Load()
	sr := c.syncRan.Load()
	s := Stats{
		Delivered: c.delivered.Load() + sr - sf,
		Failed:    c.failed.Load() + sf,
		Dropped:   c.dropped.Load(),
		Rejected:  c.rejected.Load(),
		Abandoned: c.abandoned.Load(),
	}
	// Matched is counted before any outcome of the same delivery, so reading
	// it last keeps Pending from going negative.
	s.Matched = c.matched.Load() + sr
	refused := b.refused.Load()
	s.Published = b.entered.Load() - refused
	s.Pending = s.Matched - (s.Delivered + s.Failed + s.Dropped + s.Rejected + s.Abandoned)
	if sn := b.snap.Load(); sn != nil {
		s.Subscribers = len(sn.subs)
	}
	return s
}
