package event

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Bus routes published events to subscribers by type. Create one with NewBus;
// a zero Bus also works, with default options. A Bus must not be copied after
// first use. All its methods, Subscribe and Publish are safe from many
// goroutines.
//
// Publish takes no lock: it reads an immutable snapshot of the subscriptions
// through an atomic pointer, replaced (copied) by every Subscribe and
// unsubscribe.
type Bus struct {
	snap   atomic.Pointer[snapshot]
	closed atomic.Bool
	// Publish calls that got past the closed check, and those that left;
	// entered-left run now. Refused counts the entered ones that then saw
	// the bus closed, so Published is entered-refused.
	entered, left, refused counter
	slab                   atomic.Pointer[ctxSlab] // Sync handler contexts being handed out
	epoch                  time.Time               // origin of publish times (see Bus.now); set once by initLocked
	stats                  counters
	implied                sync.Map // typePair → bool: does the published type match the subscribed one?
	onError                func(error)

	mu        sync.Mutex
	base      context.Context // parent of asynchronous handlers' contexts
	cancel    context.CancelFunc
	live      map[subscriber]struct{} // subscriptions with delivery goroutines
	nextID    uint64
	quiet     chan struct{} // closed when no Publish runs after Close began
	quietOnce sync.Once
	draining  bool          // delivery goroutines told to finish and exit
	done      chan struct{} // closed when draining and no delivery goroutine is left
	isDone    bool
	abortErr  *UndeliveredError // set when a Close gave up
}

// NewBus returns an open bus configured by opts. Nil options are ignored.
// It starts no goroutine: each asynchronous subscription starts its own.
func NewBus(opts ...Option) *Bus {
	b := &Bus{}
	for _, o := range opts {
		if o != nil {
			o.applyBus(b)
		}
	}
	b.mu.Lock()
	b.initLocked()
	b.mu.Unlock()
	return b
}

func (b *Bus) initLocked() {
	if b.live == nil {
		b.epoch = time.Now()
		b.base, b.cancel = context.WithCancel(context.Background())
		b.live = make(map[subscriber]struct{})
		b.done = make(chan struct{})
	}
}

// Close stops intake and delivers what was accepted. Publish calls that
// start after Close return ErrClosed, as Subscribe makes a subscription that
// never receives. Close waits for Publish calls already running (a Block
// publisher waits for room as usual), then for every buffered event to be
// handled, and returns nil once no goroutine of the bus is left.
//
// If ctx ends first, Close gives up: buffered events not yet handed to a
// handler are discarded (Stats.Abandoned), publishers still waiting for
// room get ErrClosed, asynchronous handlers' contexts are cancelled, and
// Close returns an *UndeliveredError that wraps ctx.Err() and says how many
// deliveries were discarded. Handlers already running are not waited for:
// they finish on their own, and their goroutines then exit; a handler that
// ignores its context keeps its goroutine.
//
// Close is safe from many goroutines and repeat calls are no-ops that wait
// like the first: each returns nil once the bus has drained, or the
// *UndeliveredError of the first Close that gave up. A handler must not call
// Close with a context that never ends, since Close waits for that handler.
// A nil ctx (or a nil *Bus) returns an error wrapping ErrInvalidArgument and
// closes nothing.
func (b *Bus) Close(ctx context.Context) error {
	if b == nil {
		return errCloseNilBus
	}
	if ctx == nil {
		return errCloseNilCtx
	}
	b.mu.Lock()
	b.initLocked()
	if !b.closed.Load() {
		b.quiet = make(chan struct{})
		b.closed.Store(true)
	}
	quiet := b.quiet
	b.mu.Unlock()
	if !b.quietNow() {
		select {
		case <-quiet:
		case <-ctx.Done():
			return b.abandon(ctx.Err())
		}
	}

	b.mu.Lock()
	if !b.draining {
		b.draining = true
		for s := range b.live {
			s.drain()
		}
		b.maybeDoneLocked()
	}
	done := b.done
	b.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		select {
		case <-done:
		default:
			return b.abandon(ctx.Err())
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.abortErr != nil {
		return b.abortErr
	}
	return nil
}

// abandon discards what is still buffered, once, and returns the error that
// says how much that was.
func (b *Bus) abandon(cause error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.abortErr == nil {
		b.cancel()
		var n uint64
		for s := range b.live {
			n += s.stop(stateAborted)
		}
		b.stats.abandoned.Add(n)
		b.abortErr = &UndeliveredError{Count: n, Err: cause}
	}
	return b.abortErr
}

// enter registers a running Publish, counting it as published; it reports
// false once the bus is closed.
func (b *Bus) enter() bool {
	if b.closed.Load() {
		return false
	}
	b.entered.Add(1)
	if b.closed.Load() { // Close began meanwhile and may be counting us
		b.refused.Add(1)
		b.leave()
		return false
	}
	return true
}

// leave ends what enter began and wakes Close when the last Publish leaves.
func (b *Bus) leave() {
	if l := b.left.Add(1); b.closed.Load() && l == b.entered.Load() {
		b.quietOnce.Do(b.closeQuiet)
	}
}

// quietNow reports whether no Publish that entered is running. Left is
// read first: as both only grow and left never passes entered, equal
// readings mean that every Publish had left when left was read.
func (b *Bus) quietNow() bool {
	l := b.left.Load()
	return l == b.entered.Load()
}

func (b *Bus) closeQuiet() { close(b.quiet) }

// forget drops a subscription whose delivery goroutines have all exited.
func (b *Bus) forget(s subscriber) {
	b.mu.Lock()
	delete(b.live, s)
	b.maybeDoneLocked()
	b.mu.Unlock()
}

func (b *Bus) maybeDoneLocked() {
	if b.draining && len(b.live) == 0 && !b.isDone {
		b.isDone = true
		b.cancel()
		close(b.done)
	}
}
