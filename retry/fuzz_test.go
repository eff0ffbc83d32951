package retry_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

// checkPrefixed fails t unless err matches sentinel and every joined problem
// in its message starts with prefix.
func checkPrefixed(t *testing.T, what string, err, sentinel error, prefix string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: error %v does not match %v", what, err, sentinel)
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("%s: problem %q lacks the prefix %q", what, line, prefix)
		}
	}
}

// policyInvalid is what the Policy field docs call invalid, written apart
// from Validate.
func policyInvalid(p retry.Policy) bool {
	initial := p.InitialDelay
	if initial == 0 {
		initial = 100 * time.Millisecond
	}
	return p.MaxAttempts < retry.Forever || p.InitialDelay < 0 || p.MaxDelay < 0 ||
		p.Multiplier != 0 && (p.Multiplier < 1 || math.IsNaN(p.Multiplier) || math.IsInf(p.Multiplier, 0)) ||
		p.Jitter > retry.Decorrelated || p.MaxDelay > 0 && p.MaxDelay < initial
}

// FuzzPolicy checks Policy validation and the delays of valid policies:
// Validate fails exactly for the values the field docs call invalid, with
// every problem prefixed "retry: invalid policy: "; Do then returns that error
// without calling the function; Delay, Next and Backoff never panic. For a
// valid policy Delay starts at InitialDelay, never decreases and never passes
// MaxDelay; Next retries exactly while attempts are left, never a nil or
// Permanent error, and its jittered delay stays in the mode's range; Backoff
// stays within MaxDelay and counts attempts; and Do (under synctest) calls the
// function MaxAttempts times, waits no longer than the delays allow, and says
// it gave up after that many attempts.
func FuzzPolicy(f *testing.F) {
	f.Add(0, int64(0), 0.0, int64(0), uint8(0), 1)
	f.Add(5, int64(time.Second), 1.5, int64(time.Minute), uint8(retry.FullJitter), 3)
	f.Add(retry.Forever, int64(time.Nanosecond), 1.0, int64(0), uint8(retry.Decorrelated), 1000)
	f.Add(3, int64(time.Hour), 2.0, int64(time.Second), uint8(retry.EqualJitter), 2) // MaxDelay below InitialDelay
	f.Add(-2, int64(-1), 0.5, int64(-1), uint8(9), 0)                                // everything wrong
	f.Add(10, int64(math.MaxInt64), math.Inf(1), int64(math.MaxInt64), uint8(1), math.MaxInt)
	f.Add(2, int64(1), math.NaN(), int64(1), uint8(0), -5)
	f.Add(math.MaxInt, int64(time.Millisecond), 1e308, int64(0), uint8(3), 64)
	f.Fuzz(func(t *testing.T, maxAttempts int, initial int64, mult float64, maxDelay int64, jitter uint8, attempt int) {
		p := retry.Policy{MaxAttempts: maxAttempts, InitialDelay: time.Duration(initial), Multiplier: mult,
			MaxDelay: time.Duration(maxDelay), Jitter: retry.Jitter(jitter)}
		err := p.Validate()
		if want := policyInvalid(p); (err != nil) != want {
			t.Fatalf("%+v: Validate() = %v, want invalid %v", p, err, want)
		}
		// None of these may panic, valid policy or not.
		p.Delay(attempt)
		p.Next(attempt, errBoom)
		b := p.Backoff()
		b.Next(errBoom)
		if err != nil {
			checkPrefixed(t, "Validate", err, retry.ErrInvalidPolicy, "retry: invalid policy: ")
			called := false
			derr := retry.Do(context.Background(), p, func(context.Context) error { called = true; return nil })
			if called || derr == nil || derr.Error() != err.Error() {
				t.Fatalf("%+v: Do = %v (called %v), want the Validate error without a call", p, derr, called)
			}
			return
		}
		checkDelays(t, p, attempt)
		checkDo(t, p)
	})
}

// limits returns p's MaxAttempts, InitialDelay and MaxDelay with defaults.
func limits(p retry.Policy) (attempts int, initial, maxDelay time.Duration) {
	attempts, initial, maxDelay = p.MaxAttempts, p.InitialDelay, p.MaxDelay
	if attempts == 0 {
		attempts = 3
	}
	if initial == 0 {
		initial = 100 * time.Millisecond
	}
	if maxDelay == 0 {
		maxDelay = max(30*time.Second, initial)
	}
	return attempts, initial, maxDelay
}

