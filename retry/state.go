package retry

import "strconv"

// BreakerState is the state of a [Breaker]. The zero value is Closed.
type BreakerState uint8

const (
	// Closed lets every call through and counts failures.
	Closed BreakerState = iota
	// Open rejects every call with [ErrOpen] until OpenTimeout has passed.
	Open
	// HalfOpen lets up to HalfOpenProbes calls through at a time to probe
	// whether the dependency has recovered.
	HalfOpen
)

// String returns "closed", "open" or "half-open", or "BreakerState(N)" for an
// unknown value.
func (s BreakerState) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "BreakerState(" + strconv.Itoa(int(s)) + ")"
}

// Counts is a snapshot of the results a [Breaker] has counted in its current
// state: in Closed, the results inside the rolling window; in HalfOpen, the
// probes' results since it became half-open; in Open, nothing. Each state
// change starts from zero. Only results reported through the done function of
// a call allowed in the current state count.
type Counts struct {
	// Requests is Successes plus Failures.
	Requests int
	// Successes and Failures are the results counted, as judged by
	// BreakerConfig.IsFailure.
	Successes, Failures int
	// ConsecutiveSuccesses and ConsecutiveFailures are the length of the
	// current run of equal results; at most one of them is non-zero. They
	// are not limited to the window.
	ConsecutiveSuccesses, ConsecutiveFailures int
}
