package retry_test

import (
	"errors"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

func TestJitterStaysInBounds(t *testing.T) {
	const samples = 500
	base := retry.Policy{MaxAttempts: retry.Forever, InitialDelay: 10 * time.Millisecond, MaxDelay: time.Second}
	err := errors.New("boom")
	tests := []struct {
		jitter retry.Jitter
		bounds func(p retry.Policy, attempt int) (lo, hi time.Duration)
		varies bool
	}{
		{retry.NoJitter, func(p retry.Policy, n int) (time.Duration, time.Duration) {
			return p.Delay(n), p.Delay(n)
		}, false},
		{retry.FullJitter, func(p retry.Policy, n int) (time.Duration, time.Duration) {
			return 0, p.Delay(n)
		}, true},
		{retry.EqualJitter, func(p retry.Policy, n int) (time.Duration, time.Duration) {
			return p.Delay(n) / 2, p.Delay(n)
		}, true},
		{retry.Decorrelated, func(p retry.Policy, n int) (time.Duration, time.Duration) {
			prev := p.InitialDelay
			if n > 1 {
				prev = p.Delay(n - 1)
			}
			return p.InitialDelay, min(p.MaxDelay, 3*prev)
		}, true},
	}
	for _, tt := range tests {
		p := base
		p.Jitter = tt.jitter
		for _, attempt := range []int{1, 2, 5, 10, 100} {
			lo, hi := tt.bounds(p, attempt)
			seen := map[time.Duration]bool{}
			for range samples {
				d, ok := p.Next(attempt, err)
				if !ok || d < lo || d > hi {
					t.Fatalf("%v: Next(%d) = %v, %v; want true and a delay in [%v, %v]", tt.jitter, attempt, d, ok, lo, hi)
				}
				seen[d] = true
			}
			if varies := len(seen) > 1; varies != tt.varies {
				t.Errorf("%v: attempt %d gave %d distinct delays in %d samples; want varying = %v", tt.jitter, attempt, len(seen), samples, tt.varies)
			}
		}
	}
}

func TestJitterString(t *testing.T) {
	tests := []struct {
		j    retry.Jitter
		want string
	}{
		{retry.NoJitter, "none"},
		{retry.FullJitter, "full"},
		{retry.EqualJitter, "equal"},
		{retry.Decorrelated, "decorrelated"},
		{42, "Jitter(42)"},
	}
	for _, tt := range tests {
		if got := tt.j.String(); got != tt.want {
			t.Errorf("Jitter(%d).String() = %q, want %q", uint8(tt.j), got, tt.want)
		}
	}
}
