package pool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// fill occupies every worker and queues n Lowest jobs that count their runs.
func fill(t *testing.T, p *pool.Pool, n int, ran *atomic.Int64) (release func(), jobs []*pool.Job) {
	t.Helper()
	release = occupy(t, p)
	for range n {
		j, err := p.TrySubmit(context.Background(), func(context.Context) error { ran.Add(1); return nil },
			pool.WithPriority(pool.Lowest))
		if err != nil {
			t.Fatalf("filling: %v", err)
		}
		jobs = append(jobs, j)
	}
	return release, jobs
}

// TestBoundedQueueReachesItsLimit: the queue holds exactly N waiting jobs (the
// Python port's bounded pool never reaches its limit).
func TestBoundedQueueReachesItsLimit(t *testing.T) {
	const n = 8
	p := newPool(t, 2, pool.WithQueueSize(n), pool.WithFullPolicy(pool.Reject))
	var ran atomic.Int64
	release, _ := fill(t, p, n, &ran)
	if s := p.Stats(); s.Queued != n {
		t.Fatalf("queued = %d, want %d", s.Queued, n)
	}
	for _, submit := range []func() error{
		func() error { return p.Go(func() {}) },
		func() error {
			_, err := p.Submit(context.Background(), func(context.Context) error { return nil })
			return err
		},
		func() error {
			_, err := p.TrySubmit(context.Background(), func(context.Context) error { return nil })
			return err
		},
	} {
		if err := submit(); !errors.Is(err, pool.ErrQueueFull) {
			t.Fatalf("submit to a full Reject queue = %v, want ErrQueueFull", err)
		}
	}
	release()
	p.Wait(context.Background())
	if s := reconcile(t, p); ran.Load() != n || s.Rejected != 3 {
		t.Fatalf("ran %d rejected %d, want %d and 3", ran.Load(), s.Rejected, n)
	}
}

// TestBlockWaitsForASlot: under Block, Submit waits until a slot frees, or
// returns its ctx's error; TrySubmit never waits.
func TestBlockWaitsForASlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1, pool.WithQueueSize(2))
		defer p.Close()
		var ran atomic.Int64
		release, _ := fill(t, p, 2, &ran)

		if _, err := p.TrySubmit(context.Background(), func(context.Context) error { return nil }); !errors.Is(err, pool.ErrQueueFull) {
			t.Fatalf("TrySubmit on full Block queue = %v, want ErrQueueFull", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if _, err := p.Submit(ctx, func(context.Context) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("blocked Submit = %v, want its ctx's DeadlineExceeded", err)
		}

		admitted := make(chan error, 1)
		go func() {
			_, err := p.Submit(context.Background(), func(context.Context) error { ran.Add(1); return nil })
			admitted <- err
		}()
		synctest.Wait() // the submitter is now durably blocked
		select {
		case err := <-admitted:
			t.Fatalf("Submit returned %v while the queue was full", err)
		default:
		}
		release()
		if err := <-admitted; err != nil {
			t.Fatalf("blocked Submit after a slot freed = %v", err)
		}
		p.Wait(context.Background())
		if ran.Load() != 3 {
			t.Fatalf("ran %d, want 3", ran.Load())
		}
		reconcile(t, p)
	})
}

// TestBlockedSubmitSeesClose: a Submit blocked on a full queue returns
// ErrClosed when the pool closes.
func TestBlockedSubmitSeesClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1, pool.WithQueueSize(1))
		var ran atomic.Int64
		release, _ := fill(t, p, 1, &ran)
		got := make(chan error, 1)
		go func() {
			_, err := p.Submit(context.Background(), func(context.Context) error { return nil })
			got <- err
		}()
		synctest.Wait()
		closed := make(chan struct{})
		go func() { p.Close(); close(closed) }()
		if err := <-got; !errors.Is(err, pool.ErrClosed) {
			t.Fatalf("blocked Submit during Close = %v, want ErrClosed", err)
		}
		release()
		<-closed
		if s := reconcile(t, p); ran.Load() != 1 || s.Rejected != 1 {
			t.Fatalf("ran %d rejected %d, want 1 and 1", ran.Load(), s.Rejected)
		}
	})
}

