package retry

import (
	"time"
)

// Defaults for the zero fields of a BreakerConfig.
const (
	defaultFailureThreshold = 5
	defaultMinRequests      = 20
	defaultWindow           = 10 * time.Second
	defaultBuckets          = 10
	defaultOpenTimeout      = 30 * time.Second
)

// maxBuckets bounds BreakerConfig.Buckets: NewBreaker allocates every bucket
// (24 bytes each) up front, and a finer window only costs more per check.
const maxBuckets = 10_000

// BreakerConfig says when a [Breaker] trips and how it recovers. Every zero
// field means its default, so the zero BreakerConfig trips after 5
// consecutive failures, stays open 30s, then lets 1 probe through, whose
// success closes it. [NewBreaker] rejects bad values.
//
// The breaker trips from Closed to Open when either rule fires:
//   - FailureThreshold consecutive failures, or
//   - a FailureRatio of failures among at least MinRequests results inside
//     the rolling Window.
type BreakerConfig struct {
	// FailureThreshold is how many consecutive failures trip the breaker.
	// Zero means 5; negative turns this rule off, leaving the ratio rule,
	// which must then be on.
	FailureThreshold int

	// FailureRatio, in (0, 1], turns the ratio rule on: the breaker trips
	// when Failures/Requests in the window reaches it. Zero, the default,
	// turns it off; other values are invalid.
	FailureRatio float64

	// MinRequests is how many results the window must hold before the ratio
	// rule may trip. Zero means 20; negative is invalid.
	MinRequests int

	// Window is the length of the rolling window. Zero means 10s; negative
	// is invalid.
	Window time.Duration

	// Buckets is how many slices the window is cut into; a result leaves the
	// window between Window-Window/Buckets and Window after it was counted,
	// and each check of the ratio costs O(Buckets). Zero means 10; negative,
	// more than 10,000, or more than Window in nanoseconds, is invalid.
	Buckets int

	// OpenTimeout is how long the breaker stays Open before it lets probes
	// through. Zero means 30s; negative is invalid.
	OpenTimeout time.Duration

	// HalfOpenProbes is how many probe calls may be in flight at once in
	// HalfOpen. Zero means 1; negative is invalid.
	HalfOpenProbes int

	// SuccessThreshold is how many successful probes in a row close the
	// breaker. Probes run in rounds of at most HalfOpenProbes, so it may
	// exceed HalfOpenProbes. Zero means 1; negative is invalid.
	SuccessThreshold int

	// IsFailure, if not nil, says whether a call's error counts as a
	// failure; a false result counts as a success. Nil counts every non-nil
	// error. It runs on the goroutine reporting the result, outside the
	// breaker's lock, and must be safe from many goroutines.
	IsFailure func(err error) bool

	// OnStateChange, if not nil, is called after each state change with the
	// old and new state. Calls come one at a time, in the order the changes
	// happened, outside the breaker's lock, so the hook may call the
	// Breaker's methods. A call comes from whichever goroutine's call caused
	// or was running the delivery, possibly after that goroutine's own
	// Breaker method returned. A panic in the hook reaches that goroutine.
	OnStateChange func(from, to BreakerState)
}

// withDefaults validates c and fills in its zero fields, returning an error
// wrapping ErrInvalidConfig for each bad field.
func (c BreakerConfig) withDefaults() (BreakerConfig, error) {
	bad := problems{sentinel: ErrInvalidConfig}
	if !(c.FailureRatio >= 0 && c.FailureRatio <= 1) { // also NaN
		bad.add("FailureRatio %v is outside [0, 1]", c.FailureRatio)
	}
	if c.FailureThreshold < 0 && c.FailureRatio == 0 {
		bad.add("FailureThreshold %d turns the consecutive rule off and FailureRatio is 0: the breaker could never trip", c.FailureThreshold)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"MinRequests", int64(c.MinRequests)},
		{"Window", int64(c.Window)},
		{"Buckets", int64(c.Buckets)},
		{"OpenTimeout", int64(c.OpenTimeout)},
		{"HalfOpenProbes", int64(c.HalfOpenProbes)},
		{"SuccessThreshold", int64(c.SuccessThreshold)},
	} {
		if f.v < 0 {
			bad.add("%s is negative", f.name)
		}
	}
	c.FailureThreshold = orDefault(c.FailureThreshold, defaultFailureThreshold)
	c.MinRequests = orDefault(c.MinRequests, defaultMinRequests)
	c.Window = orDefault(c.Window, defaultWindow)
	c.Buckets = orDefault(c.Buckets, defaultBuckets)
	c.OpenTimeout = orDefault(c.OpenTimeout, defaultOpenTimeout)
	c.HalfOpenProbes = orDefault(c.HalfOpenProbes, 1)
	c.SuccessThreshold = orDefault(c.SuccessThreshold, 1)
	if c.Buckets > maxBuckets {
		bad.add("Buckets %d exceeds the limit of %d", c.Buckets, maxBuckets)
	} else if c.Buckets > 0 && c.Window > 0 && int64(c.Buckets) > int64(c.Window) {
		bad.add("Buckets %d exceeds Window %v in nanoseconds", c.Buckets, c.Window)
	}
	if c.IsFailure == nil {
		c.IsFailure = isError
	}
	return c, bad.err()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func isError(err error) bool { return err != nil }
