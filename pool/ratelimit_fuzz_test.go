package pool

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzRateLimit: WithRateLimit either refuses its arguments with an error
// wrapping ErrInvalidOption, or builds a limiter whose interval is a
// positive Duration close to 1/perSecond and whose waits never go negative
// (a too-small rate once overflowed the interval, so it did not limit).
func FuzzRateLimit(f *testing.F) {
	for _, s := range []struct {
		rate  float64
		burst int
	}{{1, 1}, {0.2, 1}, {1e-12, 1}, {1.1e-10, 2}, {math.Inf(1), 1}, {1e300, 3}, {0, 1}, {1, 0}, {math.NaN(), 1}, {1e9, math.MaxInt}} {
		f.Add(s.rate, s.burst)
	}
	f.Fuzz(func(t *testing.T, rate float64, burst int) {
		var c config
		err := WithRateLimit(rate, burst).applyPool(&c)
		if err != nil {
			if !errors.Is(err, ErrInvalidOption) || !strings.HasPrefix(err.Error(), "pool: ") {
				t.Fatalf("WithRateLimit(%v, %d): %v, want an ErrInvalidOption", rate, burst, err)
			}
			if rate > 0 && burst >= 1 && float64(time.Second)/rate < float64(math.MaxInt64) {
				t.Fatalf("WithRateLimit(%v, %d) refused a rate that fits: %v", rate, burst, err)
			}
			return
		}
		if !(rate > 0) || burst < 1 {
			t.Fatalf("WithRateLimit(%v, %d) accepted", rate, burst)
		}
		l := c.rate
		if l == nil {
			if float64(time.Second)/rate >= 1 {
				t.Fatalf("WithRateLimit(%v, %d): no limiter", rate, burst)
			}
			return
		}
		if want := float64(time.Second) / rate; l.every < 1 || math.Abs(float64(l.every)-want) > want*1e-9+1 {
			t.Fatalf("WithRateLimit(%v, %d): interval %d ns, want %.0f", rate, burst, int64(l.every), want)
		}
		now := time.Unix(1, 0)
		l.tokens = 0 // the burst spent
		d := l.reserveLocked(now)
		if d <= 0 || d > l.every {
			t.Fatalf("WithRateLimit(%v, %d): wait %v for the next token, interval %v", rate, burst, d, l.every)
		}
		for range 3 { // deeper in debt: waits grow, never overflow
			next := l.reserveLocked(now)
			if next < d {
				t.Fatalf("WithRateLimit(%v, %d): wait fell from %v to %v", rate, burst, d, next)
			}
			d = next
		}
	})
}
