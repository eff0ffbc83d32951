package pool_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

func TestCallAwait(t *testing.T) {
	p := newPool(t, 2)
	f, err := pool.Call(context.Background(), p, func(context.Context) (string, error) { return "hi", nil })
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Await(context.Background()); v != "hi" || err != nil {
		t.Fatalf("Await = %q, %v", v, err)
	}
	boom := errors.New("boom")
	g, _ := pool.Call(context.Background(), p, func(context.Context) (int, error) { return 7, boom })
	if v, err := g.Await(context.Background()); !errors.Is(err, boom) || v != 7 || g.Job().State() != pool.Failed {
		t.Fatalf("failing Await = %d, %v (%v)", v, err, g.Job().State())
	}
	if _, err := pool.Call[int](context.Background(), p, nil); !errors.Is(err, pool.ErrNilFunc) {
		t.Fatalf("Call(nil) = %v", err)
	}
	p.Close()
	if _, err := pool.Call(context.Background(), p, func(context.Context) (int, error) { return 0, nil }); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Call after Close = %v", err)
	}
}

// TestFutureInSelectWithTimeout: futures compose with select and a timer.
func TestFutureInSelectWithTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(2)
		defer p.Close()
		slow, _ := pool.Call(context.Background(), p, func(ctx context.Context) (int, error) {
			select {
			case <-time.After(time.Hour):
				return 1, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		})
		fast, _ := pool.Call(context.Background(), p, func(context.Context) (int, error) {
			time.Sleep(time.Millisecond)
			return 2, nil
		})
		var got []string
		for range 2 {
			select {
			case <-fast.Done():
				v, _ := fast.Await(context.Background())
				got = append(got, fmt.Sprint("fast ", v))
				fast = &pool.Future[int]{} // never ready
			case <-slow.Done():
				got = append(got, "slow")
			case <-time.After(time.Second):
				got = append(got, "timeout")
				slow.Job().Cancel()
			}
		}
		if !slices.Equal(got, []string{"fast 2", "timeout"}) {
			t.Fatalf("select order = %v", got)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		if _, err := (&pool.Future[int]{}).Await(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Await on a future that never completes = %v", err)
		}
	})
}

func TestAllAndAny(t *testing.T) {
	p := newPool(t, 4)
	ctx := context.Background()
	var fs []*pool.Future[int]
	for i := range 10 {
		f, _ := pool.Call(ctx, p, func(context.Context) (int, error) { return i * i, nil })
		fs = append(fs, f)
	}
	vals, err := pool.All(ctx, fs...)
	if err != nil || len(vals) != 10 || vals[3] != 9 || vals[9] != 81 {
		t.Fatalf("All = %v, %v", vals, err)
	}
	boom := errors.New("boom")
	gate := make(chan struct{})
	blocked, _ := pool.Call(ctx, p, func(context.Context) (int, error) { <-gate; return 0, nil })
	bad, _ := pool.Call(ctx, p, func(context.Context) (int, error) { return 0, boom })
	// All returns on the first failure without waiting for the blocked one.
	if _, err := pool.All(ctx, blocked, bad); !errors.Is(err, boom) {
		t.Fatalf("All with a failure = %v", err)
	}
	close(gate)
	if v, err := pool.Any(ctx, bad, fs[5]); err != nil || v != 25 {
		t.Fatalf("Any = %d, %v", v, err)
	}
	if _, err := pool.Any(ctx, bad, bad); !errors.Is(err, boom) {
		t.Fatalf("Any of failures = %v", err)
	}
	if _, err := pool.Any[int](ctx); err == nil {
		t.Fatal("Any of nothing returned no error")
	}
}

func TestMap(t *testing.T) {
	p := newPool(t, 4)
	ctx := context.Background()
	in := []int{1, 2, 3, 4, 5, 6, 7, 8}
	out, err := pool.Map(ctx, p, in, func(_ context.Context, v int) (string, error) { return fmt.Sprint(v * 10), nil })
	if err != nil || !slices.Equal(out, []string{"10", "20", "30", "40", "50", "60", "70", "80"}) {
		t.Fatalf("Map = %v, %v", out, err)
	}
	// The first error cancels the rest: those still running see ctx end.
	boom := errors.New("boom")
	var cancelled, started atomic.Int64
	items := make([]int, 100)
	for i := range items {
		items[i] = i
	}
	_, err = pool.Map(ctx, p, items, func(ctx context.Context, i int) (int, error) {
		if started.Add(1) == 4 { // the fourth worker fails while three others wait
			return 0, boom
		}
		select {
		case <-ctx.Done():
			cancelled.Add(1)
			return 0, ctx.Err()
		case <-time.After(5 * time.Second):
			return 0, nil
		}
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Map with a failure = %v", err)
	}
	if s := p.Stats(); s.Running != 0 || s.Queued != 0 {
		t.Fatalf("Map returned with jobs left: %+v", s)
	}
	if n := cancelled.Load(); n != 3 {
		t.Fatalf("%d running items saw the failure cancel them, want 3", n)
	}
}

// TestStream: results arrive as they complete, at most limit in flight, and
// breaking out early cancels and waits for the rest (goleak checks leaks).
func TestStream(t *testing.T) {
	p := newPool(t, 4)
	ctx := context.Background()
	var inflight, peak atomic.Int64
	square := func(_ context.Context, v int) (int, error) {
		n := inflight.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		defer inflight.Add(-1)
		return v * v, nil
	}
	var sum int
	for v, err := range pool.Stream(ctx, p, seq(1000), 3, square) {
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	if want := 333833500; sum != want {
		t.Fatalf("sum of squares = %d, want %d", sum, want)
	}
	if peak.Load() > 3 {
		t.Fatalf("%d jobs in flight, limit 3", peak.Load())
	}

	// An endless input: break after 10 results.
	var started atomic.Int64
	n := 0
	for _, err := range pool.Stream(ctx, p, seq(-1), 4, func(ctx context.Context, v int) (int, error) {
		started.Add(1)
		if v == 1 {
			return v, nil
		}
		<-ctx.Done() // the others block until the stream is abandoned
		return v, ctx.Err()
	}) {
		_ = err
		n++
		break
	}
	if n != 1 || started.Load() > 4 {
		t.Fatalf("after break: %d results, %d started", n, started.Load())
	}
	if s := p.Stats(); s.Running != 0 || s.Queued != 0 {
		t.Fatalf("Stream left jobs behind: %+v", s)
	}
}

// TestStreamBreakDoesNotHangOnJobsThatNeverRan: jobs cancelled before they
// start still free their slots.
func TestStreamBreakDoesNotHangOnJobsThatNeverRan(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range pool.Stream(context.Background(), p, seq(10), 5, func(context.Context, int) (int, error) { return 0, nil }) {
			break
		}
	}()
	release()
	<-done
	p.Close()
	var errs []error
	for _, err := range pool.Stream(context.Background(), p, seq(3), 2, func(context.Context, int) (int, error) { return 0, nil }) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], pool.ErrClosed) {
		t.Fatalf("Stream on a closed pool yielded %v, want one ErrClosed", errs)
	}
}

// seq yields 1..n, or forever when n < 0.
func seq(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; n < 0 || i <= n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}