func checkDelays(t *testing.T, p retry.Policy, attempt int) {
	t.Helper()
	attempts, initial, maxDelay := limits(p)
	if d := p.Delay(1); d != initial {
		t.Fatalf("%+v: Delay(1) = %v, want InitialDelay %v", p, d, initial)
	}
	n := max(attempt, 1)
	d, d1 := p.Delay(n), p.Delay(n+1)
	if d < initial || d > maxDelay || (n < math.MaxInt && d1 < d) {
		t.Fatalf("%+v: Delay(%d) = %v, Delay(%d) = %v; want within [%v, %v] and not decreasing", p, n, d, n+1, d1, initial, maxDelay)
	}
	delay, again := p.Next(attempt, errBoom)
	if want := attempts == retry.Forever || n < attempts; again != want {
		t.Fatalf("%+v: Next(%d, err) retries = %v, want %v", p, attempt, again, want)
	}
	if again {
		lo, hi := d, d
		switch p.Jitter {
		case retry.FullJitter:
			lo = 0
		case retry.EqualJitter:
			lo = d / 2
		case retry.Decorrelated:
			lo, hi = initial, maxDelay
		}
		if delay < lo || delay > hi {
			t.Fatalf("%+v: Next(%d) waits %v, want within [%v, %v] for %v", p, attempt, delay, lo, hi, p.Jitter)
		}
	}
	for _, err := range []error{nil, retry.Permanent(errBoom)} {
		if _, again := p.Next(attempt, err); again {
			t.Fatalf("%+v: Next(%d, %v) retries", p, attempt, err)
		}
	}
	b := p.Backoff()
	for k := 1; k <= 8; k++ {
		delay, again := b.Next(errBoom)
		if b.Attempts() != k || delay < 0 || delay > maxDelay || again != (attempts == retry.Forever || k < attempts) {
			t.Fatalf("%+v: Backoff.Next #%d = %v, %v (Attempts %d)", p, k, delay, again, b.Attempts())
		}
	}
}

// checkDo runs Do with a function that always fails, for policies that stop
// after a few attempts.
func checkDo(t *testing.T, p retry.Policy) {
	t.Helper()
	attempts, _, maxDelay := limits(p)
	if attempts == retry.Forever || attempts > 8 {
		return
	}
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		start := time.Now()
		err := retry.Do(context.Background(), p, func(context.Context) error { calls++; return errBoom })
		waited := time.Since(start)
		var re *retry.Error
		if !errors.As(err, &re) || calls != attempts || re.Attempts != calls || !errors.Is(err, errBoom) ||
			!strings.HasPrefix(err.Error(), "retry: gave up after ") {
			t.Fatalf("%+v: Do = %v after %d calls, want *Error giving up after %d", p, err, calls, attempts)
		}
		if limit := time.Duration(attempts-1) * maxDelay; maxDelay <= math.MaxInt64/8 && waited > limit {
			t.Fatalf("%+v: Do waited %v, more than %d delays of at most %v", p, waited, attempts-1, maxDelay)
		}
	})
}

// FuzzBreakerConfig checks that NewBreaker refuses a config with an error
// whose every problem is prefixed "retry: invalid breaker config: ", never
// panics or allocates without bound (Buckets is capped), and that a breaker
// it accepts starts Closed, lets a call through, and opens after
// FailureThreshold consecutive failures when that rule is on.
func FuzzBreakerConfig(f *testing.F) {
	f.Add(0, 0.0, 0, int64(0), 0, int64(0), 0, 0)
	f.Add(3, 0.5, 10, int64(time.Minute), 60, int64(time.Second), 2, 2)
	f.Add(-1, 1.0, 1, int64(10), 10, int64(1), 1, 1)
	f.Add(-1, 0.0, 0, int64(0), 0, int64(0), 0, 0)            // no rule left
	f.Add(1, 1.5, -1, int64(-1), -1, int64(-1), -1, -1)       // everything wrong
	f.Add(1, 0.0, 0, int64(time.Hour), 1<<40, int64(0), 0, 0) // too many buckets
	f.Add(1, math.NaN(), 0, int64(5), 6, int64(0), 0, 0)
	f.Fuzz(func(t *testing.T, threshold int, ratio float64, minReq int, window int64, buckets int, openTimeout int64, probes, successes int) {
		c := retry.BreakerConfig{FailureThreshold: threshold, FailureRatio: ratio, MinRequests: minReq,
			Window: time.Duration(window), Buckets: buckets, OpenTimeout: time.Duration(openTimeout),
			HalfOpenProbes: probes, SuccessThreshold: successes}
		synctest.Test(t, func(t *testing.T) {
			b, err := retry.NewBreaker(c)
			if err != nil {
				if b != nil {
					t.Fatalf("%+v: NewBreaker returned a breaker and %v", c, err)
				}
				checkPrefixed(t, "NewBreaker", err, retry.ErrInvalidConfig, "retry: invalid breaker config: ")
				return
			}
			if s := b.State(); s != retry.Closed {
				t.Fatalf("%+v: new breaker is %v", c, s)
			}
			n := threshold
			if n == 0 {
				n = 5
			}
			if n < 0 || n > 1000 {
				return
			}
			for i := range n {
				done, err := b.Allow()
				if err != nil {
					if !errors.Is(err, retry.ErrOpen) || b.State() != retry.Open {
						t.Fatalf("%+v: Allow after %d failures = %v in state %v", c, i, err, b.State())
					}
					return // the ratio rule tripped first
				}
				done(errBoom)
			}
			if s := b.State(); s != retry.Open {
				t.Fatalf("%+v: %v after %d consecutive failures, want open", c, s, n)
			}
		})
	})
}
