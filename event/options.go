package event

import "strconv"

// FullPolicy says what Publish does when an asynchronous subscriber's buffer
// is full: Block (the zero value) waits for room, Drop discards the event
// and counts it, Fail returns an error wrapping ErrFull.
type FullPolicy int

const (
	// Block makes Publish wait for room in the buffer. If Publish's context
	// ends first, Publish returns an error wrapping the context's error and
	// the event is not buffered for that subscriber. The default.
	Block FullPolicy = iota
	// Drop discards the event for that subscriber, counts it in
	// Stats.Dropped, and lets Publish go on without an error.
	Drop
	// Fail makes Publish return an error wrapping ErrFull that names the
	// subscriber; the event is not buffered for it (counted in
	// Stats.Rejected).
	Fail
)

// String returns "block", "drop" or "fail".
func (p FullPolicy) String() string {
	switch p {
	case Block:
		return "block"
	case Drop:
		return "drop"
	case Fail:
		return "fail"
	}
	return "FullPolicy(" + strconv.Itoa(int(p)) + ")"
}

// Option configures a Bus in NewBus. Options cannot be invalid.
type Option interface{ applyBus(*Bus) }

type busOption func(*Bus)

func (f busOption) applyBus(b *Bus) { f(b) }

// WithErrorHandler sets fn to receive every *PanicError from a handler that
// panicked. fn is called from the goroutine that ran the handler (Publish's
// for Sync subscribers, a delivery goroutine otherwise), so it may run
// concurrently with itself; it must not block for long and must not panic.
// The default, and a nil fn, only counts failures in Stats.Failed.
func WithErrorHandler(fn func(error)) Option {
	return busOption(func(b *Bus) { b.onError = fn })
}

// SubscribeOption configures one subscription in Subscribe. Options cannot
// be invalid: out-of-range numbers are clamped, as each option says.
type SubscribeOption interface{ applySub(*subConfig) }

type subOption func(*subConfig)

func (f subOption) applySub(c *subConfig) { f(c) }

// defaultBuffer is the buffer size of an asynchronous subscriber without
// WithBuffer.
const defaultBuffer = 256

type subConfig struct {
	sync    bool
	once    bool
	workers int
	buffer  int
	policy  FullPolicy
	name    string
}

func newSubConfig(opts []SubscribeOption) subConfig {
	c := subConfig{workers: 1, buffer: defaultBuffer}
	for _, o := range opts {
		if o != nil {
			o.applySub(&c)
		}
	}
	return c
}

// Sync makes the handler run in Publish's goroutine, before Publish returns,
// with Publish's context plus the publish time (PublishedAt). Buffer, policy
// and concurrency options do not apply. A Sync handler must not call Close
// with a context that never ends: Close waits for running Publish calls.
func Sync() SubscribeOption { return subOption(func(c *subConfig) { c.sync = true }) }

// Once makes the subscription take exactly one event, the first Publish to
// reach it even under concurrent publishes, and then end by itself; it is
// then no longer counted in Stats.Subscribers. Calling the unsubscribe
// function before that event is delivered discards it, as for any
// subscription.
func Once() SubscribeOption { return subOption(func(c *subConfig) { c.once = true }) }

// Ordered makes one goroutine deliver to the subscriber, so its handler sees
// events one at a time in the order they were buffered (for one publisher,
// its publish order). This is the default; Ordered exists to say so and to
// undo an earlier Concurrent.
func Ordered() SubscribeOption { return Concurrent(1) }

// Concurrent lets up to n goroutines deliver to the subscriber at once, so
// its handler runs concurrently with itself and events may be handled out of
// order. n below 1 means 1. Subscribe starts one goroutine; another starts
// when an event is buffered while all are busy, up to n, and they then idle
// between events, so a large n costs goroutines only under load.
func Concurrent(n int) SubscribeOption {
	return subOption(func(c *subConfig) { c.workers = max(n, 1) })
}

// WithBuffer sets how many events may wait for an asynchronous subscriber
// before its FullPolicy applies. n below 1 means 1. The default is 256.
// Subscribe allocates room for up to 256 events; a larger buffer doubles as
// it fills, so a large n costs memory only when that many events wait.
func WithBuffer(n int) SubscribeOption {
	return subOption(func(c *subConfig) { c.buffer = max(n, 1) })
}

// WithFullPolicy sets what Publish does when the subscriber's buffer is full.
// The default is Block; a value other than Block, Drop or Fail means Block.
func WithFullPolicy(p FullPolicy) SubscribeOption {
	return subOption(func(c *subConfig) {
		if p != Drop && p != Fail {
			p = Block
		}
		c.policy = p
	})
}

// WithName names the subscription in errors (ErrFull, *PanicError). The
// default is "#N(T)", N counting subscriptions on the bus from 1 and T the
// event type.
func WithName(name string) SubscribeOption {
	return subOption(func(c *subConfig) { c.name = name })
}
