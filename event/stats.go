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
// together: all enter Matched before its first Sync handler runs; when the
// last ends, those that returned enter Delivered and those never run
// (unsubscribed or Once taken meanwhile) leave Matched; a panic counts in
// Failed at once. So, from a Sync handler or another goroutine, a Sync
// delivery counts as Pending until its Publish is done with its Sync
// handlers, and the counts are exact once it returns.
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
	// Pending counts deliveries buffered or running now, and the Sync
	// deliveries of Publish calls still running their Sync handlers.
	Pending uint64
}

// counter is an atomic counter on its own cache line, so publishers on
// different cores do not fight over neighbouring counters.
type counter struct {
	atomic.Uint64
	_ [56]byte
}

type counters struct {
	matched, delivered, failed, dropped, rejected, abandoned counter
}

// Stats returns a snapshot of the bus's counters. It is safe from many
// goroutines, never blocks, and costs a handful of atomic loads.
func (b *Bus) Stats() Stats {
	c := &b.stats
	s := Stats{
		Delivered: c.delivered.Load(),
		Failed:    c.failed.Load(),
		Dropped:   c.dropped.Load(),
		Rejected:  c.rejected.Load(),
		Abandoned: c.abandoned.Load(),
	}
	// Matched is counted before any outcome of the same delivery, so reading
	// it last keeps Pending from going negative.
	s.Matched = c.matched.Load()
	refused := b.refused.Load()
	s.Published = b.entered.Load() - refused
	s.Pending = s.Matched - (s.Delivered + s.Failed + s.Dropped + s.Rejected + s.Abandoned)
	if sn := b.snap.Load(); sn != nil {
		s.Subscribers = len(sn.subs)
	}
	return s
}
