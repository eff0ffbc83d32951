package retry

import (
	"testing"
	"time"
)

func TestWindowForgetsOldBuckets(t *testing.T) {
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		adds     []time.Duration // failures added at these offsets
		at       time.Duration
		wantFail int
	}{
		{"same bucket", []time.Duration{0, 999 * time.Millisecond}, time.Second - 1, 2},
		{"every bucket still in", []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}, 4*time.Second - 1, 4},
		{"oldest bucket out", []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}, 4 * time.Second, 3},
		{"slot reused", []time.Duration{0, 4 * time.Second}, 4 * time.Second, 1},
		{"all out", []time.Duration{0, time.Second}, time.Hour, 0},
		{"clock before start", []time.Duration{-time.Second}, 0, 1},
	}
	for _, tt := range tests {
		w := newWindow(4*time.Second, 4)
		w.reset(start)
		for _, d := range tt.adds {
			w.add(start.Add(d), true)
		}
		if ok, ko := w.sums(start.Add(tt.at)); ok != 0 || ko != tt.wantFail {
			t.Errorf("%s: sums at %v = %d, %d; want 0, %d", tt.name, tt.at, ok, ko, tt.wantFail)
		}
	}
}
