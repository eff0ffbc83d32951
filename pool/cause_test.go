package pool_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// TestContextCauseIsTheReason: context.Cause of a job's context, and of a
// context derived from it inside the job, is why the job's context ended:
// ErrShutdown, the timeout, the submitter's cause, the base context's
// cause, or context.Canceled for Cancel.
func TestContextCauseIsTheReason(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		// run submits a job running fn on p and ends its context; base is
		// the pool's base context's cancel.
		run       func(p *pool.Pool, fn func(context.Context) error, base context.CancelCauseFunc) *pool.Job
		wantCause error
		wantMsg   string
	}{
		{"shutdown", func(p *pool.Pool, fn func(context.Context) error, _ context.CancelCauseFunc) *pool.Job {
			j, _ := p.Submit(context.Background(), fn)
			synctest.Wait()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			p.Shutdown(ctx)
			return j
		}, pool.ErrShutdown, ""},
		{"timeout", func(p *pool.Pool, fn func(context.Context) error, _ context.CancelCauseFunc) *pool.Job {
			j, _ := p.Submit(context.Background(), fn, pool.WithTimeout(time.Second))
			return j
		}, context.DeadlineExceeded, "pool: job timed out"},
		{"timeout of a retry", func(p *pool.Pool, fn func(context.Context) error, _ context.CancelCauseFunc) *pool.Job {
			first := true
			j, _ := p.Submit(context.Background(), func(ctx context.Context) error {
				if first {
					first = false
					return errors.New("first attempt fails")
				}
				return fn(ctx)
			}, pool.WithTimeout(time.Second), pool.WithRetry(retry.Policy{MaxAttempts: 2, InitialDelay: time.Millisecond}))
			return j
		}, context.DeadlineExceeded, "pool: job timed out"},
		{"submitter's cause", func(p *pool.Pool, fn func(context.Context) error, _ context.CancelCauseFunc) *pool.Job {
			ctx, cancel := context.WithCancelCause(context.Background())
			j, _ := p.Submit(ctx, fn)
			synctest.Wait()
			cancel(boom)
			return j
		}, boom, ""},
		{"base context's cause", func(p *pool.Pool, fn func(context.Context) error, base context.CancelCauseFunc) *pool.Job {
			j, _ := p.Submit(context.Background(), fn)
			synctest.Wait()
			base(boom)
			return j
		}, boom, ""},
		{"cancel", func(p *pool.Pool, fn func(context.Context) error, _ context.CancelCauseFunc) *pool.Job {
			j, _ := p.Submit(context.Background(), fn)
			synctest.Wait()
			j.Cancel()
			return j
		}, context.Canceled, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				base, cancelBase := context.WithCancelCause(context.Background())
				defer cancelBase(nil)
				p, _ := pool.New(1, pool.WithContext(base))
				defer p.Close()
				var cause, derivedCause, lateCause error
				j := tc.run(p, func(ctx context.Context) error {
					derived, cancel := context.WithCancel(ctx)
					defer cancel()
					<-ctx.Done()
					<-derived.Done()
					cause, derivedCause = context.Cause(ctx), context.Cause(derived)
					late, cancelLate := context.WithCancel(ctx) // derived after the end
					defer cancelLate()
					lateCause = context.Cause(late)
					return context.Cause(ctx)
				}, cancelBase)
				j.Wait(context.Background())
				for _, c := range []struct {
					what string
					got  error
				}{{"job's context", cause}, {"derived before", derivedCause}, {"derived after", lateCause}, {"Job.Err", j.Err()}} {
					if !errors.Is(c.got, tc.wantCause) {
						t.Errorf("context.Cause of the %s = %v, want %v", c.what, c.got, tc.wantCause)
					}
				}
				if tc.wantMsg != "" && (cause == nil || cause.Error() != tc.wantMsg) {
					t.Errorf("context.Cause = %v, want %q", cause, tc.wantMsg)
				}
				if tc.wantCause == pool.ErrShutdown && !errors.Is(cause, context.Canceled) {
					t.Errorf("Shutdown's cause %v does not match context.Canceled", cause)
				}
			})
		})
	}
}
