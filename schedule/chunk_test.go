package schedule_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/schedule"
)

// order records the order in which runs start.
type order struct {
	mu  sync.Mutex
	ids []int
}

func (o *order) fn(i int, then func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		o.mu.Lock()
		o.ids = append(o.ids, i)
		o.mu.Unlock()
		if then != nil {
			return then(ctx)
		}
		return nil
	}
}

func (o *order) got() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.ids)
}

// burst adds n one-shot entries due in one second, the function of entry i
// made by fn(i), and returns them.
func burst(t *testing.T, s *schedule.Scheduler, n int, fn func(i int) func(context.Context) error, opts ...schedule.EntryOption) []*schedule.Entry {
	t.Helper()
	at := time.Now().Add(time.Second)
	es := make([]*schedule.Entry, n)
	for i := range es {
		e, err := s.At(at, fn(i), opts...)
		if err != nil {
			t.Fatal(err)
		}
		es[i] = e
	}
	return es
}

// TestBurstSharesPoolJobs: entries due at one instant on a plain pool run
// once each, in firing order, each with its own outcome, on far fewer pool
// jobs than runs; a bounded or rate-limited pool, which admits or paces
// each job, and an entry with pool options get a job per run.
func TestBurstSharesPoolJobs(t *testing.T) {
	const n = 300
	tests := []struct {
		name     string
		popts    []pool.Option
		eopts    []schedule.EntryOption
		perRun   bool // a pool job per run
		inOrder  bool
		workers  int
		failEach int // every failEach-th run fails
	}{
		{name: "one worker", workers: 1, perRun: false, inOrder: true, failEach: 7},
		{name: "two workers", workers: 2, perRun: false},
		{name: "bounded", workers: 1, popts: []pool.Option{pool.WithQueueSize(2 * n)}, perRun: true, inOrder: true},
		{name: "rate limited", workers: 1, popts: []pool.Option{pool.WithRateLimit(1e6, n)}, perRun: true, inOrder: true},
		{name: "named", workers: 1, eopts: []schedule.EntryOption{schedule.WithName("x")}, perRun: true, inOrder: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, s := setup(t, tt.workers, tt.popts...)
				var o order
				errFail := errors.New("fail")
				es := burst(t, s, n, func(i int) func(context.Context) error {
					return o.fn(i, func(context.Context) error {
						if tt.failEach > 0 && i%tt.failEach == 0 {
							return errFail
						}
						return nil
					})
				}, tt.eopts...)
				for _, e := range es {
					<-e.Done()
				}
				got := o.got()
				if len(got) != n {
					t.Fatalf("%d runs, want %d", len(got), n)
				}
				sorted := slices.Sorted(slices.Values(got))
				if !slices.Equal(sorted, slices.Collect(func(yield func(int) bool) {
					for i := range n {
						if !yield(i) {
							return
						}
					}
				})) {
					t.Fatalf("runs %v: not each entry once", got)
				}
				if tt.inOrder && !slices.IsSorted(got) {
					t.Errorf("runs started in order %v, want firing order", got)
				}
				for i, e := range es {
					want, wantErr := schedule.Succeeded, error(nil)
					if tt.failEach > 0 && i%tt.failEach == 0 {
						want, wantErr = schedule.Failed, errFail
					}
					if e.Outcome() != want || e.LastErr() != wantErr || e.Runs() != 1 {
						t.Fatalf("entry %d: Outcome %v LastErr %v Runs %d, want %v %v 1", i, e.Outcome(), e.LastErr(), e.Runs(), want, wantErr)
					}
				}
				p.Wait(context.Background())
				st := p.Stats()
				if tt.perRun && st.Submitted != n {
					t.Errorf("pool jobs = %d, want one per run (%d)", st.Submitted, n)
				}
				if !tt.perRun && st.Submitted > n/8 {
					t.Errorf("pool jobs = %d for %d runs, want at most %d", st.Submitted, n, n/8)
				}
				if s.Len() != 0 {
					t.Errorf("Len = %d after every entry ended", s.Len())
				}
			})
		})
	}
}

