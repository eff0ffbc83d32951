package dag_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

var errBoom = errors.New("boom")

func fail(context.Context, dag.Results) (any, error) { return nil, errBoom }

// untilCancelled is a node that closes started, then runs until its context
// ends.
func untilCancelled(started chan struct{}) nodeFunc {
	return func(ctx context.Context, _ dag.Results) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
}

func TestRunDiamondRunsMiddleNodesConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 2)
		defer p.Close()
		var mu sync.Mutex
		var order []string
		record := func(s string) {
			mu.Lock()
			order = append(order, s)
			mu.Unlock()
		}
		// b and c each wait for the other to have started: they finish only
		// if they run at the same time. Otherwise the bubble deadlocks and
		// synctest fails the test.
		bStarted, cStarted := make(chan struct{}), make(chan struct{})
		middle := func(mine, other chan struct{}, v int) nodeFunc {
			return func(_ context.Context, in dag.Results) (any, error) {
				record("start")
				close(mine)
				<-other
				a, err := dag.Get[int](in, "a")
				return a + v, err
			}
		}
		g := dag.New()
		dag.Add(g, "a", func(context.Context, dag.Results) (int, error) { record("a"); return 1, nil })
		g.Add("b", middle(bStarted, cStarted, 10), dag.DependsOn("a"))
		g.Add("c", middle(cStarted, bStarted, 100), dag.DependsOn("a"))
		dag.Add(g, "d", func(_ context.Context, in dag.Results) (int, error) {
			record("d")
			b, err1 := dag.Get[int](in, "b")
			c, err2 := dag.Get[int](in, "c")
			return b + c, errors.Join(err1, err2)
		}, dag.DependsOn("b", "c"))

		rep, err := g.Run(context.Background(), p, dag.KeepResults())
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a", "start", "start", "d"}; !slices.Equal(order, want) {
			t.Errorf("order = %v, want %v", order, want)
		}
		d, err := dag.Get[int](rep.Results(), "d")
		if err != nil || d != 112 {
			t.Errorf("Get(d) = %d, %v; want 112", d, err)
		}
		if s := states(rep); s != "a=succeeded b=succeeded c=succeeded d=succeeded" {
			t.Errorf("states: %s", s)
		}
	})
}

func TestRunFailureSkipsExactlyDescendants(t *testing.T) {
	// r1 -> a -> b -> d, a -> c, r2 -> e -> f, {b, e} -> g
	spec := []string{"r1", "a:r1", "b:a", "c:a", "d:b", "r2", "e:r2", "f:e", "g:b,e"}
	tests := []struct {
		fail string
		want string
	}{
		{"a", "r1=succeeded a=failed b=skipped c=skipped d=skipped r2=succeeded e=succeeded f=succeeded g=skipped"},
		{"e", "r1=succeeded a=succeeded b=succeeded c=succeeded d=succeeded r2=succeeded e=failed f=skipped g=skipped"},
		{"d", "r1=succeeded a=succeeded b=succeeded c=succeeded d=failed r2=succeeded e=succeeded f=succeeded g=succeeded"},
		{"r1", "r1=failed a=skipped b=skipped c=skipped d=skipped r2=succeeded e=succeeded f=succeeded g=skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.fail, func(t *testing.T) {
			p := newPool(t, 2)
			defer p.Close()
			g := build(t, spec, map[string]nodeFunc{tt.fail: fail})
			rep, err := g.Run(context.Background(), p)
			if s := states(rep); s != tt.want {
				t.Errorf("states:\n got %s\nwant %s", s, tt.want)
			}
			var re *dag.RunError
			if !errors.As(err, &re) || !errors.Is(err, errBoom) || re.Failed != 1 || len(re.Errs) != 1 {
				t.Fatalf("Run error = %v, want one failure wrapping boom", err)
			}
			for _, n := range rep.Nodes {
				var de *dag.DependencyError
				if n.State == pool.Skipped && (!errors.As(n.Err, &de) || de.Origin != tt.fail || !errors.Is(n.Err, errBoom)) {
					t.Errorf("%s: error %v, want a DependencyError with origin %s", n.Name, n.Err, tt.fail)
				}
			}
		})
	}
}

func TestRunSkippedErrorNamesDependencyAndOrigin(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	g := build(t, []string{"a", "b:a", "c:b"}, map[string]nodeFunc{"a": fail})
	rep, _ := g.Run(context.Background(), p)
	b, _ := rep.Node("b")
	c, _ := rep.Node("c")
	if want := `dag: skipped: dependency "a" failed: boom`; b.Err.Error() != want {
		t.Errorf("b: %q, want %q", b.Err, want)
	}
	if want := `dag: skipped: dependency "b" skipped (node "a": boom)`; c.Err.Error() != want {
		t.Errorf("c: %q, want %q", c.Err, want)
	}
}

func TestRunFailFastCancelsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 2)
		defer p.Close()
		slowStarted := make(chan struct{})
		var ranQueued atomic.Bool
		fns := map[string]nodeFunc{
			"slow": untilCancelled(slowStarted),
			"bad": func(context.Context, dag.Results) (any, error) {
				<-slowStarted
				return nil, errBoom
			},
			"queued": func(context.Context, dag.Results) (any, error) {
				ranQueued.Store(true)
				return nil, nil
			},
		}
		// slow and bad take both workers; queued waits in the queue.
		g := build(t, []string{"slow", "bad", "queued", "afterSlow:slow", "afterBad:bad"}, fns)
		rep, err := g.Run(context.Background(), p, dag.FailFast)
		want := "slow=cancelled bad=failed queued=cancelled afterSlow=cancelled afterBad=cancelled"
		if s := states(rep); s != want {
			t.Errorf("states:\n got %s\nwant %s", s, want)
		}
		if ranQueued.Load() {
			t.Error("the queued node ran after the failure")
		}
		if !errors.Is(err, errBoom) {
			t.Errorf("Run error = %v, want boom", err)
		}
		for _, name := range []string{"queued", "afterSlow", "afterBad"} {
			if n, _ := rep.Node(name); !errors.Is(n.Err, dag.ErrStopped) || !errors.Is(n.Err, errBoom) || n.Attempts != 0 {
				t.Errorf("%s: error %v after %d attempts, want ErrStopped and boom, no attempt", name, n.Err, n.Attempts)
			}
		}
	})
}

// TestRunFailFastStopsQueuedJob: a node whose job is still queued when the
// run stops ends Cancelled with the run's stop error, not a bare
// context.Canceled. The failing node keeps both workers busy with Highest
// jobs, so no worker can reach the queued job before the run cancels it.
func TestRunFailFastStopsQueuedJob(t *testing.T) {
	p := newPool(t, 2)
	defer p.Close()
	hold := make(chan struct{})
	slowStarted := make(chan struct{})
	fns := map[string]nodeFunc{
		"slow": untilCancelled(slowStarted),
		"bad": func(context.Context, dag.Results) (any, error) {
			<-slowStarted
			for range 2 { // one for each worker, ahead of the queued node
				if _, err := p.Submit(context.Background(), func(context.Context) error { <-hold; return nil }, pool.WithPriority(pool.Highest)); err != nil {
					return nil, err
				}
			}
			return nil, errBoom
		},
		"queued": func(context.Context, dag.Results) (any, error) { return nil, nil },
	}
	g := build(t, []string{"slow", "bad", "queued"}, fns)
	rep, err := g.Run(context.Background(), p, dag.FailFast)
	close(hold)
	if !errors.Is(err, errBoom) {
		t.Errorf("Run error = %v, want boom", err)
	}
	n, _ := rep.Node("queued")
	if n.State != pool.Cancelled || !errors.Is(n.Err, dag.ErrStopped) || !errors.Is(n.Err, errBoom) || n.Attempts != 0 {
		t.Errorf("queued: %v, error %v after %d attempts; want Cancelled, ErrStopped and boom, no attempt", n.State, n.Err, n.Attempts)
	}
}

func TestRunContextCancelLeavesNothingRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 2)
		defer p.Close()
		var running atomic.Int32
		block := func(ctx context.Context, _ dag.Results) (any, error) {
			running.Add(1)
			defer running.Add(-1)
			<-ctx.Done()
			time.Sleep(time.Millisecond) // slow to notice: Run must still wait
			return nil, ctx.Err()
		}
		g := build(t, []string{"a", "b", "c", "d:a", "e:d"},
			map[string]nodeFunc{"a": block, "b": block, "c": block})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			synctest.Wait() // a and b are running, c is queued
			cancel()
		}()
		rep, err := g.Run(ctx, p)
		if n := running.Load(); n != 0 {
			t.Errorf("%d node functions still running after Run returned", n)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run error = %v, want context.Canceled", err)
		}
		want := "a=cancelled b=cancelled c=cancelled d=cancelled e=cancelled"
		if s := states(rep); s != want {
			t.Errorf("states:\n got %s\nwant %s", s, want)
		}
		if c, _ := rep.Node("c"); c.Attempts != 0 {
			t.Errorf("queued node c ran %d times", c.Attempts)
		}
	})
}

