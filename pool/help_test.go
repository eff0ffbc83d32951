package pool

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// TestNestedSubmitAndWaitNeverDeadlock: a job of a pool with one worker and
// a queue of one, under Block, submits 5 inner jobs and waits for them, in
// each way a job can. Every inner job runs, the outer job finishes, and the
// books balance. Inside synctest a deadlock fails the test at once.
func TestNestedSubmitAndWaitNeverDeadlock(t *testing.T) {
	type nest func(ctx context.Context, p *Pool, keep func(*Job), ran *atomic.Int32) error
	inner := func(ran *atomic.Int32) func(context.Context) error {
		return func(context.Context) error { ran.Add(1); return nil }
	}
	for _, tc := range []struct {
		name  string
		funcs int // Go funcs the case submits
		nest  nest
	}{
		{"Submit, Wait with the job's ctx", 0, func(ctx context.Context, p *Pool, keep func(*Job), ran *atomic.Int32) error {
			var jobs []*Job
			for range 5 {
				j, err := p.Submit(ctx, inner(ran))
				if err != nil {
					return err
				}
				keep(j)
				jobs = append(jobs, j)
			}
			for _, j := range jobs {
				if err := j.Wait(ctx); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Submit with Background, Wait with Background", 0, func(_ context.Context, p *Pool, keep func(*Job), ran *atomic.Int32) error {
			var jobs []*Job
			for range 5 {
				j, err := p.Submit(context.Background(), inner(ran))
				if err != nil {
					return err
				}
				keep(j)
				jobs = append(jobs, j)
			}
			for _, j := range slices.Backward(jobs) {
				if err := j.Wait(context.Background()); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Go", 5, func(_ context.Context, p *Pool, _ func(*Job), ran *atomic.Int32) error {
			for range 5 {
				if err := p.Go(func() { ran.Add(1) }); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Group.Wait", 0, func(ctx context.Context, p *Pool, keep func(*Job), ran *atomic.Int32) error {
			g := p.Group(ctx)
			for range 5 {
				j, err := g.Submit(inner(ran))
				if err != nil {
					return err
				}
				keep(j)
			}
			return g.Wait()
		}},
		{"Map", 0, func(ctx context.Context, p *Pool, _ func(*Job), ran *atomic.Int32) error {
			_, err := Map(ctx, p, []int{1, 2, 3, 4, 5}, func(context.Context, int) (int, error) {
				ran.Add(1)
				return 0, nil
			})
			return err
		}},
		{"two levels", 0, func(ctx context.Context, p *Pool, keep func(*Job), ran *atomic.Int32) error {
			var jobs []*Job
			for range 5 {
				j, err := p.Submit(ctx, func(ctx context.Context) error {
					leaf, err := p.Submit(ctx, inner(ran))
					if err != nil {
						return err
					}
					keep(leaf)
					return leaf.Wait(ctx)
				})
				if err != nil {
					return err
				}
				keep(j)
				jobs = append(jobs, j)
			}
			for _, j := range jobs {
				if err := j.Wait(ctx); err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, err := New(1, WithQueueSize(1), WithFullPolicy(Block))
				if err != nil {
					t.Fatal(err)
				}
				var (
					mu   sync.Mutex
					jobs []*Job
					ran  atomic.Int32
				)
				keep := func(j *Job) { mu.Lock(); jobs = append(jobs, j); mu.Unlock() }
				outer, err := p.Submit(context.Background(), func(ctx context.Context) error {
					return tc.nest(ctx, p, keep, &ran)
				})
				if err != nil {
					t.Fatal(err)
				}
				keep(outer)
				if err := outer.Wait(context.Background()); err != nil {
					t.Fatalf("outer job: %v", err)
				}
				p.Close()
				if got := ran.Load(); got != 5 {
					t.Fatalf("%d inner jobs ran, want 5", got)
				}
				if tc.name == "Map" { // Map keeps its handles: count them in
					s := p.Stats()
					if s.Submitted != 6 || s.Succeeded != 6 || s.Queued+s.Running+s.Pending != 0 {
						t.Fatalf("Map in a job: %+v", s)
					}
				} else if err := p.check(jobs, uint64(tc.funcs)); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestHelpingWaitKeepsPriorities: a worker waiting inside a job runs the
// queued jobs highest priority first, as its loop would, and never more
// jobs at once than the pool has workers.
func TestHelpingWaitKeepsPriorities(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := New(1)
		defer p.Close()
		var (
			order   []Priority
			running atomic.Int32
			most    atomic.Int32
		)
		track := func(prio Priority) func(context.Context) error {
			return func(context.Context) error {
				n := running.Add(1)
				if n > most.Load() {
					most.Store(n)
				}
				order = append(order, prio) // one worker: no race
				running.Add(-1)
				return nil
			}
		}
		outer, _ := p.Submit(context.Background(), func(ctx context.Context) error {
			var last *Job
			for _, prio := range []Priority{Lowest, Normal, Highest, Low, High} {
				j, err := p.Submit(ctx, track(prio), WithPriority(prio))
				if err != nil {
					return err
				}
				if prio == Lowest {
					last = j
				}
			}
			return last.Wait(ctx) // the lowest runs last: all of them first
		})
		if err := outer.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := []Priority{Highest, High, Normal, Low, Lowest}
		if !slices.Equal(order, want) {
			t.Fatalf("helping ran %v, want %v", order, want)
		}
		if most.Load() != 1 {
			t.Fatalf("%d inner jobs ran at once on one worker", most.Load())
		}
	})
}
