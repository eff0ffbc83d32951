package pool_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestRateLimitedCloseReturnsOnceNothingIsLeft: a job waits for its token,
// queued; it is then cancelled, or an expired Shutdown cancels it. With
// nothing left, Wait and Close return at once instead of when the token
// comes, 5 s later.
func TestRateLimitedCloseReturnsOnceNothingIsLeft(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(p *pool.Pool, waiting *pool.Job)
	}{
		{"cancel", func(_ *pool.Pool, j *pool.Job) { j.Cancel() }},
		{"expired shutdown", func(p *pool.Pool, _ *pool.Job) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			p.Shutdown(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, err := pool.New(1, pool.WithRateLimit(0.2, 1))
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				first, _ := p.Submit(context.Background(), nop)
				first.Wait(context.Background())
				waiting, _ := p.Submit(context.Background(), nop)
				synctest.Wait() // the worker waits for the next token
				tc.end(p, waiting)
				if err := p.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
				p.Close()
				if d := time.Since(start); d != 0 {
					t.Fatalf("Wait and Close returned after %v, want at once", d)
				}
				if waiting.State() != pool.Cancelled {
					t.Fatalf("waiting job ended %v, want Cancelled", waiting.State())
				}
				reconcile(t, p)
			})
		})
	}
}

// TestRateLimitedTokenComesBackAfterCancel: the token a cancelled job was
// waiting for is not lost: the next job starts when it would have.
func TestRateLimitedTokenComesBackAfterCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1, pool.WithRateLimit(1, 1))
		defer p.Close()
		start := time.Now()
		first, _ := p.Submit(context.Background(), nop)
		first.Wait(context.Background())
		waiting, _ := p.Submit(context.Background(), nop)
		synctest.Wait()
		time.Sleep(500 * time.Millisecond) // fake time: half the interval
		waiting.Cancel()
		next, _ := p.Submit(context.Background(), nop)
		next.Wait(context.Background())
		_, started, _ := next.Timing()
		if d := started.Sub(start); d != time.Second {
			t.Fatalf("next job started after %v, want 1s", d)
		}
	})
}

// TestRateLimitOption: rates whose interval does not fit a time.Duration
// are refused; the slowest accepted one, +Inf and huge ones limit as they
// say; a worker never runs a batch of jobs past the limit.
func TestRateLimitOption(t *testing.T) {
	for _, tc := range []struct {
		rate    float64
		burst   int
		wantErr bool
		// Jobs started at once, and after a second, of 40 tiny ones.
		now, after1s int
	}{
		{rate: 1e-12, burst: 1, wantErr: true},
		{rate: 1e-10, burst: 1, wantErr: true},
		{rate: math.NaN(), burst: 1, wantErr: true},
		{rate: math.Inf(-1), burst: 1, wantErr: true},
		{rate: -1, burst: 1, wantErr: true},
		{rate: 1, burst: 0, wantErr: true},
		{rate: 1.1e-10, burst: 1, now: 1, after1s: 1},
		{rate: 1e-6, burst: 3, now: 3, after1s: 3},
		{rate: 1, burst: 1, now: 1, after1s: 2},
		{rate: 10, burst: 5, now: 5, after1s: 15},
		{rate: math.Inf(1), burst: 1, now: 40, after1s: 40},
		{rate: 1e300, burst: 1, now: 40, after1s: 40},
	} {
		synctest.Test(t, func(t *testing.T) {
			p, err := pool.New(1, pool.WithRateLimit(tc.rate, tc.burst))
			if tc.wantErr {
				if !errors.Is(err, pool.ErrInvalidOption) || !strings.HasPrefix(err.Error(), "pool: ") {
					t.Fatalf("WithRateLimit(%v, %d): err = %v, want ErrInvalidOption", tc.rate, tc.burst, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("WithRateLimit(%v, %d): %v", tc.rate, tc.burst, err)
			}
			for range 40 {
				p.Submit(context.Background(), nop)
			}
			synctest.Wait()
			if got := int(p.Stats().Succeeded); got != tc.now {
				t.Errorf("WithRateLimit(%v, %d): %d jobs ran at once, want %d", tc.rate, tc.burst, got, tc.now)
			}
			time.Sleep(time.Second)
			synctest.Wait()
			if got := int(p.Stats().Succeeded); got != tc.after1s {
				t.Errorf("WithRateLimit(%v, %d): %d jobs ran within 1s, want %d", tc.rate, tc.burst, got, tc.after1s)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			p.Shutdown(ctx)
			p.Close()
			reconcile(t, p)
		})
	}
}
