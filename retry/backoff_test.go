package retry_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

func TestBackoffDecorrelatedFollowsPreviousDelay(t *testing.T) {
	p := retry.Policy{MaxAttempts: retry.Forever, InitialDelay: 10 * time.Millisecond, MaxDelay: time.Second, Jitter: retry.Decorrelated}
	err := errors.New("boom")
	sawCap := false
	for run := range 50 {
		b := p.Backoff()
		prev := p.InitialDelay
		for n := 1; n <= 30; n++ {
			d, ok := b.Next(err)
			hi := min(p.MaxDelay, 3*prev)
			if !ok || d < p.InitialDelay || d > hi {
				t.Fatalf("run %d attempt %d: Next = %v, %v; want true and a delay in [%v, %v] (prev %v)", run, n, d, ok, p.InitialDelay, hi, prev)
			}
			sawCap = sawCap || d > p.MaxDelay/2
			prev = d
		}
	}
	if !sawCap {
		t.Errorf("no delay in 1500 ever grew past MaxDelay/2: the chain does not grow from the previous delay")
	}
}

func TestBackoffCountsAndStops(t *testing.T) {
	err := errors.New("boom")
	tests := []struct {
		name string
		p    retry.Policy
		want []time.Duration // delays until Next says no
	}{
		{"zero policy", retry.Policy{}, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"one attempt", retry.Policy{MaxAttempts: 1}, nil},
		{"four capped", retry.Policy{MaxAttempts: 4, InitialDelay: time.Second, MaxDelay: 3 * time.Second}, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}},
	}
	for _, tt := range tests {
		b := tt.p.Backoff()
		var got []time.Duration
		for {
			d, ok := b.Next(err)
			if !ok {
				break
			}
			got = append(got, d)
		}
		if !slices.Equal(got, tt.want) || b.Attempts() != len(tt.want)+1 {
			t.Errorf("%s: delays %v after %d attempts, want %v after %d", tt.name, got, b.Attempts(), tt.want, len(tt.want)+1)
		}
		b.Reset()
		if d, ok := b.Next(err); b.Attempts() != 1 || ok != (len(tt.want) > 0) || ok && d != tt.want[0] {
			t.Errorf("%s: after Reset, Next = %v, %v with %d attempts; want the first step again", tt.name, d, ok, b.Attempts())
		}
	}
}

func TestBackoffZeroValueUsesDefaults(t *testing.T) {
	var b retry.Backoff
	err := errors.New("boom")
	d1, ok1 := b.Next(err)
	d2, ok2 := b.Next(err)
	_, ok3 := b.Next(err)
	if d1 != 100*time.Millisecond || d2 != 200*time.Millisecond || !ok1 || !ok2 || ok3 {
		t.Errorf("zero Backoff gave %v %v, %v %v, %v; want 100ms true, 200ms true, then false", d1, ok1, d2, ok2, ok3)
	}
}

func TestBackoffStopsOnNilAndPermanent(t *testing.T) {
	for _, err := range []error{nil, retry.Permanent(errors.New("bad request"))} {
		b := retry.Policy{MaxAttempts: retry.Forever}.Backoff()
		if d, ok := b.Next(err); ok || d != 0 {
			t.Errorf("Next(%v) = %v, %v; want 0, false", err, d, ok)
		}
	}
}
