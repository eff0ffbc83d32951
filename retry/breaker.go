package retry

import (
	"context"
	"sync"
	"time"
)

// Breaker is a circuit breaker: it lets calls through while Closed, rejects
// them with [ErrOpen] while Open, and lets a few probes through while
// HalfOpen (see [BreakerConfig] for the rules). It never starts a goroutine
// or a timer: the move from Open to HalfOpen happens in the first method
// call after OpenTimeout has passed, reading time.Now.
//
// A Breaker is safe from many goroutines. Its methods wait for nothing but a
// short internal mutex, except that a method call that changes the state may
// run OnStateChange (see [BreakerConfig]) before it returns. Each result counts only in the state
// (and the stay in it) whose Allow let the call through: a call allowed
// while Closed that finishes after the breaker opened changes nothing.
//
// Create one with [NewBreaker]. The zero Breaker is ready to use with the
// zero BreakerConfig's defaults. A Breaker must not be copied after first
// use.
type Breaker struct {
	mu       sync.Mutex
	cfg      BreakerConfig // defaults filled in; read-only after init
	ready    bool
	state    BreakerState
	gen      uint64    // counts state changes; results of older ones are ignored
	openEnds time.Time // when Open may turn HalfOpen
	probes   int       // probes in flight in HalfOpen
	consecOK int
	consecKO int
	win      window
	done     func(error) // the done function for the current gen

	pending    []transition // state changes not yet passed to OnStateChange
	delivering bool         // some goroutine is passing them on
}

type transition struct{ from, to BreakerState }

// NewBreaker returns a Closed breaker configured by c, or an error wrapping
// [ErrInvalidConfig] that names every bad field of c.
func NewBreaker(c BreakerConfig) (*Breaker, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Breaker{}
	b.init(c)
	return b, nil
}

// init sets b up with a config whose defaults are filled in; b.mu is held
// or b is not yet shared.
func (b *Breaker) init(c BreakerConfig) {
	b.cfg = c
	b.win = newWindow(c.Window, c.Buckets)
	b.ready = true
	b.win.reset(time.Now())
	b.done = b.doneFunc(b.gen)
}

// lock locks b.mu, setting up a zero Breaker on first use.
func (b *Breaker) lock() {
	b.mu.Lock()
	if !b.ready {
		c, _ := BreakerConfig{}.withDefaults() // cannot fail
		b.init(c)
	}
}

// Allow asks to make one call. If the breaker lets it through, Allow returns
// a done function that the caller must call exactly once with the call's
// error (nil for success); if not, it returns a nil done and [ErrOpen] (or an
// error wrapping it, when HalfOpen has every probe slot taken). A probe whose
// done is never called keeps its slot, so the breaker stays HalfOpen; calling
// done more than once counts the result again. Allow and done hold a mutex
// briefly, wait for nothing else (but see OnStateChange) and allocate nothing:
// done functions are made once per state change. Allow plus done cost about
// 80ns on a 2-core AMD EPYC, most of it reading the clock; a scheduler can
// ask before taking a worker. A nil *Breaker lets nothing through: it returns
// an error wrapping [ErrInvalidArgument].
func (b *Breaker) Allow() (done func(err error), err error) {
	if b == nil {
		return nil, invalidArg("Breaker.Allow", "nil *Breaker")
	}
	b.lock()
	if b.state == Open {
		b.advance(time.Now())
	}
	switch b.state {
	case Closed:
		done = b.done
	case Open:
		err = ErrOpen
	case HalfOpen:
		if b.probes < b.cfg.HalfOpenProbes {
			b.probes++
			done = b.done
		} else {
			err = errProbesBusy
		}
	}
	b.unlock()
	return done, err
}

// Do runs fn(ctx) if [Breaker.Allow] lets it, reports its result, and returns
// fn's error, or the Allow error without running fn. If ctx has already
// ended, it returns ctx.Err() without asking the breaker. A panic in fn counts
// as a failure, then goes on up. Do blocks while fn runs. A nil ctx or fn
// (or a nil *Breaker) returns an error wrapping [ErrInvalidArgument] that
// names it, without running fn or counting anything.
func (b *Breaker) Do(ctx context.Context, fn func(context.Context) error) error {
	switch {
	case b == nil:
		return invalidArg("Breaker.Do", "nil *Breaker")
	case ctx == nil:
		return invalidArg("Breaker.Do", "nil context")
	case fn == nil:
		return invalidArg("Breaker.Do", "nil function")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	done, err := b.Allow()
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished {
			done(errPanicked)
		}
	}()
	err = fn(ctx)
	finished = true
	done(err)
	return err
}

