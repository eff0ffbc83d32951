package retry_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

func TestNewBreakerRejects(t *testing.T) {
	tests := []struct {
		name string
		c    retry.BreakerConfig
		want []string
	}{
		{"ratio above 1", retry.BreakerConfig{FailureRatio: 1.5}, []string{"FailureRatio 1.5"}},
		{"ratio negative", retry.BreakerConfig{FailureRatio: -0.1}, []string{"FailureRatio -0.1"}},
		{"ratio NaN", retry.BreakerConfig{FailureRatio: math.NaN()}, []string{"FailureRatio NaN"}},
		{"no rule", retry.BreakerConfig{FailureThreshold: -1}, []string{"could never trip"}},
		{"negative min requests", retry.BreakerConfig{MinRequests: -1}, []string{"MinRequests is negative"}},
		{"negative window", retry.BreakerConfig{Window: -time.Second}, []string{"Window is negative"}},
		{"negative buckets", retry.BreakerConfig{Buckets: -1}, []string{"Buckets is negative"}},
		{"negative timeout", retry.BreakerConfig{OpenTimeout: -1}, []string{"OpenTimeout is negative"}},
		{"negative probes", retry.BreakerConfig{HalfOpenProbes: -1}, []string{"HalfOpenProbes is negative"}},
		{"negative successes", retry.BreakerConfig{SuccessThreshold: -1}, []string{"SuccessThreshold is negative"}},
		{"buckets finer than 1ns", retry.BreakerConfig{Window: 5, Buckets: 6}, []string{"Buckets 6 exceeds Window 5ns"}},
		{"buckets above the limit", retry.BreakerConfig{Window: time.Hour, Buckets: 1 << 40}, []string{"Buckets 1099511627776 exceeds the limit of 10000"}},
		{"several", retry.BreakerConfig{OpenTimeout: -1, HalfOpenProbes: -1}, []string{"OpenTimeout", "HalfOpenProbes"}},
	}
	for _, tt := range tests {
		b, err := retry.NewBreaker(tt.c)
		if b != nil || !errors.Is(err, retry.ErrInvalidConfig) {
			t.Errorf("%s: NewBreaker = %v, %v; want nil and ErrInvalidConfig", tt.name, b, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) || !strings.HasPrefix(err.Error(), "retry: ") {
				t.Errorf("%s: error %q lacks %q or the \"retry: \" prefix", tt.name, err, w)
			}
		}
	}
	if _, err := retry.NewBreaker(retry.BreakerConfig{FailureThreshold: -1, FailureRatio: 1}); err != nil {
		t.Errorf("ratio-only config rejected: %v", err)
	}
}
