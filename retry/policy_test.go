package retry_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

func TestPolicyDelaySchedule(t *testing.T) {
	const maxDur = time.Duration(math.MaxInt64)
	tests := []struct {
		name    string
		p       retry.Policy
		attempt int
		want    time.Duration
	}{
		{"zero policy first", retry.Policy{}, 1, 100 * time.Millisecond},
		{"zero policy second", retry.Policy{}, 2, 200 * time.Millisecond},
		{"zero policy ninth", retry.Policy{}, 9, 25600 * time.Millisecond},
		{"zero policy capped at 30s", retry.Policy{}, 20, 30 * time.Second},
		{"attempt 0 waits nothing", retry.Policy{}, 0, 0},
		{"negative attempt waits nothing", retry.Policy{}, -3, 0},
		{"multiplier 3", retry.Policy{InitialDelay: time.Second, Multiplier: 3, MaxDelay: time.Hour}, 4, 27 * time.Second},
		{"multiplier 1.5", retry.Policy{InitialDelay: time.Second, Multiplier: 1.5, MaxDelay: time.Hour}, 3, 2250 * time.Millisecond},
		{"constant", retry.Policy{InitialDelay: time.Second, Multiplier: 1}, 1000, time.Second},
		{"cap reached exactly", retry.Policy{InitialDelay: time.Second, MaxDelay: 8 * time.Second}, 4, 8 * time.Second},
		{"cap below next step", retry.Policy{InitialDelay: time.Second, MaxDelay: 5 * time.Second}, 4, 5 * time.Second},
		{"initial above default cap", retry.Policy{InitialDelay: time.Minute}, 3, time.Minute},
		{"overflow attempt 64", retry.Policy{InitialDelay: time.Second, MaxDelay: maxDur}, 64, maxDur},
		{"overflow attempt 1e6", retry.Policy{InitialDelay: time.Second, MaxDelay: time.Hour}, 1_000_000, time.Hour},
		{"overflow max int", retry.Policy{InitialDelay: time.Second, Multiplier: 10, MaxDelay: maxDur}, math.MaxInt, maxDur},
		{"huge initial", retry.Policy{InitialDelay: maxDur}, 2, maxDur},
		{"jitter ignored", retry.Policy{Jitter: retry.FullJitter}, 2, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := tt.p.Delay(tt.attempt); got != tt.want {
			t.Errorf("%s: %+v.Delay(%d) = %v, want %v", tt.name, tt.p, tt.attempt, got, tt.want)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name string
		p    retry.Policy
		want []string // substrings of the error; nil means valid
	}{
		{"zero", retry.Policy{}, nil},
		{"forever", retry.Policy{MaxAttempts: retry.Forever}, nil},
		{"one attempt", retry.Policy{MaxAttempts: 1}, nil},
		{"all set", retry.Policy{MaxAttempts: 7, InitialDelay: time.Second, Multiplier: 1, MaxDelay: time.Second, Jitter: retry.Decorrelated}, nil},
		{"max delay only", retry.Policy{MaxDelay: time.Second}, nil},
		{"attempts below forever", retry.Policy{MaxAttempts: -2}, []string{"MaxAttempts -2"}},
		{"negative initial", retry.Policy{InitialDelay: -1}, []string{"InitialDelay -1ns is negative"}},
		{"negative max", retry.Policy{MaxDelay: -time.Second}, []string{"MaxDelay -1s is negative"}},
		{"multiplier below 1", retry.Policy{Multiplier: 0.5}, []string{"Multiplier 0.5"}},
		{"negative multiplier", retry.Policy{Multiplier: -2}, []string{"Multiplier -2"}},
		{"NaN multiplier", retry.Policy{Multiplier: math.NaN()}, []string{"Multiplier NaN"}},
		{"infinite multiplier", retry.Policy{Multiplier: math.Inf(1)}, []string{"Multiplier +Inf"}},
		{"unknown jitter", retry.Policy{Jitter: 9}, []string{"unknown Jitter(9)"}},
		{"max below initial", retry.Policy{InitialDelay: time.Second, MaxDelay: time.Millisecond}, []string{"MaxDelay 1ms is below InitialDelay 1s"}},
		{"max below default initial", retry.Policy{MaxDelay: time.Millisecond}, []string{"MaxDelay 1ms is below InitialDelay 100ms"}},
		{"several", retry.Policy{MaxAttempts: -5, Multiplier: 0.1}, []string{"MaxAttempts -5", "Multiplier 0.1"}},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, retry.ErrInvalidPolicy) {
			t.Errorf("%s: Validate() = %v, want an error wrapping ErrInvalidPolicy", tt.name, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) || !strings.HasPrefix(err.Error(), "retry: ") {
				t.Errorf("%s: Validate() = %q, want it to start with \"retry: \" and contain %q", tt.name, err, w)
			}
		}
	}
}

func TestPolicyValidateValidDoesNotAllocate(t *testing.T) {
	p := retry.Policy{MaxAttempts: 5, InitialDelay: time.Second, Jitter: retry.FullJitter}
	if n := testing.AllocsPerRun(100, func() { _ = p.Validate() }); n != 0 {
		t.Errorf("Validate on a valid policy allocates %v times, want 0", n)
	}
}

func TestPolicyNext(t *testing.T) {
	errBoom := errors.New("boom")
	errSkip := errors.New("skip")
	onlyBoom := func(err error) bool { return errors.Is(err, errBoom) }
	tests := []struct {
		name      string
		p         retry.Policy
		attempt   int
		err       error
		wantDelay time.Duration
		wantRetry bool
	}{
		{"nil error", retry.Policy{}, 1, nil, 0, false},
		{"first of default 3", retry.Policy{}, 1, errBoom, 100 * time.Millisecond, true},
		{"second of default 3", retry.Policy{}, 2, errBoom, 200 * time.Millisecond, true},
		{"third of default 3 is the last", retry.Policy{}, 3, errBoom, 0, false},
		{"attempt 0 counts as 1", retry.Policy{}, 0, errBoom, 100 * time.Millisecond, true},
		{"max 1 never retries", retry.Policy{MaxAttempts: 1}, 1, errBoom, 0, false},
		{"beyond max", retry.Policy{MaxAttempts: 5}, 9, errBoom, 0, false},
		{"forever", retry.Policy{MaxAttempts: retry.Forever, MaxDelay: time.Minute}, 1_000_000, errBoom, time.Minute, true},
		{"permanent", retry.Policy{MaxAttempts: retry.Forever}, 1, retry.Permanent(errBoom), 0, false},
		{"permanent beats RetryIf", retry.Policy{RetryIf: onlyBoom}, 1, retry.Permanent(errBoom), 0, false},
		{"RetryIf true", retry.Policy{RetryIf: onlyBoom}, 1, errBoom, 100 * time.Millisecond, true},
		{"RetryIf false", retry.Policy{RetryIf: onlyBoom}, 1, errSkip, 0, false},
	}
	for _, tt := range tests {
		d, ok := tt.p.Next(tt.attempt, tt.err)
		if d != tt.wantDelay || ok != tt.wantRetry {
			t.Errorf("%s: Next(%d, %v) = %v, %v; want %v, %v", tt.name, tt.attempt, tt.err, d, ok, tt.wantDelay, tt.wantRetry)
		}
	}
}

func TestPolicyNextAsksRetryIfOnlyWhenNeeded(t *testing.T) {
	calls := 0
	p := retry.Policy{MaxAttempts: 2, RetryIf: func(error) bool { calls++; return true }}
	p.Next(1, nil)
	p.Next(1, retry.Permanent(errors.New("x")))
	p.Next(2, errors.New("x"))
	if calls != 0 {
		t.Errorf("RetryIf called %d times for nil, Permanent and last-attempt errors, want 0", calls)
	}
	p.Next(1, errors.New("x"))
	if calls != 1 {
		t.Errorf("RetryIf called %d times for a retryable error, want 1", calls)
	}
}

func TestPolicyNextDoesNotAllocate(t *testing.T) {
	p := retry.Policy{MaxAttempts: retry.Forever, Jitter: retry.Decorrelated}
	err := errors.New("boom")
	if n := testing.AllocsPerRun(100, func() { p.Next(7, err) }); n != 0 {
		t.Errorf("Next allocates %v times, want 0", n)
	}
}