// errPanicked is the result Do reports for a call that panicked.
var errPanicked = &panicked{}

type panicked struct{}

func (*panicked) Error() string { return "retry: call panicked" }

// State returns the current state, first moving from Open to HalfOpen if
// OpenTimeout has passed (which may call OnStateChange). It does not block
// beyond a short mutex hold.
func (b *Breaker) State() BreakerState {
	b.lock()
	b.advance(time.Now())
	s := b.state
	b.unlock()
	return s
}

// Counts returns a snapshot of the results counted in the current state (see
// [Counts]), after the same Open to HalfOpen check as [Breaker.State]. It
// costs O(Buckets).
func (b *Breaker) Counts() Counts {
	b.lock()
	now := time.Now()
	b.advance(now)
	var c Counts
	if b.state != Open {
		c.Successes, c.Failures = b.win.sums(now)
	}
	c.Requests = c.Successes + c.Failures
	c.ConsecutiveSuccesses, c.ConsecutiveFailures = b.consecOK, b.consecKO
	b.unlock()
	return c
}

// doneFunc returns the done function for calls allowed in generation gen.
func (b *Breaker) doneFunc(gen uint64) func(error) {
	return func(err error) { b.report(gen, b.cfg.IsFailure(err)) }
}

// report counts the result of a call allowed in generation gen.
func (b *Breaker) report(gen uint64, failure bool) {
	b.mu.Lock()
	if gen != b.gen {
		b.mu.Unlock()
		return
	}
	now := time.Now()
	b.win.add(now, failure)
	if failure {
		b.consecOK, b.consecKO = 0, b.consecKO+1
	} else {
		b.consecOK, b.consecKO = b.consecOK+1, 0
	}
	switch b.state {
	case Closed:
		if failure && b.shouldTrip(now) {
			b.setState(Open, now)
		}
	case HalfOpen:
		b.probes--
		if failure {
			b.setState(Open, now)
		} else if b.consecOK >= b.cfg.SuccessThreshold {
			b.setState(Closed, now)
		}
	}
	b.unlock()
}

// shouldTrip reports whether a Closed breaker that just counted a failure
// must open.
func (b *Breaker) shouldTrip(now time.Time) bool {
	if b.cfg.FailureThreshold > 0 && b.consecKO >= b.cfg.FailureThreshold {
		return true
	}
	if b.cfg.FailureRatio == 0 {
		return false
	}
	ok, ko := b.win.sums(now)
	total := ok + ko
	return total >= b.cfg.MinRequests && float64(ko) >= b.cfg.FailureRatio*float64(total)
}

// advance moves an Open breaker whose timeout has passed to HalfOpen.
func (b *Breaker) advance(now time.Time) {
	if b.state == Open && !now.Before(b.openEnds) {
		b.setState(HalfOpen, now)
	}
}

// setState moves to state to, starting a new generation with zero counts.
func (b *Breaker) setState(to BreakerState, now time.Time) {
	from := b.state
	b.state = to
	b.gen++
	b.probes, b.consecOK, b.consecKO = 0, 0, 0
	b.win.reset(now)
	b.done = nil
	switch to {
	case Open:
		b.openEnds = now.Add(b.cfg.OpenTimeout)
	default:
		b.done = b.doneFunc(b.gen)
	}
	if b.cfg.OnStateChange != nil {
		b.pending = append(b.pending, transition{from, to})
	}
}

// unlock releases b.mu, first passing pending state changes to
// OnStateChange unless another goroutine is already doing so.
func (b *Breaker) unlock() {
	if b.delivering || len(b.pending) == 0 {
		b.mu.Unlock()
		return
	}
	b.delivering = true
	for len(b.pending) > 0 {
		t := b.pending[0]
		b.pending = b.pending[1:]
		b.mu.Unlock()
		b.notify(t)
		b.mu.Lock()
	}
	b.pending = b.pending[:0]
	b.delivering = false
	b.mu.Unlock()
}

// notify calls OnStateChange for t; if the hook panics, it lets a later
// unlock deliver the rest before the panic goes on.
func (b *Breaker) notify(t transition) {
	returned := false
	defer func() {
		if !returned {
			b.mu.Lock()
			b.delivering = false
			b.mu.Unlock()
		}
	}()
	b.cfg.OnStateChange(t.from, t.to)
	returned = true
}
