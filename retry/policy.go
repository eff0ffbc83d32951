package retry

import (
	"math"
	"time"
)

// Forever, as [Policy.MaxAttempts], retries until the function succeeds, the
// error is not retryable, or the caller's context ends.
const Forever = -1

// Defaults for the zero fields of a Policy.
const (
	defaultMaxAttempts  = 3
	defaultInitialDelay = 100 * time.Millisecond
	defaultMultiplier   = 2
	defaultMaxDelay     = 30 * time.Second
)

// Policy says how often to retry, how long to wait between attempts and which
// errors to retry. It is plain data, meant to be written as a literal: every
// zero field means its default, so the zero Policy makes 3 attempts, waits
// 100ms then 200ms, adds no jitter and retries every error but a [Permanent]
// one. [Policy.Validate] rejects bad values; [Do] validates for you.
//
// A Policy is a value: copying it is cheap and its methods never modify it.
// Its methods are safe from many goroutines as long as RetryIf and OnRetry
// are.
type Policy struct {
	// MaxAttempts is the most times the function runs, the first attempt
	// included: 1 means no retry. Zero means 3. [Forever] (-1) means no
	// limit: retry until success, a non-retryable error or the end of the
	// context. Values below -1 are invalid.
	MaxAttempts int

	// InitialDelay is the wait after the first failed attempt. Zero means
	// 100ms; negative is invalid. For retries with practically no wait use
	// time.Nanosecond.
	InitialDelay time.Duration

	// Multiplier scales the delay after each further failure. Zero means 2;
	// 1 gives a constant delay; below 1, NaN and infinity are invalid.
	Multiplier float64

	// MaxDelay caps every delay, jitter included. Zero means 30s, or
	// InitialDelay if that is longer; negative, or set below InitialDelay,
	// is invalid.
	MaxDelay time.Duration

	// Jitter randomises each delay; the zero value, [NoJitter], keeps the
	// schedule deterministic. Values other than the Jitter constants are
	// invalid.
	Jitter Jitter

	// RetryIf, if not nil, is asked whether a failed attempt's error is
	// worth retrying; it is not asked about Permanent errors, nor once
	// MaxAttempts is reached. Nil retries every error. Either way [Do]
	// stops once the caller's context has ended, while a context error the
	// function returns with the caller's context still live (a per-attempt
	// timeout) is retried like any other.
	RetryIf func(err error) bool

	// OnRetry, if not nil, is called by [Do] and [DoValue] after attempt
	// number attempt (counting from 1) failed with err and before waiting
	// delay for the next one, on the goroutine that called Do. It is not
	// called after the last attempt. Policy.Next and Backoff.Next do not
	// call it.
	OnRetry func(attempt int, err error, delay time.Duration)
}

// Validate reports every invalid field of p in one error that wraps
// [ErrInvalidPolicy] (one wrapped error per problem, joined), or returns nil.
// It allocates only when p is invalid.
func (p Policy) Validate() error {
	bad := problems{sentinel: ErrInvalidPolicy}
	if p.MaxAttempts < Forever {
		bad.add("MaxAttempts %d is negative (use retry.Forever for no limit)", p.MaxAttempts)
	}
	if p.InitialDelay < 0 {
		bad.add("InitialDelay %v is negative", p.InitialDelay)
	}
	if p.MaxDelay < 0 {
		bad.add("MaxDelay %v is negative", p.MaxDelay)
	}
	if p.Multiplier != 0 && !(p.Multiplier >= 1) || math.IsInf(p.Multiplier, 1) {
		bad.add("Multiplier %v must be at least 1 and finite", p.Multiplier)
	}
	if p.Jitter > Decorrelated {
		bad.add("unknown %v", p.Jitter)
	}
	if d := p.withDefaults(); p.MaxDelay > 0 && p.MaxDelay < d.InitialDelay {
		bad.add("MaxDelay %v is below InitialDelay %v", p.MaxDelay, d.InitialDelay)
	}
	return bad.err()
}

// withDefaults returns p with its zero fields replaced by their defaults.
func (p Policy) withDefaults() Policy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = defaultMaxAttempts
	}
	if p.InitialDelay == 0 {
		p.InitialDelay = defaultInitialDelay
	}
	if p.Multiplier == 0 {
		p.Multiplier = defaultMultiplier
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = max(defaultMaxDelay, p.InitialDelay)
	}
	return p
}

// Delay returns the un-jittered wait after attempt number attempt (counting
// from 1) fails: InitialDelay * Multiplier^(attempt-1), capped at MaxDelay,
// with defaults filled in. It never overflows: a huge attempt gives MaxDelay.
// Delay(0) and below are 0, the wait before the first attempt. It ignores
// Jitter and MaxAttempts, is deterministic and allocation-free, and is the
// upper bound of the delay under FullJitter and EqualJitter. For a policy
// that fails Validate the result is unspecified, but Delay does not panic.
func (p Policy) Delay(attempt int) time.Duration {
	if attempt < 1 {
		return 0
	}
	d := p.withDefaults()
	return d.delay(attempt)
}

// delay is Delay for attempt >= 1 on a policy with defaults filled in.
func (p *Policy) delay(attempt int) time.Duration {
	d := float64(p.InitialDelay) * math.Pow(p.Multiplier, float64(attempt-1))
	if !(d < float64(p.MaxDelay)) { // also true for NaN and +Inf
		return p.MaxDelay
	}
	return time.Duration(d)
}

// Next reports whether to retry after attempt number attempt (counting from
// 1) failed with err, and if so how long to wait first, jitter applied. It
// says no when err is nil, when err is [Permanent], when attempt has reached
// MaxAttempts, or when RetryIf returns false, and asks RetryIf only if none
// of the others said no. An attempt below 1 counts as 1.
//
// Next is what a scheduler calls in place of [Do]: it has no memory and
// does not look at any context, so the caller stops when its own context
// ends. For Decorrelated jitter it takes Delay(attempt-1) as the previous
// delay; use [Policy.Backoff] to follow the real chain of delays. Next does
// not call OnRetry, does not allocate, and for a policy that fails Validate
// returns unspecified values without panicking.
func (p Policy) Next(attempt int, err error) (delay time.Duration, retry bool) {
	attempt = max(attempt, 1)
	d := p.withDefaults()
	prev := d.InitialDelay
	if attempt > 1 {
		prev = d.delay(attempt - 1)
	}
	return d.next(attempt, err, prev)
}

// next is Next on a policy with defaults filled in, with the previous delay
// given.
func (p *Policy) next(attempt int, err error, prev time.Duration) (time.Duration, bool) {
	if err == nil || IsPermanent(err) ||
		p.MaxAttempts != Forever && attempt >= p.MaxAttempts ||
		p.RetryIf != nil && !p.RetryIf(err) {
		return 0, false
	}
	return p.Jitter.apply(p, p.delay(attempt), prev), true
}
