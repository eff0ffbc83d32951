package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/threadsystem/threadsystem/retry"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		err  *retry.Error
		want string
	}{
		{&retry.Error{Attempts: 1, Err: errBoom}, "retry: gave up after 1 attempt: boom"},
		{&retry.Error{Attempts: 3, Err: errBoom}, "retry: gave up after 3 attempts: boom"},
		{&retry.Error{Attempts: 2, Err: errBoom, CtxErr: context.DeadlineExceeded}, "retry: context deadline exceeded after 2 attempts: boom"},
		{&retry.Error{CtxErr: context.Canceled}, "retry: context canceled before the first attempt"},
		{&retry.Error{Attempts: 1, Err: retry.Permanent(errBoom)}, "retry: permanent error on attempt 1: boom"},
		{&retry.Error{Attempts: 3, Err: fmt.Errorf("wrapped: %w", retry.Permanent(errBoom))}, "retry: permanent error on attempt 3: wrapped: boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestNilArgumentsAreRefused is issue 16 item 7: a nil function, context or
// *Breaker is an error naming it, never a panic, and nothing runs.
func TestNilArgumentsAreRefused(t *testing.T) {
	var nilCtx context.Context
	ran := false
	fn := func(context.Context) error { ran = true; return nil }
	var nilBreaker *retry.Breaker
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"Do nil fn", func() error { return retry.Do(context.Background(), retry.Policy{}, nil) },
			"retry: invalid argument: Do: nil function"},
		{"Do nil ctx", func() error { return retry.Do(nilCtx, retry.Policy{}, fn) },
			"retry: invalid argument: Do: nil context"},
		{"DoValue nil fn", func() error {
			_, err := retry.DoValue[int](context.Background(), retry.Policy{}, nil)
			return err
		}, "retry: invalid argument: DoValue: nil function"},
		{"DoValue nil ctx", func() error {
			_, err := retry.DoValue(nilCtx, retry.Policy{}, func(context.Context) (int, error) { ran = true; return 1, nil })
			return err
		}, "retry: invalid argument: Do: nil context"},
		{"Breaker.Do nil fn", func() error { return new(retry.Breaker).Do(context.Background(), nil) },
			"retry: invalid argument: Breaker.Do: nil function"},
		{"Breaker.Do nil ctx", func() error { return new(retry.Breaker).Do(nilCtx, fn) },
			"retry: invalid argument: Breaker.Do: nil context"},
		{"Breaker.Do nil breaker", func() error { return nilBreaker.Do(context.Background(), fn) },
			"retry: invalid argument: Breaker.Do: nil *Breaker"},
		{"Breaker.Allow nil breaker", func() error {
			done, err := nilBreaker.Allow()
			if done != nil {
				t.Error("nil *Breaker: Allow returned a done func")
			}
			return err
		}, "retry: invalid argument: Breaker.Allow: nil *Breaker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = false
			err := tt.call()
			if !errors.Is(err, retry.ErrInvalidArgument) || err.Error() != tt.want {
				t.Errorf("error = %v, want %q wrapping ErrInvalidArgument", err, tt.want)
			}
			if ran {
				t.Error("the function ran")
			}
		})
	}
}

func TestBreakerDoWithNilFuncCountsNothing(t *testing.T) {
	var b retry.Breaker
	b.Do(context.Background(), nil)
	if c := b.Counts(); c.Requests != 0 {
		t.Errorf("Counts() = %+v after a refused nil func, want no requests", c)
	}
}

// TestDoSaysWhyItStopped is issue 17 item 10: an error that was not retried
// because it is Permanent, or because RetryIf refused it, must not read as
// if the attempts ran out; errors.Is and errors.As still see through it.
func TestDoSaysWhyItStopped(t *testing.T) {
	errBad := errors.New("bad request")
	notBad := func(err error) bool { return !errors.Is(err, errBad) }
	tests := []struct {
		name    string
		p       retry.Policy
		errs    []error // returned by attempts 1, 2, ...; the last repeats
		want    string
		perm    bool
		retries int
	}{
		{"permanent at once", retry.Policy{MaxAttempts: retry.Forever},
			[]error{retry.Permanent(errBad)}, "retry: permanent error on attempt 1: bad request", true, 1},
		{"permanent on the last allowed attempt", retry.Policy{MaxAttempts: 2},
			[]error{errBoom, retry.Permanent(errBad)}, "retry: permanent error on attempt 2: bad request", true, 2},
		{"RetryIf refuses", retry.Policy{MaxAttempts: 5, RetryIf: notBad},
			[]error{errBoom, errBad}, "retry: error not retryable on attempt 2: bad request", false, 2},
		{"RetryIf is not asked after the last attempt", retry.Policy{MaxAttempts: 2, RetryIf: notBad},
			[]error{errBoom, errBad}, "retry: gave up after 2 attempts: bad request", false, 2},
		{"attempts run out", retry.Policy{MaxAttempts: 2, RetryIf: notBad},
			[]error{errBoom}, "retry: gave up after 2 attempts: boom", false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				calls := 0
				err := retry.Do(t.Context(), tt.p, func(context.Context) error {
					calls++
					return tt.errs[min(calls, len(tt.errs))-1]
				})
				var re *retry.Error
				if !errors.As(err, &re) || err.Error() != tt.want || calls != tt.retries || re.Attempts != calls {
					t.Fatalf("Do = %q after %d calls, want *retry.Error %q after %d", err, calls, tt.want, tt.retries)
				}
				if !errors.Is(err, re.Err) || retry.IsPermanent(err) != tt.perm {
					t.Errorf("errors.Is(err, last) = %v, IsPermanent = %v; want true, %v",
						errors.Is(err, re.Err), retry.IsPermanent(err), tt.perm)
				}
			})
		})
	}
}
