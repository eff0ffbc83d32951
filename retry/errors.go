package retry

import (
	"errors"
	"fmt"
)

// ErrInvalidPolicy is wrapped by every error from [Policy.Validate], and so
// by the error [Do] and [DoValue] return, without calling the function, for a
// Policy that fails validation.
var ErrInvalidPolicy = errors.New("retry: invalid policy")

// ErrInvalidConfig is wrapped by every error [NewBreaker] returns for a
// [BreakerConfig] that fails validation.
var ErrInvalidConfig = errors.New("retry: invalid breaker config")

// ErrInvalidArgument is wrapped by the error [Do], [DoValue], [Breaker.Do] and
// [Breaker.Allow] return, without running anything, for a nil function, a nil
// context or a nil *Breaker; the message names the argument, as in
// "retry: invalid argument: Do: nil function".
var ErrInvalidArgument = errors.New("retry: invalid argument")

// invalidArg returns an error wrapping ErrInvalidArgument that names the call
// and the bad argument.
func invalidArg(call, what string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidArgument, call, what)
}

// ErrOpen is returned by [Breaker.Allow] and [Breaker.Do] when the breaker
// rejects a call: it is [Open], or [HalfOpen] with every probe slot taken (the
// error returned then wraps ErrOpen and says so).
var ErrOpen = errors.New("retry: circuit breaker is open")

// errProbesBusy is the rejection in HalfOpen; a package value so that
// rejecting allocates nothing.
var errProbesBusy = fmt.Errorf("%w (half-open, every probe slot is taken)", ErrOpen)

// Error is the error [Do] and [DoValue] return when they give up. It records
// how many attempts ran and wraps the last attempt's error and, when the
// caller's context ended, that context's error: errors.Is and errors.As see
// both. An Error is a plain value, safe to read from many goroutines.
//
// Its message says why retrying stopped: the attempts ran out ("gave up
// after"), the last error was [Permanent] ("permanent error on attempt N"),
// RetryIf refused it ("not retryable on attempt N"), or the context ended.
type Error struct {
	// Attempts is how many times the function ran; 0 when the context had
	// ended before the first attempt.
	Attempts int
	// Err is the last attempt's error, as the function returned it (still
	// wrapped by Permanent if it was); nil only when Attempts is 0.
	Err error
	// CtxErr is ctx.Err() when retrying stopped because the caller's
	// context ended, and nil otherwise.
	CtxErr error

	// refused is set by Do when RetryIf said no before MaxAttempts was
	// reached, so that the message does not claim the attempts ran out.
	refused bool
}

// Error reports why retrying stopped, the attempt count and the last
// attempt's error, for example "retry: gave up after 3 attempts: boom" or
// "retry: permanent error on attempt 1: bad request".
func (e *Error) Error() string {
	switch {
	case e.Attempts == 0:
		return fmt.Sprintf("retry: %v before the first attempt", e.CtxErr)
	case e.CtxErr != nil:
		return fmt.Sprintf("retry: %v after %s: %v", e.CtxErr, plural(e.Attempts), e.Err)
	case IsPermanent(e.Err):
		return fmt.Sprintf("retry: permanent error on attempt %d: %v", e.Attempts, e.Err)
	case e.refused:
		return fmt.Sprintf("retry: error not retryable on attempt %d: %v", e.Attempts, e.Err)
	default:
		return fmt.Sprintf("retry: gave up after %s: %v", plural(e.Attempts), e.Err)
	}
}

// Unwrap returns the last attempt's error and the context error, leaving out
// whichever is nil.
func (e *Error) Unwrap() []error {
	switch {
	case e.Err == nil:
		return []error{e.CtxErr}
	case e.CtxErr == nil:
		return []error{e.Err}
	default:
		return []error{e.Err, e.CtxErr}
	}
}

func plural(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// problems collects validation failures, each wrapping one sentinel.
type problems struct {
	sentinel error
	errs     []error
}

// add records one failure; its message is the sentinel's, ": ", then format.
func (p *problems) add(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%w: "+format, append([]any{p.sentinel}, args...)...))
}

// err joins the failures, or returns nil if there are none.
func (p *problems) err() error { return errors.Join(p.errs...) }
