package event

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Subscribe registers fn to receive every event published on b whose static
// type is E or, when E is an interface, implements E; subscribing to any sees
// every event. By default fn runs on the subscription's own delivery
// goroutine, one event at a time in buffer order, fed from a buffer of 256
// events with the Block policy; see Sync, Once, Ordered, Concurrent,
// WithBuffer, WithFullPolicy and WithName. fn's context carries the publish
// time (PublishedAt); for asynchronous subscriptions it is derived from the
// bus, not from Publish's context, and is cancelled only if Close gives up.
// A panic in fn is recovered, counted in Stats.Failed and passed to the
// bus's error handler as a *PanicError.
//
// The returned unsubscribe ends the subscription: Publish calls that start
// after it returns never reach fn, and events already buffered for fn are
// discarded (counted in Stats.Dropped). It does not wait for a handler that
// is running, so fn may call it. It is safe from many goroutines, and calls
// after the first are no-ops.
//
// Subscribe is safe from many goroutines. Having no error to return, it
// panics for a nil b or fn, with a message naming the argument. After Close has
// begun it registers nothing, starts nothing, and returns a no-op. The cost
// is one copy of the subscription list plus, unless Sync, the buffer and
// the delivery goroutines.
func Subscribe[E any](b *Bus, fn func(context.Context, E), opts ...SubscribeOption) (unsubscribe func()) {
	if b == nil {
		panic("event: Subscribe with nil *Bus")
	}
	if fn == nil {
		panic("event: Subscribe with nil handler")
	}
	cfg := newSubConfig(opts)
	s := &sub[E]{fn: fn}
	s.bus = b
	s.typ = reflect.TypeFor[E]()
	s.sync, s.once, s.policy = cfg.sync, cfg.once, cfg.policy
	if !s.sync {
		s.buf = make([]envelope[E], min(cfg.buffer, defaultBuffer))
		s.capacity = cfg.buffer
		s.wake = make(chan struct{}, cfg.workers)
		s.workers, s.maxWorkers = 1, cfg.workers
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	if b.closed.Load() {
		return func() {}
	}
	b.nextID++
	s.name = cfg.name
	if s.name == "" {
		s.name = fmt.Sprintf("#%d(%v)", b.nextID, s.typ)
	}
	if !s.sync {
		b.live[s] = struct{}{}
		go s.run()
	}
	b.addLocked(s)
	return s.unsubscribe
}

// subscriber is what the bus keeps of a subscription, whatever its type.
type subscriber interface {
	config() *subBase
	// publishAny buffers v, whose dynamic type implements the
	// subscription's interface type; see sub.publish.
	publishAny(ctx context.Context, ac *eventCtx, v any) error
	// invokeSyncAny runs a Sync handler with v; see sub.invokeSync.
	invokeSyncAny(ctx context.Context, v any) (returned bool)
	// callAny calls the handler with v, recovering nothing.
	callAny(ctx context.Context, v any)
	// drain tells the delivery goroutines to exit once the buffer is empty.
	drain()
	// stop discards the buffer, ends delivery and returns how many
	// events it discarded.
	stop(to state) uint64
}

// subBase is the part of a subscription that does not depend on its type.
type subBase struct {
	bus    *Bus
	typ    reflect.Type
	name   string
	sync   bool
	once   bool
	policy FullPolicy
	fired  atomic.Bool // Once: the one event has been taken
	gone   atomic.Bool // unsubscribed

	mu         sync.Mutex
	state      state
	workers    int           // delivery goroutines still running
	maxWorkers int           // Concurrent: workers may grow to this
	capacity   int           // WithBuffer: the buffer may grow to this
	idle       int           // delivery goroutines waiting on wake
	wake       chan struct{} // one token per idle goroutine to wake
	space      chan struct{} // closed when room frees up; nil if nobody waits
}

func (s *subBase) config() *subBase { return s }

// sub is a subscription to events of type E.
type sub[E any] struct {
	subBase
	fn   func(context.Context, E)
	buf  []envelope[E] // ring buffer, grown up to capacity as it fills
	head int
	n    int
}

// envelope is one buffered event.
type envelope[E any] struct {
	ctx *eventCtx
	e   E
}

// admit reports whether subscription s, whose subBase is c, takes an event
// now: not if it was unsubscribed, nor if it is a Once one whose event was
// taken. A Once subscription that takes it leaves the bus.
func (c *subBase) admit(s subscriber) bool {
	if c.gone.Load() || c.once && !c.fired.CompareAndSwap(false, true) {
		return false
	}
	if c.once {
		c.bus.remove(s)
	}
	return true
}

// publish buffers e for an asynchronous subscription under its full policy,
// counting the delivery in Matched. Sync subscriptions are run by Publish
// (admit, then the handler), which counts them itself.
func (s *sub[E]) publish(ctx context.Context, ac *eventCtx, e E) error {
	if !s.admit(s) {
		return nil
	}
	s.bus.stats.matched.Add(1)
	return s.enqueue(ctx, ac, e)
}

func (s *sub[E]) publishAny(ctx context.Context, ac *eventCtx, v any) error {
	e, _ := v.(E) // v is nil when an interface-typed event holds nil
	return s.publish(ctx, ac, e)
}

func (s *sub[E]) invokeSyncAny(ctx context.Context, v any) bool {
	e, _ := v.(E) // v is nil when an interface-typed event holds nil
	return s.invokeSync(ctx, e)
}

func (s *sub[E]) callAny(ctx context.Context, v any) {
	e, _ := v.(E) // v is nil when an interface-typed event holds nil
	s.fn(ctx, e)
}

// invokeSync runs a Sync handler for Publish's general path and reports
// whether it returned. A panic (or runtime.Goexit) is recovered and
// reported; Publish counts the delivery in Stats when it is done with its
// Sync handlers.
func (s *sub[E]) invokeSync(ctx context.Context, e E) (returned bool) {
	defer func() {
		if !returned {
			v := recover()
			if v == nil { // since Go 1.21 only runtime.Goexit gets here
				v = errGoexit
			}
			s.bus.report(s.name, v)
		}
	}()
	s.fn(ctx, e)
	return true
}

// invoke runs an asynchronous handler and reports whether it returned. A
// panic (or runtime.Goexit) is recovered, counted in Failed and reported;
// the caller counts a return in Delivered.
func (s *sub[E]) invoke(ctx context.Context, e E) (returned bool) {
	defer func() {
		if !returned {
			v := recover()
			if v == nil { // since Go 1.21 only runtime.Goexit gets here
				v = errGoexit
			}
			s.bus.fail(s.name, v)
		}
	}()
	s.fn(ctx, e)
	return true
}

// fail counts a handler that panicked with v and reports it. It runs in the
// handler's deferred call, so the stack still shows the panic.
func (b *Bus) fail(name string, v any) {
	b.stats.failed.Add(1)
	b.report(name, v)
}

// report passes the panic v of the handler of subscription name to the
// error handler, if any. It runs in the handler's deferred call, so the
// stack still shows the panic.
func (b *Bus) report(name string, v any) {
	if b.onError != nil {
		b.onError(&PanicError{Subscriber: name, Value: v, Stack: debug.Stack()})
	}
}

// errGoexit is the PanicError value for a handler that called runtime.Goexit.
var errGoexit = errors.New("event: handler called runtime.Goexit")

// unsubscribe ends the subscription; see Subscribe.
func (s *sub[E]) unsubscribe() {
	if s.gone.Swap(true) {
		return
	}
	s.bus.remove(s)
	if !s.sync {
		s.bus.stats.dropped.Add(s.stop(stateRemoved))
	}
}