func TestRunContextAlreadyCancelled(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := build(t, []string{"a", "b:a"}, map[string]nodeFunc{"a": fail})
	rep, err := g.Run(ctx, p)
	if !errors.Is(err, context.Canceled) || states(rep) != "a=cancelled b=cancelled" {
		t.Fatalf("Run = %v, %s", err, states(rep))
	}
}

func TestRunRetriesFlakyNode(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		want     pool.State
		attempts int
	}{
		{"succeeds on the third attempt", 2, pool.Succeeded, 3},
		{"gives up after three attempts", 5, pool.Failed, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPool(t, 1)
				defer p.Close()
				calls := 0
				g := dag.New()
				g.Add("flaky", func(context.Context, dag.Results) (any, error) {
					calls++
					if calls <= tt.failures {
						return nil, errBoom
					}
					return "ok", nil
				}, dag.WithRetry(retry.Policy{MaxAttempts: 3, InitialDelay: time.Second}))
				start := time.Now()
				rep, err := g.Run(context.Background(), p)
				n, _ := rep.Node("flaky")
				if n.State != tt.want || n.Attempts != tt.attempts {
					t.Fatalf("state %v attempts %d, want %v %d (err %v)", n.State, n.Attempts, tt.want, tt.attempts, err)
				}
				if got := time.Since(start); got != 3*time.Second {
					t.Errorf("took %v, want the backoff 1s + 2s", got)
				}
				var re *retry.Error
				if tt.want == pool.Failed && (!errors.As(err, &re) || !errors.Is(err, errBoom)) {
					t.Errorf("Run error = %v, want a retry.Error wrapping boom", err)
				}
			})
		})
	}
}

func TestRunPassesPriorityToPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 1)
		defer p.Close()
		gate := make(chan struct{})
		p.Go(func() { <-gate }) // hold the only worker: every node queues
		var order []string
		g := dag.New()
		for _, prio := range []pool.Priority{pool.Lowest, pool.Normal, pool.Highest, pool.Low, pool.High} {
			g.Add(prio.String(), func(context.Context, dag.Results) (any, error) {
				order = append(order, prio.String())
				return nil, nil
			}, dag.WithPriority(prio))
		}
		go func() {
			synctest.Wait()
			close(gate)
		}()
		if _, err := g.Run(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if want := []string{"highest", "high", "normal", "low", "lowest"}; !slices.Equal(order, want) {
			t.Errorf("order = %v, want %v", order, want)
		}
	})
}

func TestRunTimeoutFailsNode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 1)
		defer p.Close()
		g := dag.New()
		g.Add("slow", func(ctx context.Context, _ dag.Results) (any, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}, dag.WithTimeout(5*time.Second))
		g.Add("next", ok, dag.DependsOn("slow"))
		start := time.Now()
		rep, err := g.Run(context.Background(), p)
		if !errors.Is(err, context.DeadlineExceeded) || states(rep) != "slow=failed next=skipped" {
			t.Fatalf("Run = %v, %s", err, states(rep))
		}
		if got := time.Since(start); got != 5*time.Second {
			t.Errorf("took %v, want 5s", got)
		}
	})
}

func TestRunAllRunsDependentsOfFailures(t *testing.T) {
	p := newPool(t, 2)
	defer p.Close()
	var seen error
	g := build(t, []string{"a", "b:a", "c:b"}, map[string]nodeFunc{
		"a": fail,
		"b": func(_ context.Context, in dag.Results) (any, error) {
			_, seen = dag.Get[string](in, "a")
			return "cleaned up", nil
		},
	})
	rep, err := g.Run(context.Background(), p, dag.RunAll)
	if s := states(rep); s != "a=failed b=succeeded c=succeeded" {
		t.Errorf("states: %s", s)
	}
	var ne *dag.NodeError
	if !errors.As(seen, &ne) || ne.Name != "a" || ne.State != pool.Failed || !errors.Is(seen, errBoom) {
		t.Errorf("b saw %v, want a's NodeError", seen)
	}
	if !errors.Is(err, errBoom) {
		t.Errorf("Run error = %v, want boom", err)
	}
}

func TestRunPanicFailsNode(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	g := build(t, []string{"a", "b:a"}, map[string]nodeFunc{
		"a": func(context.Context, dag.Results) (any, error) { panic(errBoom) },
	})
	rep, err := g.Run(context.Background(), p)
	var pe *pool.PanicError
	if !errors.As(err, &pe) || !errors.Is(err, errBoom) || states(rep) != "a=failed b=skipped" {
		t.Fatalf("Run = %v, %s", err, states(rep))
	}
}

