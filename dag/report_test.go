package dag_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/dag"
	"github.com/threadsystem/threadsystem/pool"
)

func sleeper(d time.Duration) nodeFunc {
	return func(context.Context, dag.Results) (any, error) {
		time.Sleep(d)
		return nil, nil
	}
}

func TestCriticalPath(t *testing.T) {
	ms := time.Millisecond
	// a -> b -> d, a -> c -> d, e alone; durations in the table.
	spec := []string{"a", "b:a", "c:a", "d:c,b", "e"}
	tests := []struct {
		name     string
		dur      map[string]time.Duration
		wantPath []string
		wantTime time.Duration
	}{
		{"through b", map[string]time.Duration{"a": 10 * ms, "b": 30 * ms, "c": 20 * ms, "d": 5 * ms, "e": 40 * ms},
			[]string{"a", "b", "d"}, 45 * ms},
		{"through c", map[string]time.Duration{"a": 10 * ms, "b": 20 * ms, "c": 30 * ms, "d": 5 * ms, "e": 40 * ms},
			[]string{"a", "c", "d"}, 45 * ms},
		{"independent node finishes last", map[string]time.Duration{"a": 10 * ms, "b": 30 * ms, "c": 20 * ms, "d": 5 * ms, "e": 60 * ms},
			[]string{"e"}, 60 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPool(t, 4)
				defer p.Close()
				fns := map[string]nodeFunc{}
				for name, d := range tt.dur {
					fns[name] = sleeper(d)
				}
				rep, err := build(t, spec, fns).Run(context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(rep.CriticalPath, tt.wantPath) || rep.CriticalTime != tt.wantTime {
					t.Errorf("critical path %v (%v), want %v (%v)", rep.CriticalPath, rep.CriticalTime, tt.wantPath, tt.wantTime)
				}
				if want := max(45*ms, tt.dur["e"]); rep.Elapsed != want {
					t.Errorf("Elapsed = %v, want %v", rep.Elapsed, want)
				}
				for _, n := range rep.Nodes {
					if n.RunTime() != tt.dur[n.Name] || n.Queued > n.Started || n.Queued < 0 {
						t.Errorf("%s: queued %v started %v ran %v, want %v", n.Name, n.Queued, n.Started, n.RunTime(), tt.dur[n.Name])
					}
				}
			})
		})
	}
}

func TestCriticalPathSkipsNodesThatNeverRan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, 2)
		defer p.Close()
		g := build(t, []string{"a", "b:a", "c"}, map[string]nodeFunc{
			"a": func(context.Context, dag.Results) (any, error) { time.Sleep(time.Second); return nil, errBoom },
			"c": sleeper(time.Millisecond),
		})
		rep, _ := g.Run(context.Background(), p)
		if !slices.Equal(rep.CriticalPath, []string{"a"}) || rep.CriticalTime != time.Second {
			t.Fatalf("critical path %v (%v), want [a] (1s)", rep.CriticalPath, rep.CriticalTime)
		}
		if b, _ := rep.Node("b"); b.Queued != dag.NotReached || b.Started != dag.NotReached || b.Finished != dag.NotReached || b.RunTime() != 0 {
			t.Errorf("skipped b has timings %+v", b)
		}
	})
}

func TestRunErrorCountsAndLists(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	g := build(t, []string{"a", "b:a", "c", "d"}, map[string]nodeFunc{"a": fail, "c": fail})
	_, err := g.Run(context.Background(), p)
	var re *dag.RunError
	if !errors.As(err, &re) {
		t.Fatalf("Run error %v is not a *RunError", err)
	}
	if re.Nodes != 4 || re.Failed != 2 || re.Skipped != 1 || re.Cancelled != 0 || len(re.Errs) != 2 {
		t.Errorf("RunError = %+v", re)
	}
	want := `dag: 3 of 4 nodes did not succeed (2 failed, 0 cancelled, 1 skipped); dag: node "a" failed: boom; dag: node "c" failed: boom`
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
}

func TestRunErrorMessageIsBounded(t *testing.T) {
	re := &dag.RunError{Nodes: 100, Failed: 100}
	for range 100 {
		re.Errs = append(re.Errs, errBoom)
	}
	if got := re.Error(); !strings.HasSuffix(got, "; boom; and 92 more") {
		t.Fatalf("message %q", got)
	}
}

func TestReportNode(t *testing.T) {
	rep := &dag.Report{Nodes: []dag.NodeReport{{Name: "x", State: pool.Failed}}}
	if n, ok := rep.Node("x"); !ok || n.State != pool.Failed {
		t.Errorf("Node(x) on a hand-built report = %+v, %v", n, ok)
	}
	if _, ok := rep.Node("y"); ok {
		t.Error("Node(y) found a node that is not there")
	}
	var nilRep *dag.Report
	if _, ok := nilRep.Node("x"); ok {
		t.Error("Node on a nil report found something")
	}
}

// TestReportKeepsNoResultByDefault checks that a Report from a Run without
// KeepResults keeps neither the nodes' results nor their jobs alive: a
// result becomes garbage once Run has returned, while the Report is still
// in use.
func TestReportKeepsNoResultByDefault(t *testing.T) {
	p := newPool(t, 1)
	defer p.Close()
	g := dag.New()
	var freed atomic.Bool
	g.Add("big", func(context.Context, dag.Results) (any, error) {
		v := new([1 << 16]byte)
		runtime.AddCleanup(v, func(*atomic.Bool) { freed.Store(true) }, &freed)
		return v, nil
	})
	rep, err := g.Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && !freed.Load(); i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if !freed.Load() {
		t.Error("the result of a node is still alive after Run returned a Report without KeepResults")
	}
	if n, ok := rep.Node("big"); !ok || n.State != pool.Succeeded {
		t.Errorf("Node(big) = %+v, %v", n, ok)
	}
}