// TestDropOldestEvictsLowest: under DropOldest a new job is accepted and the
// oldest job of the lowest level ends Cancelled with ErrDropped.
func TestDropOldestEvictsLowest(t *testing.T) {
	p := newPool(t, 1, pool.WithQueueSize(3), pool.WithFullPolicy(pool.DropOldest))
	var ran atomic.Int64
	release, jobs := fill(t, p, 3, &ran)

	j, err := p.Submit(context.Background(), func(context.Context) error { return nil }, pool.WithPriority(pool.High))
	if err != nil {
		t.Fatalf("DropOldest submit = %v", err)
	}
	if jobs[0].State() != pool.Cancelled || !errors.Is(jobs[0].Err(), pool.ErrDropped) {
		t.Fatalf("oldest lowest job: %v %v, want Cancelled with ErrDropped", jobs[0].State(), jobs[0].Err())
	}
	// A newcomer below everything queued is itself the one dropped.
	low, err := p.Submit(context.Background(), func(context.Context) error { return nil }, pool.WithPriority(pool.Lowest))
	if err != nil {
		t.Fatal(err)
	}
	if low.State() == pool.Cancelled {
		t.Fatal("a Lowest newcomer with Lowest jobs queued must evict the oldest, not itself")
	}
	if jobs[1].State() != pool.Cancelled {
		t.Fatalf("second oldest lowest: %v, want Cancelled", jobs[1].State())
	}
	release()
	j.Wait(context.Background())
	p.Wait(context.Background())
	if s := reconcile(t, p); s.Cancelled != 2 {
		t.Fatalf("cancelled = %d, want 2", s.Cancelled)
	}
}

// nilContext is a nil context.Context, for the tests of the nil checks.
var nilContext context.Context

// TestBadInput: bad arguments return errors, never panic.
func TestBadInput(t *testing.T) {
	news := []struct {
		name    string
		workers int
		opts    []pool.Option
	}{
		{"zero workers", 0, nil},
		{"negative workers", -1, nil},
		{"negative queue size", 1, []pool.Option{pool.WithQueueSize(-1)}},
		{"unknown policy", 1, []pool.Option{pool.WithFullPolicy(pool.FullPolicy(9))}},
		{"nil context", 1, []pool.Option{pool.WithContext(nilContext)}},
		{"nil option", 1, []pool.Option{nil}},
	}
	for _, tt := range news {
		if p, err := pool.New(tt.workers, tt.opts...); !errors.Is(err, pool.ErrInvalidOption) || p != nil {
			t.Errorf("New(%s) = %v, %v; want nil, ErrInvalidOption", tt.name, p, err)
		}
	}
	p := newPool(t, 1)
	ok := func(context.Context) error { return nil }
	submits := []struct {
		name string
		ctx  context.Context
		fn   func(context.Context) error
		opts []pool.JobOption
		want error
	}{
		{"nil func", context.Background(), nil, nil, pool.ErrNilFunc},
		{"unknown priority", context.Background(), ok, []pool.JobOption{pool.WithPriority(7)}, pool.ErrInvalidOption},
		{"zero timeout", context.Background(), ok, []pool.JobOption{pool.WithTimeout(0)}, pool.ErrInvalidOption},
		{"nil option", context.Background(), ok, []pool.JobOption{nil}, pool.ErrInvalidOption},
		{"nil context", nilContext, ok, nil, pool.ErrInvalidOption},
	}
	for _, tt := range submits {
		if j, err := p.Submit(tt.ctx, tt.fn, tt.opts...); !errors.Is(err, tt.want) || j != nil {
			t.Errorf("Submit(%s) = %v, %v; want nil, %v", tt.name, j, err, tt.want)
		}
	}
	if err := p.Go(nil); !errors.Is(err, pool.ErrNilFunc) {
		t.Errorf("Go(nil) = %v, want ErrNilFunc", err)
	}
	if s := p.Stats(); s.Submitted != 0 {
		t.Errorf("bad submits were counted as submitted: %d", s.Submitted)
	}
}