// TestLongRunHoldsUpOnlyItsJob: a run that takes an hour delays none of the
// runs fired with it while another worker is free.
func TestLongRunHoldsUpOnlyItsJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 2)
		var o order
		es := burst(t, s, 40, func(i int) func(context.Context) error {
			if i == 0 {
				return o.fn(i, func(context.Context) error { time.Sleep(time.Hour); return nil })
			}
			return o.fn(i, nil)
		})
		time.Sleep(time.Second + time.Millisecond)
		synctest.Wait()
		if got := o.got(); len(got) != len(es) {
			t.Fatalf("%d runs started by the due time, want all %d", len(got), len(es))
		}
		for _, e := range es[1:] {
			if !isDone(e) {
				t.Fatalf("entry %d not done beside the long run", e.ID())
			}
		}
		if isDone(es[0]) {
			t.Fatal("the long run's entry is done before its run returned")
		}
		<-es[0].Done()
	})
}

// TestPanicInABurstLeavesTheRestToRun: a run that panics is recorded as
// Failed and reaches the pool's panic handler, and the runs fired with it
// still run, on another job.
func TestPanicInABurstLeavesTheRestToRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var panics []any
		p, s := setup(t, 1, pool.WithPanicHandler(func(pe *pool.PanicError) {
			mu.Lock()
			panics = append(panics, pe.Value)
			mu.Unlock()
		}))
		var o order
		es := burst(t, s, 50, func(i int) func(context.Context) error {
			if i == 3 || i == 40 {
				return o.fn(i, func(context.Context) error { panic(i) })
			}
			return o.fn(i, nil)
		})
		for _, e := range es {
			<-e.Done()
		}
		if got := o.got(); len(got) != len(es) || !slices.IsSorted(got) {
			t.Fatalf("runs %v, want each of %d once, in order", got, len(es))
		}
		for i, e := range es {
			var pe *schedule.PanicError
			switch {
			case i == 3 || i == 40:
				if e.Outcome() != schedule.Failed || !errors.As(e.LastErr(), &pe) || pe.Value != i {
					t.Errorf("entry %d: Outcome %v LastErr %v, want its panic", i, e.Outcome(), e.LastErr())
				}
			case e.Outcome() != schedule.Succeeded:
				t.Errorf("entry %d: Outcome %v LastErr %v, want succeeded", i, e.Outcome(), e.LastErr())
			}
		}
		p.Wait(context.Background())
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(panics, []any{3, 40}) || p.Stats().Panicked != 2 {
			t.Errorf("pool saw panics %v (Panicked %d), want [3 40]", panics, p.Stats().Panicked)
		}
	})
}

// TestShutdownCancelsTheRestOfABurst: when Shutdown runs out of time, the
// run in progress sees its context end, and the runs fired with it that
// had not started never do: each is Cancelled, and every entry ends.
func TestShutdownCancelsTheRestOfABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := setup(t, 1)
		var o order
		es := burst(t, s, 30, func(i int) func(context.Context) error {
			if i == 0 {
				return o.fn(i, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
			}
			return o.fn(i, nil)
		})
		time.Sleep(time.Second)
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p.Shutdown(ctx)
		for _, e := range es {
			select {
			case <-e.Done():
			case <-time.After(time.Hour):
				t.Fatalf("entry %d not done an hour after Shutdown", e.ID())
			}
		}
		if got := o.got(); !slices.Equal(got, []int{0}) {
			t.Errorf("runs %v, want only the first", got)
		}
		for i, e := range es {
			if e.Outcome() != schedule.Cancelled || !errors.Is(e.LastErr(), context.Canceled) {
				t.Errorf("entry %d: Outcome %v LastErr %v, want cancelled", i, e.Outcome(), e.LastErr())
			}
		}
		if s.Len() != 0 {
			t.Errorf("Len = %d after every entry ended", s.Len())
		}
	})
}