func TestRunOnClosedPool(t *testing.T) {
	p := newPool(t, 1)
	p.Close()
	g := build(t, []string{"a", "b", "c:a"}, nil)
	rep, err := g.Run(context.Background(), p)
	if !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Run error = %v, want ErrClosed", err)
	}
	if s := states(rep); s != "a=cancelled b=cancelled c=cancelled" {
		t.Errorf("states: %s", s)
	}
}

func TestRunPoolClosedMidRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 1)
		release := make(chan struct{})
		g := build(t, []string{"a", "b:a", "c:b", "d"}, map[string]nodeFunc{
			"a": func(context.Context, dag.Results) (any, error) { <-release; return nil, nil },
		})
		go func() {
			synctest.Wait() // a runs, d is queued
			go p.Close()    // drains a and d, refuses b
			synctest.Wait()
			close(release)
		}()
		rep, err := g.Run(context.Background(), p)
		if !errors.Is(err, pool.ErrClosed) {
			t.Errorf("Run error = %v, want ErrClosed", err)
		}
		// d races the run's stop: the worker may start it before the run,
		// refused b, cancels the nodes not yet started.
		if s := states(rep); s != "a=succeeded b=cancelled c=cancelled d=succeeded" &&
			s != "a=succeeded b=cancelled c=cancelled d=cancelled" {
			t.Errorf("states: %s", s)
		}
		p.Close()
	})
}

func TestRunSurvivesJobsSweptByShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 1)
		g := build(t, []string{"a", "b", "c:b"}, map[string]nodeFunc{
			"a": func(ctx context.Context, _ dag.Results) (any, error) { <-ctx.Done(); return nil, ctx.Err() },
		})
		go func() {
			synctest.Wait() // a runs, b is queued
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			p.Shutdown(ctx) // sweeps b without running it, cancels a
		}()
		rep, err := g.Run(context.Background(), p)
		if !errors.Is(err, pool.ErrShutdown) {
			t.Errorf("Run error = %v, want ErrShutdown", err)
		}
		if s := states(rep); s != "a=cancelled b=cancelled c=skipped" {
			t.Errorf("states: %s", s)
		}
		p.Close()
	})
}

