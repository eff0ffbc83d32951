package retry_test

import (
	"testing"

	"github.com/threadsystem/threadsystem/retry"
)

func TestBreakerStateString(t *testing.T) {
	tests := []struct {
		s    retry.BreakerState
		want string
	}{
		{retry.Closed, "closed"},
		{retry.Open, "open"},
		{retry.HalfOpen, "half-open"},
		{9, "BreakerState(9)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("BreakerState(%d).String() = %q, want %q", uint8(tt.s), got, tt.want)
		}
	}
}

// TestBreakerHammeredStaysConsistent races many callers, with random
// results, through every state, and checks that each state change is legal,
// and follows the one before. (The probe limit has its own test above: from
// outside, a call cannot tell for sure which state let it through.)
