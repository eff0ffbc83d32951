package retry

import (
	"context"
	"time"
)

// Do calls fn until it returns nil or p says to stop, waiting between
// attempts as p says, and returns nil on success. Otherwise it returns an
// [*Error] carrying the attempt count and wrapping the last attempt's error,
// so errors.Is and errors.As see it. It stops:
//   - when an attempt's error is [Permanent] or RetryIf rejects it
//     (after that one attempt);
//   - after MaxAttempts attempts, unless MaxAttempts is [Forever];
//   - when ctx ends, whether during an attempt (fn should watch its ctx) or
//     during a wait, which it cuts short at once. The *Error then also
//     wraps ctx.Err(), so errors.Is matches both it and the last attempt's
//     error. If ctx has ended before the first attempt, fn never runs.
//
// An invalid p returns the [ErrInvalidPolicy] error from [Policy.Validate]
// without calling fn, and a nil ctx or fn an error wrapping
// [ErrInvalidArgument] that names it. fn runs on the calling goroutine, one attempt at a
// time, and receives ctx unchanged; a panic in fn is not recovered. Do blocks
// until it returns and starts no goroutine. A first attempt that succeeds
// allocates nothing; each wait allocates one timer.
func Do(ctx context.Context, p Policy, fn func(context.Context) error) error {
	if fn == nil {
		return invalidArg("Do", "nil function")
	}
	_, err := do(ctx, &p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// DoValue is [Do] for a function that returns a value: it returns the value
// of the attempt that succeeded, or the zero T and the error Do would return.
func DoValue[T any](ctx context.Context, p Policy, fn func(context.Context) (T, error)) (T, error) {
	if fn == nil {
		var zero T
		return zero, invalidArg("DoValue", "nil function")
	}
	return do(ctx, &p, fn)
}

func do[T any](ctx context.Context, p *Policy, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := p.Validate(); err != nil {
		return zero, err
	}
	if ctx == nil {
		return zero, invalidArg("Do", "nil context")
	}
	if err := ctx.Err(); err != nil {
		return zero, &Error{CtxErr: err}
	}
	v, err := fn(ctx)
	if err == nil {
		return v, nil
	}
	return retryAfter(ctx, p, fn, err)
}

// retryAfter runs the retries after a first attempt that failed with err. It
// is apart from do to keep the first attempt's path short.
func retryAfter[T any](ctx context.Context, p *Policy, fn func(context.Context) (T, error), err error) (T, error) {
	var zero T
	b := p.Backoff()
	for {
		delay, ok := b.Next(err)
		if ctx.Err() != nil {
			return zero, &Error{Attempts: b.Attempts(), Err: err, CtxErr: ctx.Err()}
		}
		if !ok {
			return zero, &Error{Attempts: b.Attempts(), Err: err, refused: b.refused(err)}
		}
		if p.OnRetry != nil {
			p.OnRetry(b.Attempts(), err, delay)
		}
		if cerr := wait(ctx, delay); cerr != nil {
			return zero, &Error{Attempts: b.Attempts(), Err: err, CtxErr: cerr}
		}
		v, verr := fn(ctx)
		if verr == nil {
			return v, nil
		}
		err = verr
	}
}

// wait blocks for d or until ctx ends, whichever comes first, and returns
// ctx.Err() if ctx has ended.
func wait(ctx context.Context, d time.Duration) error {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	return ctx.Err()
}