func TestRunTwice(t *testing.T) {
	p := newPool(t, 2)
	defer p.Close()
	var calls atomic.Int32
	g := build(t, []string{"a", "b:a"}, map[string]nodeFunc{
		"b": func(_ context.Context, in dag.Results) (any, error) {
			calls.Add(1)
			a, err := dag.Get[string](in, "a")
			return a + "b", err
		},
	})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			rep, err := g.Run(context.Background(), p, dag.KeepResults())
			if v, gerr := dag.Get[string](rep.Results(), "b"); err != nil || gerr != nil || v != "ab" {
				t.Errorf("Run: %v, Get(b) = %q, %v", err, v, gerr)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 3 {
		t.Errorf("b ran %d times in 3 runs", calls.Load())
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	good := build(t, []string{"a"}, nil)
	cyclic := build(t, []string{"a:a"}, nil)
	tests := []struct {
		name string
		g    *dag.Graph
		ctx  context.Context
		p    *pool.Pool
		opts []dag.RunOption
		want error
	}{
		{"nil context", good, nil, p, nil, dag.ErrInvalidOption},
		{"nil pool", good, context.Background(), nil, nil, dag.ErrInvalidOption},
		{"nil graph", nil, context.Background(), p, nil, dag.ErrInvalidOption},
		{"nil option", good, context.Background(), p, []dag.RunOption{nil}, dag.ErrInvalidOption},
		{"unknown policy", good, context.Background(), p, []dag.RunOption{dag.FailurePolicy(9)}, dag.ErrInvalidOption},
		{"cycle", cyclic, context.Background(), p, nil, dag.ErrCycle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := tt.g.Run(tt.ctx, tt.p, tt.opts...)
			if rep != nil || !errors.Is(err, tt.want) {
				t.Fatalf("Run = %v, %v; want nil, %v", rep, err, tt.want)
			}
		})
	}
}

func TestRunStartsNoGoroutinePerNode(t *testing.T) {
	p := newPool(t, 2)
	defer p.Close()
	gate := make(chan struct{})
	var entered atomic.Int32
	spec := []string{}
	for i := range 500 {
		spec = append(spec, "n"+strconv.Itoa(i))
	}
	g := build(t, spec, nil)
	for i := range 500 {
		g.Add("d"+strconv.Itoa(i), func(context.Context, dag.Results) (any, error) {
			if entered.Add(1) == 1 {
				<-gate
			}
			return nil, nil
		}, dag.DependsOn(spec[i]))
	}
	before := runtime.NumGoroutine()
	done := make(chan error)
	go func() { _, err := g.Run(context.Background(), p); done <- err }()
	for entered.Load() == 0 {
		runtime.Gosched()
	}
	// One node blocks a worker; hundreds are queued or waiting.
	if n := runtime.NumGoroutine() - before; n > 3 {
		t.Errorf("%d goroutines started for a run of 1000 nodes", n)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunOnBoundedBlockingPool(t *testing.T) {
	p, err := pool.New(1, pool.WithQueueSize(1))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	spec := []string{"root"}
	for i := range 100 {
		spec = append(spec, "n"+strconv.Itoa(i)+":root")
	}
	rep, err := build(t, spec, nil).Run(context.Background(), p)
	if err != nil || len(rep.Nodes) != 101 {
		t.Fatalf("Run on a pool with a queue of 1: %v", err)
	}
}

// TestRunDetectsNodesDroppedByThePool: on a DropOldest pool of one worker
// and a queue of one, the root's job submits its three dependents while it
// still holds the worker, so the first two are evicted without running.
// Their nodes end Cancelled with pool.ErrDropped and their dependents
// Skipped; the run does not hang on them.
func TestRunDetectsNodesDroppedByThePool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(1, pool.WithQueueSize(1), pool.WithFullPolicy(pool.DropOldest))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		g := build(t, []string{"root", "x:root", "y:root", "z:root", "afterX:x", "afterZ:z"}, nil)
		rep, err := g.Run(context.Background(), p)
		if want := "root=succeeded x=cancelled y=cancelled z=succeeded afterX=skipped afterZ=succeeded"; states(rep) != want {
			t.Errorf("states:\n got %s\nwant %s", states(rep), want)
		}
		for _, name := range []string{"x", "y"} {
			if n, _ := rep.Node(name); !errors.Is(n.Err, pool.ErrDropped) || n.Attempts != 0 {
				t.Errorf("%s: error %v after %d attempts, want ErrDropped and no attempt", name, n.Err, n.Attempts)
			}
		}
		if !errors.Is(err, pool.ErrDropped) {
			t.Errorf("Run error = %v, want ErrDropped", err)
		}
	})
}

// TestRunOnRejectingPool: on a Reject pool of one worker and a queue of
// one, the root's job submits two dependents; the second is refused, ends
// Cancelled with pool.ErrQueueFull, and its dependent is Skipped.
func TestRunOnRejectingPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(1, pool.WithQueueSize(1), pool.WithFullPolicy(pool.Reject))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		g := build(t, []string{"root", "x:root", "y:root", "afterY:y"}, nil)
		rep, err := g.Run(context.Background(), p)
		if want := "root=succeeded x=succeeded y=cancelled afterY=skipped"; states(rep) != want {
			t.Errorf("states:\n got %s\nwant %s", states(rep), want)
		}
		if !errors.Is(err, pool.ErrQueueFull) {
			t.Errorf("Run error = %v, want ErrQueueFull", err)
		}
	})
}

// TestRunNameJobs: a node's job is named after the node only under
// NameJobs.
func TestRunNameJobs(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	jobName := func(ctx context.Context, _ dag.Results) (any, error) {
		j, ok := pool.JobFromContext(ctx)
		if !ok {
			return nil, errors.New("no job in the node's context")
		}
		return j.Name(), nil
	}
	g := build(t, []string{"a", "b"}, map[string]nodeFunc{"a": jobName})
	g.Add("prio", jobName, dag.WithPriority(pool.High))
	tests := []struct {
		opts []dag.RunOption
		want string // the job names of a and prio
	}{
		{[]dag.RunOption{dag.KeepResults()}, ","},
		{[]dag.RunOption{dag.KeepResults(), dag.NameJobs()}, "a,prio"},
	}
	for _, tt := range tests {
		rep, err := g.Run(context.Background(), p, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := dag.Get[string](rep.Results(), "a")
		prio, _ := dag.Get[string](rep.Results(), "prio")
		if got := a + "," + prio; got != tt.want {
			t.Errorf("Run(%d options): job names %q, want %q", len(tt.opts), got, tt.want)
		}
	}
}
