package pool_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/threadsystem/threadsystem/pool"
)

// TestFutureCancel: Cancel stops a queued future before it runs and a
// running one through its context; repeated and concurrent calls, and a
// call on a done future, change nothing.
func TestFutureCancel(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		running bool // cancel after the function started
	}{{"queued", false}, {"running", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, 1)
			release := occupy(t, p)
			started := make(chan struct{})
			ran := false
			f, err := pool.Call(ctx, p, func(ctx context.Context) (int, error) {
				ran = true
				close(started)
				<-ctx.Done()
				return 0, ctx.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.running {
				release()
				<-started
			}
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(f.Cancel)
			}
			wg.Wait()
			_, err = f.Await(ctx)
			release()
			if !errors.Is(err, context.Canceled) || f.Job().State() != pool.Cancelled {
				t.Fatalf("Await after Cancel = %v, state %v; want context.Canceled, cancelled", err, f.Job().State())
			}
			if ran != tt.running {
				t.Errorf("function ran = %v, want %v", ran, tt.running)
			}
			f.Cancel() // on a done future: nothing changes
			if _, err2 := f.Await(ctx); err2 != err || f.Job().State() != pool.Cancelled {
				t.Errorf("after a second Cancel: %v, %v; want %v, cancelled", err2, f.Job().State(), err)
			}
		})
	}
}

// TestFutureCancelAfterSuccessKeepsValue: cancelling a future that has
// succeeded leaves its value and state alone.
func TestFutureCancelAfterSuccessKeepsValue(t *testing.T) {
	p := newPool(t, 1)
	f, _ := pool.Call(context.Background(), p, func(context.Context) (int, error) { return 7, nil })
	<-f.Done()
	f.Cancel()
	if v, err := f.Await(context.Background()); v != 7 || err != nil || f.Job().State() != pool.Succeeded {
		t.Fatalf("Await = %d, %v (state %v); want 7, nil, succeeded", v, err, f.Job().State())
	}
}

// TestAllReturnsFutureErrorWithIndex: All over a failed or cancelled future
// returns a *FutureError naming its index and state and unwrapping to the
// job's error.
func TestAllReturnsFutureErrorWithIndex(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	tests := []struct {
		name      string
		bad       func(p *pool.Pool) *pool.Future[int] // the future at index 1
		wantState pool.State
		wantIs    error
	}{
		{"failed", func(p *pool.Pool) *pool.Future[int] {
			f, _ := pool.Call(ctx, p, func(context.Context) (int, error) { return 0, boom })
			return f
		}, pool.Failed, boom},
		{"cancelled", func(p *pool.Pool) *pool.Future[int] {
			release := occupy(t, p)
			defer release()
			f, _ := pool.Call(ctx, p, func(context.Context) (int, error) { return 1, nil })
			f.Cancel()
			return f
		}, pool.Cancelled, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, 2)
			good, _ := pool.Call(ctx, p, func(context.Context) (int, error) { return 1, nil })
			bad := tt.bad(p)
			_, err := pool.All(ctx, good, bad)
			var fe *pool.FutureError
			if !errors.As(err, &fe) {
				t.Fatalf("All = %v (%T), want a *pool.FutureError", err, err)
			}
			if fe.Index != 1 || fe.State != tt.wantState || !errors.Is(err, tt.wantIs) {
				t.Errorf("FutureError = {Index %d, State %v, Err %v}, want index 1, %v, matching %v",
					fe.Index, fe.State, fe.Err, tt.wantState, tt.wantIs)
			}
		})
	}
}
