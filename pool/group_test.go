package pool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/threadsystem/threadsystem/pool"
)

func TestGroupWaitJoinsErrors(t *testing.T) {
	p := newPool(t, 4)
	g := p.Group(context.Background())
	e1, e2 := errors.New("one"), errors.New("two")
	var ran atomic.Int64
	for i := range 20 {
		g.Go(func(context.Context) error {
			ran.Add(1)
			switch i {
			case 3:
				return e1
			case 7:
				return e2
			}
			return nil
		})
	}
	err := g.Wait()
	if !errors.Is(err, e1) || !errors.Is(err, e2) || ran.Load() != 20 {
		t.Fatalf("Wait = %v after %d jobs, want both errors after 20", err, ran.Load())
	}
	if s := g.Stats(); s.Total != 20 || s.Succeeded != 18 || s.Failed != 2 || s.Running != 0 {
		t.Fatalf("Stats = %+v", s)
	}
	if g.Context().Err() == nil {
		t.Fatal("group context still live after Wait")
	}
}

// TestGroupFailFast: the first error cancels the rest; Wait returns only it.
func TestGroupFailFast(t *testing.T) {
	p := newPool(t, 2)
	g := p.Group(context.Background(), pool.FailFast())
	boom := errors.New("boom")
	started := make(chan struct{})
	g.Go(func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	<-started
	var ran atomic.Int64
	g.Go(func(context.Context) error { return boom })
	for range 50 {
		g.Go(func(context.Context) error { ran.Add(1); return nil })
	}
	err := g.Wait()
	if !errors.Is(err, boom) || errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want boom alone", err)
	}
	if cause := context.Cause(g.Context()); !errors.Is(cause, boom) {
		t.Fatalf("group ctx cause = %v, want boom", cause)
	}
	s := g.Stats()
	if s.Failed != 1 || s.Succeeded+s.Cancelled+s.Failed != s.Total {
		t.Fatalf("Stats = %+v", s)
	}
	p.Wait(context.Background())
	reconcile(t, p)
}

// TestGroupLimit: no more than the limit run or wait at once.
func TestGroupLimit(t *testing.T) {
	p := newPool(t, 8)
	g := p.Group(context.Background(), pool.WithLimit(3))
	var inflight, peak atomic.Int64
	for range 100 {
		g.Go(func(context.Context) error {
			n := inflight.Add(1)
			for {
				old := peak.Load()
				if n <= old || peak.CompareAndSwap(old, n) {
					break
				}
			}
			inflight.Add(-1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if peak.Load() > 3 {
		t.Fatalf("peak in flight %d, limit 3", peak.Load())
	}
}

func TestGroupCancel(t *testing.T) {
	p := newPool(t, 1)
	release := occupy(t, p)
	g := p.Group(context.Background())
	var ran atomic.Int64
	var jobs []*pool.Job
	for range 10 {
		j, err := g.Submit(func(context.Context) error { ran.Add(1); return nil }, pool.WithPriority(pool.Low))
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	g.Cancel()
	for _, j := range jobs {
		if j.State() != pool.Cancelled {
			t.Fatalf("job %d is %v after Group.Cancel", j.ID(), j.State())
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait after Cancel = %v, want nil (cancellations by the group are not errors)", err)
	}
	release()
	if _, err := g.Submit(func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit to a cancelled group = %v", err)
	}
	p.Wait(context.Background())
	if ran.Load() != 0 {
		t.Fatalf("%d cancelled jobs ran", ran.Load())
	}
}

func TestGroupBadInput(t *testing.T) {
	p := newPool(t, 1)
	g := p.Group(context.Background(), pool.WithLimit(0))
	if _, err := g.Submit(nop); !errors.Is(err, pool.ErrInvalidOption) {
		t.Fatalf("Submit on a group with a bad option = %v", err)
	}
	if err := g.Wait(); !errors.Is(err, pool.ErrInvalidOption) {
		t.Fatalf("Wait = %v", err)
	}
	h := p.Group(context.Background())
	if _, err := h.Submit(nil); !errors.Is(err, pool.ErrNilFunc) {
		t.Fatalf("Submit(nil) = %v", err)
	}
	h.Go(nil)
	if err := h.Wait(); !errors.Is(err, pool.ErrNilFunc) {
		t.Fatalf("Wait after Go(nil) = %v, want ErrNilFunc", err)
	}
	p.Close()
	c := p.Group(context.Background())
	c.Go(nop)
	if err := c.Wait(); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("group on a closed pool: Wait = %v", err)
	}
}
