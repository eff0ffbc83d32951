package retry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

var errBoom = errors.New("boom")

// failing returns a function that fails its first n calls with errBoom (all
// calls if n < 0) and counts the calls.
func failing(n int, calls *int) func(context.Context) error {
	return func(context.Context) error {
		*calls++
		if n < 0 || *calls <= n {
			return fmt.Errorf("call %d: %w", *calls, errBoom)
		}
		return nil
	}
}

func TestDoHonoursMaxAttempts(t *testing.T) {
	tests := []struct {
		name     string
		p        retry.Policy
		failures int // -1: always
		wantRuns int
		wantWait time.Duration
		wantErr  bool
	}{
		{"zero policy makes 3", retry.Policy{}, -1, 3, 300 * time.Millisecond, true},
		{"one attempt", retry.Policy{MaxAttempts: 1}, -1, 1, 0, true},
		{"five attempts", retry.Policy{MaxAttempts: 5, InitialDelay: time.Second}, -1, 5, 15 * time.Second, true},
		{"succeeds on the third", retry.Policy{MaxAttempts: 5, InitialDelay: time.Second}, 2, 3, 3 * time.Second, false},
		{"succeeds at once", retry.Policy{}, 0, 1, 0, false},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			calls := 0
			start := time.Now()
			err := retry.Do(t.Context(), tt.p, failing(tt.failures, &calls))
			waited := time.Since(start)
			if calls != tt.wantRuns || waited != tt.wantWait || (err != nil) != tt.wantErr {
				t.Fatalf("%s: %d runs, waited %v, err %v; want %d runs, %v, error %v", tt.name, calls, waited, err, tt.wantRuns, tt.wantWait, tt.wantErr)
			}
			if err == nil {
				return
			}
			var re *retry.Error
			if !errors.As(err, &re) || re.Attempts != tt.wantRuns || !errors.Is(err, errBoom) || re.CtxErr != nil {
				t.Errorf("%s: err = %#v; want *retry.Error with Attempts %d wrapping errBoom", tt.name, err, tt.wantRuns)
			}
			want := fmt.Sprintf("retry: gave up after %d attempt", tt.wantRuns)
			if !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), fmt.Sprintf("call %d: boom", tt.wantRuns)) {
				t.Errorf("%s: message %q; want it to contain %q and end with the last error", tt.name, err, want)
			}
		})
	}
}

func TestDoForeverRunsUntilContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute-time.Second/2)
		defer cancel()
		calls := 0
		p := retry.Policy{MaxAttempts: retry.Forever, InitialDelay: time.Second, Multiplier: 1}
		start := time.Now()
		err := retry.Do(ctx, p, failing(-1, &calls))
		// Attempts at 0s, 1s, ..., 59s; the wait after the 60th is cut at 59.5s.
		if calls != 60 || time.Since(start) != time.Minute-time.Second/2 {
			t.Errorf("%d runs in %v; want 60 in 59.5s", calls, time.Since(start))
		}
		var re *retry.Error
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errBoom) || !errors.As(err, &re) || re.Attempts != 60 {
			t.Errorf("err = %v; want *retry.Error with 60 attempts matching DeadlineExceeded and errBoom", err)
		}
	})
}

func TestDoStopsAtOnce(t *testing.T) {
	errOther := errors.New("other")
	tests := []struct {
		name string
		p    retry.Policy
		err  error
	}{
		{"permanent", retry.Policy{MaxAttempts: retry.Forever}, retry.Permanent(errBoom)},
		{"permanent wrapped", retry.Policy{MaxAttempts: 5}, fmt.Errorf("ctx: %w", retry.Permanent(errBoom))},
		{"RetryIf false", retry.Policy{MaxAttempts: 5, RetryIf: func(err error) bool { return errors.Is(err, errOther) }}, errBoom},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			calls := 0
			start := time.Now()
			err := retry.Do(t.Context(), tt.p, func(context.Context) error { calls++; return tt.err })
			var re *retry.Error
			if calls != 1 || time.Since(start) != 0 || !errors.Is(err, errBoom) || !errors.As(err, &re) || re.Attempts != 1 {
				t.Errorf("%s: %d runs in %v, err %v; want 1 run, no wait, *retry.Error with 1 attempt wrapping errBoom", tt.name, calls, time.Since(start), err)
			}
		})
	}
}

