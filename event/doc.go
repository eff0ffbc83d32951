// Package event is a small, typed, in-process event bus.
//
// Subscribe registers a handler for a Go type; Publish sends a value to every
// subscription whose type matches the value's static type, exactly or as an
// interface it implements, so a subscription to any sees every event:
//
//	b := event.NewBus()
//	defer b.Close(ctx)
//	unsubscribe := event.Subscribe(b, func(ctx context.Context, e OrderPlaced) {
//		log.Println("order", e.ID, "at", event.PublishedAt(ctx))
//	})
//	defer unsubscribe()
//	err := event.Publish(ctx, b, OrderPlaced{ID: 7})
//
// # Delivery
//
// By default a subscription is asynchronous: Publish puts the event in the
// subscription's bounded buffer (256 events) and returns; one delivery
// goroutine per subscription runs the handler, so each handler sees its
// events one at a time, in buffer order. Concurrent(n) trades that order for
// n delivery goroutines. Sync() runs the handler in Publish's goroutine
// instead, before Publish returns. Once() takes exactly one event, even
// under concurrent publishes, and then ends the subscription.
//
// Handlers get the time Publish was called through PublishedAt(ctx): one
// clock reading per Publish, shared by all its handlers. For a type that
// only Sync subscriptions match, Publish reads the clock while their
// handlers ask for it, and stops after 80 publishes in a row that nobody
// asked about; see PublishedAt for what the next ask then gets. A Sync handler's
// context is Publish's; an asynchronous handler's comes from the bus and is
// cancelled only if Close gives up.
//
// # Backpressure
//
// When a subscription's buffer is full its FullPolicy decides: Block (the
// default) makes Publish wait for room, or until its context ends; Drop
// discards the event and counts it; Fail makes Publish return an error
// wrapping ErrFull. Policies are per subscription, so a slow subscriber
// with Drop cannot slow publishers down.
//
// # Failures
//
// A panicking handler is recovered; the delivery counts as failed and a
// *PanicError with the value and stack goes to the handler set with
// WithErrorHandler. Other subscriptions and the publisher are unaffected.
//
// # Shutdown
//
// Close stops intake (Publish returns ErrClosed), delivers everything that
// was accepted, and returns once no goroutine of the bus is left. If its
// context ends first it returns an *UndeliveredError saying how many
// buffered deliveries it discarded, so accepted events are always either
// delivered or reported. Stats reports the counts, which reconcile.
//
// # Cost
//
// Publish takes no lock to find subscribers: it reads a copy-on-write
// snapshot and a per-type cache of matching subscriptions. It reads the
// monotonic clock once when a buffered subscription matches, or a Sync one
// whose handlers use PublishedAt. To Sync subscribers of the exact type it
// allocates nothing per call and makes three atomic additions (two to
// track running calls for Close, one for Stats), with one deferred recover
// for all the handlers; buffered subscribers cost one allocation per call
// (the handler context carrying the publish time).
package event
