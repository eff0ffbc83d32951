package event

import (
	"context"
	"errors"
	"reflect"
)

// Publish sends e to every subscription on b whose type matches E, the
// static type of e: subscriptions to E itself and to interfaces E implements
// (including any). Dispatch uses E, not e's dynamic type: Publish[error]
// reaches subscribers to error and any, not to the concrete error type.
//
// Sync handlers run before Publish returns; other subscriptions get e in
// their buffer, where a full buffer applies the subscription's FullPolicy:
// Block waits (until ctx ends), Drop discards, Fail refuses with ErrFull.
// Publish returns nil when every matching subscription took e (or dropped it
// under Drop), ErrClosed if Close was called before, and otherwise the
// errors of the subscriptions that refused e, joined; the others still got
// it. Handler panics are not returned: see WithErrorHandler. A nil ctx or b
// returns an error wrapping ErrInvalidArgument and publishes nothing.
//
// Publish is safe from many goroutines and takes no lock unless it buffers.
// It reads the monotonic clock once (about 25 ns) when a buffered
// subscription matches, and when a Sync one does whose handlers use
// PublishedAt (see there: a type whose Sync handlers ignored it for 80
// publishes in a row is published without a clock read). It allocates
// nothing when no subscription matches or only Sync ones do: their shared
// handler context is one kept per type and parent context while the clock
// is not read, and otherwise comes from a block of 63 allocated at once
// (about 32 bytes per call). The Sync deliveries of one call are counted
// in Stats with one atomic addition, however many there are, and run under
// one deferred recover. Buffered subscriptions cost one 32-byte context per
// call; boxing e for interface subscriptions may add one allocation.
// Measured on a 2-core Intel Xeon VM (BenchmarkPublishSync,
// BenchmarkPublishAsync): see docs/performance.md. The first Publish of
// each type after a Subscribe or unsubscribe builds that type's match list.
// A Block publisher from inside a handler to its own full subscription
// waits on itself: give it a ctx that ends, or another policy.
func Publish[E any](ctx context.Context, b *Bus, e E) error {
	if ctx == nil || b == nil {
		if b == nil {
			return errPublishNilBus
		}
		return errPublishNilCtx
	}
	if !b.enter() {
		return ErrClosed
	}
	var sn syncCount
	defer b.finish(&sn)
	m := matches[E](b)
	if m == nil || len(m.subs) == 0 {
		return nil
	}
	if !m.hasAsync {
		runSync(m.syncCtx(ctx), m.subs, e, &sn)
		return nil
	}
	at := b.now()
	var sc *eventCtx
	if m.nSync > 0 {
		sc = b.syncCtx(ctx, m, at)
	}
	ac := &eventCtx{Context: b.base, m: m, at: at}
	var (
		errs  []error
		boxed any
		isBox bool
	)
	for _, s := range m.subs {
		ts, typed := s.(*sub[E])
		var c *subBase
		if typed {
			c = &ts.subBase
		} else {
			c = s.config()
			if !isBox {
				boxed, isBox = e, true
			}
		}
		if c.sync {
			if !c.admit(s) {
				continue
			}
			// Counted as panicked until it returns: a handler that calls
			// runtime.Goexit never does.
			sn.started++
			sn.panicked++
			if typed && ts.invokeSync(sc, e) || !typed && s.invokeSyncAny(sc, boxed) {
				sn.panicked--
			}
			continue
		}
		var err error
		if typed {
			err = ts.publish(ctx, ac, e)
		} else {
			err = s.publishAny(ctx, ac, boxed)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// runSync runs the Sync handlers of subs, a match list with no buffered
// subscription, with ctx and e, counting them in sn. One deferred recover
// covers a run of handlers: after a panic it resumes with the next one.
func runSync[E any](ctx context.Context, subs []subscriber, e E, sn *syncCount) {
	for i := 0; i < len(subs); {
		i = runSyncFrom(ctx, subs, e, i, sn)
	}
}

// runSyncFrom runs the Sync handlers of subs from index i on and returns
// len(subs), or the index after a handler that panicked, which it counts in
// sn and reports. A handler that calls runtime.Goexit is counted and
// reported the same way, and the goroutine then ends.
func runSyncFrom[E any](ctx context.Context, subs []subscriber, e E, i int, sn *syncCount) (next int) {
	ok := false
	defer func() {
		if !ok {
			v := recover()
			if v == nil { // since Go 1.21 only runtime.Goexit gets here
				v = errGoexit
			}
			c := subs[i].config()
			sn.panicked++
			c.bus.report(c.name, v)
			next = i + 1
		}
	}()
	var (
		boxed any
		isBox bool
	)
	for ; i < len(subs); i++ {
		s := subs[i]
		if ts, typed := s.(*sub[E]); typed {
			if !ts.admit(s) {
				continue
			}
			sn.started++
			ts.fn(ctx, e)
			continue
		}
		if !s.config().admit(s) {
			continue
		}
		if !isBox {
			boxed, isBox = e, true
		}
		sn.started++
		s.callAny(ctx, boxed)
	}
	ok = true
	return i
}

// syncCount tallies the Sync deliveries of one Publish: handlers started,
// and those of them that panicked (or called runtime.Goexit).
type syncCount struct{ started, panicked uint64 }

// finish ends one Publish: it counts its Sync deliveries (see Stats) and
// leaves (see Bus.leave). It is deferred, so it runs even when a handler
// ends the goroutine.
//
// Started is added before panicked, and Stats reads them in the other
// order, so a snapshot never counts a failed Sync delivery it does not
// count as matched.
func (b *Bus) finish(sn *syncCount) {
	if sn.started > 0 {
		b.stats.syncRan.Add(sn.started)
		if sn.panicked > 0 {
			b.stats.syncFailed.Add(sn.panicked)
		}
	}
	b.leave()
}

// comparableCtx reports whether values of ctx's dynamic type can be compared
// with ==, so that a context kept to be compared with later ones cannot
// make the comparison panic.
func comparableCtx(ctx context.Context) bool { return reflect.TypeOf(ctx).Comparable() }