func TestDoOnRetryGetsAttemptsErrorsAndDelays(t *testing.T) {
	type call struct {
		attempt int
		err     string
		delay   time.Duration
	}
	synctest.Test(t, func(t *testing.T) {
		var got []call
		var sleptBefore []time.Duration
		start := time.Now()
		p := retry.Policy{MaxAttempts: 4, InitialDelay: time.Second, MaxDelay: 3 * time.Second,
			OnRetry: func(attempt int, err error, delay time.Duration) {
				got = append(got, call{attempt, err.Error(), delay})
				sleptBefore = append(sleptBefore, time.Since(start))
			}}
		calls := 0
		_ = retry.Do(t.Context(), p, failing(-1, &calls))
		want := []call{{1, "call 1: boom", time.Second}, {2, "call 2: boom", 2 * time.Second}, {3, "call 3: boom", 3 * time.Second}}
		if !slices.Equal(got, want) {
			t.Errorf("OnRetry calls %v, want %v", got, want)
		}
		if wantAt := []time.Duration{0, time.Second, 3 * time.Second}; !slices.Equal(sleptBefore, wantAt) {
			t.Errorf("OnRetry called at %v, want before each wait, at %v", sleptBefore, wantAt)
		}
	})
}

func TestDoCancelDuringWaitReturnsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		calls := 0
		err := retry.Do(ctx, retry.Policy{InitialDelay: time.Hour}, failing(-1, &calls))
		if waited := time.Since(start); waited != time.Second || calls != 1 {
			t.Errorf("returned after %v and %d runs; want 1s (the cancel), not the 1h delay, and 1 run", waited, calls)
		}
		var re *retry.Error
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errBoom) || !errors.As(err, &re) || re.Attempts != 1 || re.CtxErr != context.Canceled {
			t.Errorf("err = %#v; want *retry.Error{Attempts: 1} matching context.Canceled and errBoom", err)
		}
		want := "retry: context canceled after 1 attempt: call 1: boom"
		if err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
	})
}

func TestDoContextEndedDuringAttemptStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		calls := 0
		err := retry.Do(ctx, retry.Policy{MaxAttempts: 5}, func(ctx context.Context) error {
			calls++
			cancel()
			return ctx.Err()
		})
		if calls != 1 || !errors.Is(err, context.Canceled) {
			t.Errorf("%d runs, err %v; want 1 run and context.Canceled", calls, err)
		}
	})
}

func TestDoRetriesContextErrorsWhileCallerIsLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		err := retry.Do(t.Context(), retry.Policy{}, func(ctx context.Context) error {
			calls++
			actx, cancel := context.WithTimeout(ctx, time.Millisecond) // a per-attempt timeout
			defer cancel()
			<-actx.Done()
			return actx.Err()
		})
		if calls != 3 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%d runs, err %v; want 3 runs ending in DeadlineExceeded", calls, err)
		}
	})
}

func TestDoDoesNotRunWhen(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		p       retry.Policy
		wantErr error
		wantMsg string
	}{
		{"context already ended", done, retry.Policy{}, context.Canceled, "retry: context canceled before the first attempt"},
		{"policy invalid", context.Background(), retry.Policy{MaxAttempts: -7}, retry.ErrInvalidPolicy, "retry: invalid policy: MaxAttempts -7"},
	}
	for _, tt := range tests {
		calls := 0
		err := retry.Do(tt.ctx, tt.p, failing(-1, &calls))
		if calls != 0 || !errors.Is(err, tt.wantErr) || !strings.HasPrefix(err.Error(), tt.wantMsg) {
			t.Errorf("%s: %d runs, err %v; want 0 runs and %q", tt.name, calls, err, tt.wantMsg)
		}
	}
}

func TestDoValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		v, err := retry.DoValue(t.Context(), retry.Policy{}, func(context.Context) (string, error) {
			calls++
			if calls < 3 {
				return "partial", errBoom
			}
			return "ok", nil
		})
		if v != "ok" || err != nil || calls != 3 {
			t.Errorf("DoValue = %q, %v after %d runs; want \"ok\", nil after 3", v, err, calls)
		}
		v, err = retry.DoValue(t.Context(), retry.Policy{MaxAttempts: 2}, func(context.Context) (string, error) {
			return "partial", errBoom
		})
		if v != "" || !errors.Is(err, errBoom) {
			t.Errorf("failing DoValue = %q, %v; want the zero value and errBoom", v, err)
		}
	})
}

func TestDoSuccessDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	p := retry.Policy{MaxAttempts: 5}
	fn := func(context.Context) error { return nil }
	if n := testing.AllocsPerRun(100, func() { _ = retry.Do(ctx, p, fn) }); n != 0 {
		t.Errorf("Do with a first-try success allocates %v times, want 0", n)
	}
}

func BenchmarkDoSuccess(b *testing.B) {
	ctx := context.Background()
	p := retry.Policy{MaxAttempts: 5, Jitter: retry.FullJitter}
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := retry.Do(ctx, p, fn); err != nil {
			b.Fatal(err)
		}
	}
}
