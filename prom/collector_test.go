package prom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/prom"
)

// seriesPerPool is the number of metrics Collect sends per source: 10
// counters, 9 gauges and 6 histograms.
const seriesPerPool = 25

// TestCollectExportsEveryStatsField: each Stats field lands in its own
// series; the fake gives every field a distinct value so that a swap fails.
func TestCollectExportsEveryStatsField(t *testing.T) {
	s := pool.Stats{
		Submitted: 101, Rejected: 102, Succeeded: 103, Failed: 104, Cancelled: 105,
		Skipped: 106, Panicked: 107, Retried: 108, Started: 109, Retired: 110,
		Pending: 9, Queued: 15, QueuedBy: [5]int{1, 2, 3, 4, 5},
		Running: 11, Workers: 12, Idle: 13,
	}
	_, reg := newCollector(t, map[string]prom.Source{"fake": prom.SourceFunc(func() pool.Stats { return s })})
	got := gather(t, reg)
	for _, tc := range []struct {
		series string
		want   float64
	}{
		{`threadsystem_jobs_total{pool="fake",state="succeeded"}`, 103},
		{`threadsystem_jobs_total{pool="fake",state="failed"}`, 104},
		{`threadsystem_jobs_total{pool="fake",state="cancelled"}`, 105},
		{`threadsystem_jobs_total{pool="fake",state="skipped"}`, 106},
		{`threadsystem_jobs_submitted_total{pool="fake"}`, 101},
		{`threadsystem_jobs_rejected_total{pool="fake"}`, 102},
		{`threadsystem_jobs_panicked_total{pool="fake"}`, 107},
		{`threadsystem_jobs_retried_total{pool="fake"}`, 108},
		{`threadsystem_workers_started_total{pool="fake"}`, 109},
		{`threadsystem_workers_retired_total{pool="fake"}`, 110},
		{`threadsystem_queue_depth{pool="fake",priority="lowest"}`, 1},
		{`threadsystem_queue_depth{pool="fake",priority="low"}`, 2},
		{`threadsystem_queue_depth{pool="fake",priority="normal"}`, 3},
		{`threadsystem_queue_depth{pool="fake",priority="high"}`, 4},
		{`threadsystem_queue_depth{pool="fake",priority="highest"}`, 5},
		{`threadsystem_jobs_pending{pool="fake"}`, 9},
		{`threadsystem_jobs_running{pool="fake"}`, 11},
		{`threadsystem_workers{pool="fake"}`, 12},
		{`threadsystem_workers_idle{pool="fake"}`, 13},
	} {
		if g, ok := got[tc.series]; !ok || g.value != tc.want {
			t.Errorf("%s = %v (present %v), want %v", tc.series, g.value, ok, tc.want)
		}
	}
	if n := testutil.CollectAndCount(reg); n != seriesPerPool {
		t.Errorf("CollectAndCount = %d, want %d", n, seriesPerPool)
	}
}

// TestCollectMatchesPoolStats runs jobs that end in every state on a real
// pool, some queued behind a blocked worker, and checks the scraped values
// against both the known counts and the pool's own Stats.
func TestCollectMatchesPoolStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(1, pool.WithName("work"))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		_, reg := newCollector(t, map[string]prom.Source{"work": p})

		ctx := context.Background()
		submit := func(ctx context.Context, fn func(context.Context) error, opts ...pool.JobOption) *pool.Job {
			t.Helper()
			j, err := p.Submit(ctx, fn, opts...)
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			return j
		}
		gate := make(chan struct{})
		submit(ctx, func(context.Context) error { <-gate; return nil })
		synctest.Wait() // the only worker now runs the blocker
		ok := func(context.Context) error { return nil }
		submit(ctx, ok, pool.WithPriority(pool.High))
		submit(ctx, ok, pool.WithPriority(pool.Normal))
		failed := submit(ctx, func(context.Context) error { return errors.New("boom") }, pool.WithPriority(pool.Low))
		submit(ctx, func(context.Context) error { panic("boom") }, pool.WithPriority(pool.Lowest))
		skipped := submit(ctx, ok, pool.After(failed))
		submit(ctx, ok, pool.WithPriority(pool.Highest)).Cancel()
		synctest.Wait()

		check := func(when string, want map[string]float64) {
			t.Helper()
			s := p.Stats()
			fromStats := map[string]float64{
				"threadsystem_jobs_total{pool=\"work\",state=\"succeeded\"}": float64(s.Succeeded),
				"threadsystem_jobs_total{pool=\"work\",state=\"failed\"}":    float64(s.Failed),
				"threadsystem_jobs_total{pool=\"work\",state=\"cancelled\"}": float64(s.Cancelled),
				"threadsystem_jobs_total{pool=\"work\",state=\"skipped\"}":   float64(s.Skipped),
				"threadsystem_jobs_submitted_total{pool=\"work\"}":           float64(s.Submitted),
				"threadsystem_jobs_rejected_total{pool=\"work\"}":            float64(s.Rejected),
				"threadsystem_jobs_panicked_total{pool=\"work\"}":            float64(s.Panicked),
				"threadsystem_jobs_retried_total{pool=\"work\"}":             float64(s.Retried),
				"threadsystem_workers_started_total{pool=\"work\"}":          float64(s.Started),
				"threadsystem_workers_retired_total{pool=\"work\"}":          float64(s.Retired),
				"threadsystem_jobs_running{pool=\"work\"}":                   float64(s.Running),
				"threadsystem_jobs_pending{pool=\"work\"}":                   float64(s.Pending),
				"threadsystem_workers{pool=\"work\"}":                        float64(s.Workers),
				"threadsystem_workers_idle{pool=\"work\"}":                   float64(s.Idle),
			}
			for i, prio := range pool.Priorities {
				fromStats[fmt.Sprintf("threadsystem_queue_depth{pool=\"work\",priority=%q}", prio)] = float64(s.QueuedBy[i])
			}
			got := gather(t, reg)
			for series, v := range fromStats {
				if got[series].value != v {
					t.Errorf("%s: %s = %v, Stats say %v", when, series, got[series].value, v)
				}
			}
			for series, v := range want {
				if got[series].value != v {
					t.Errorf("%s: %s = %v, want %v", when, series, got[series].value, v)
				}
			}
		}
		check("while blocked", map[string]float64{
			`threadsystem_jobs_submitted_total{pool="work"}`:           7,
			`threadsystem_jobs_total{pool="work",state="cancelled"}`:   1,
			`threadsystem_jobs_total{pool="work",state="succeeded"}`:   0,
			`threadsystem_queue_depth{pool="work",priority="highest"}`: 0,
			`threadsystem_queue_depth{pool="work",priority="high"}`:    1,
			`threadsystem_queue_depth{pool="work",priority="normal"}`:  1,
			`threadsystem_queue_depth{pool="work",priority="low"}`:     1,
			`threadsystem_queue_depth{pool="work",priority="lowest"}`:  1,
			`threadsystem_jobs_running{pool="work"}`:                   1,
			`threadsystem_jobs_pending{pool="work"}`:                   1,
			`threadsystem_workers{pool="work"}`:                        1,
			`threadsystem_workers_idle{pool="work"}`:                   0,
		})

		close(gate)
		if err := skipped.Wait(ctx); err == nil {
			t.Fatal("the job after a failed one succeeded; want it skipped")
		}
		p.Close()
		if _, err := p.Submit(ctx, ok); !errors.Is(err, pool.ErrClosed) {
			t.Fatalf("Submit after Close = %v, want ErrClosed", err)
		}
		check("after close", nil)
		const want = `
# HELP threadsystem_jobs_total Jobs that reached a terminal state, by state: succeeded, failed (panicked ones included), cancelled, skipped (a dependency did not succeed).
# TYPE threadsystem_jobs_total counter
threadsystem_jobs_total{pool="work",state="cancelled"} 1
threadsystem_jobs_total{pool="work",state="failed"} 2
threadsystem_jobs_total{pool="work",state="skipped"} 1
threadsystem_jobs_total{pool="work",state="succeeded"} 3
# HELP threadsystem_jobs_submitted_total Jobs the pool accepted.
# TYPE threadsystem_jobs_submitted_total counter
threadsystem_jobs_submitted_total{pool="work"} 7
# HELP threadsystem_jobs_rejected_total Submits the pool refused: closed pool, full queue, or the submitter's context ended while it waited for room.
# TYPE threadsystem_jobs_rejected_total counter
threadsystem_jobs_rejected_total{pool="work"} 1
# HELP threadsystem_jobs_panicked_total Jobs that panicked; each is also counted in jobs_total as failed.
# TYPE threadsystem_jobs_panicked_total counter
threadsystem_jobs_panicked_total{pool="work"} 1
# HELP threadsystem_jobs_running Jobs a worker is executing.
# TYPE threadsystem_jobs_running gauge
threadsystem_jobs_running{pool="work"} 0
# HELP threadsystem_queue_depth Jobs waiting for a worker, by priority.
# TYPE threadsystem_queue_depth gauge
threadsystem_queue_depth{pool="work",priority="high"} 0
threadsystem_queue_depth{pool="work",priority="highest"} 0
threadsystem_queue_depth{pool="work",priority="low"} 0
threadsystem_queue_depth{pool="work",priority="lowest"} 0
threadsystem_queue_depth{pool="work",priority="normal"} 0
`
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
			"threadsystem_jobs_total", "threadsystem_jobs_submitted_total", "threadsystem_jobs_rejected_total",
			"threadsystem_jobs_panicked_total", "threadsystem_jobs_running", "threadsystem_queue_depth"); err != nil {
			t.Error(err)
		}
	})
}

// TestSeveralPoolsAreLabelledApart: one Collector serves several pools, each
// under its own pool label, with no series shared.
func TestSeveralPoolsAreLabelledApart(t *testing.T) {
	a, b := newPool(t, 1, "a"), newPool(t, 2, "b")
	ctx := context.Background()
	for range 3 {
		if _, err := a.Submit(ctx, func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	_, reg := newCollector(t, map[string]prom.Source{"a": a, "b": b})
	got := gather(t, reg)
	for series, want := range map[string]float64{
		`threadsystem_jobs_total{pool="a",state="succeeded"}`: 3,
		`threadsystem_jobs_total{pool="b",state="succeeded"}`: 0,
		`threadsystem_workers{pool="a"}`:                      0,
		`threadsystem_workers{pool="b"}`:                      2,
	} {
		if g, ok := got[series]; !ok || g.value != want {
			t.Errorf("%s = %v (present %v), want %v", series, g.value, ok, want)
		}
	}
	if n := testutil.CollectAndCount(reg); n != 2*seriesPerPool {
		t.Errorf("CollectAndCount = %d, want %d", n, 2*seriesPerPool)
	}
}

// TestAddRejectsBadInput: Add refuses duplicates, bad names and nil sources
// with an error and adds nothing.
func TestAddRejectsBadInput(t *testing.T) {
	p := newPool(t, 1, "p")
	var nilPool *pool.Pool
	for _, tc := range []struct {
		name string
		src  prom.Source
		want error
	}{
		{"taken", p, prom.ErrDuplicate},
		{"", p, prom.ErrInvalid},
		{"bad\xff", p, prom.ErrInvalid},
		{"nil", nil, prom.ErrInvalid},
		{"nil pool", nilPool, prom.ErrInvalid},
		{"nil func", prom.SourceFunc(nil), prom.ErrInvalid},
	} {
		c := prom.NewCollector()
		if err := c.Add("taken", p); err != nil {
			t.Fatal(err)
		}
		err := c.Add(tc.name, tc.src)
		if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), "prom: ") {
			t.Errorf("Add(%q, %T) = %v, want %v", tc.name, tc.src, err, tc.want)
		}
		if n := testutil.CollectAndCount(c); n != seriesPerPool {
			t.Errorf("after Add(%q, %T): %d series, want %d (only the first pool)", tc.name, tc.src, n, seriesPerPool)
		}
	}
}

// TestRemoveStopsExporting: a removed source's series disappear; removing
// again, or an unknown name, is a no-op reporting false; the name is free
// for a new Add.
func TestRemoveStopsExporting(t *testing.T) {
	p := newPool(t, 1, "p")
	c, reg := newCollector(t, map[string]prom.Source{"a": p, "b": p})
	for _, tc := range []struct {
		name   string
		want   bool
		series int
	}{
		{"a", true, seriesPerPool},
		{"a", false, seriesPerPool},
		{"unknown", false, seriesPerPool},
		{"b", true, 0},
	} {
		if got := c.Remove(tc.name); got != tc.want {
			t.Errorf("Remove(%q) = %v, want %v", tc.name, got, tc.want)
		}
		if n := testutil.CollectAndCount(reg); n != tc.series {
			t.Errorf("after Remove(%q): %d series, want %d", tc.name, n, tc.series)
		}
	}
	if err := c.Add("a", p); err != nil {
		t.Errorf("Add after Remove: %v", err)
	}
}

// TestInvalidOptionFailsRegister: a bad option makes Register fail with a
// clear error, and a direct Collect sends an invalid metric, not a panic.
func TestInvalidOptionFailsRegister(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  prom.Option
		want error // nil: any error
	}{
		{"negative lo", prom.WithBucketRange(-1, 1), prom.ErrInvalid},
		{"hi below lo", prom.WithBucketRange(2, 1), prom.ErrInvalid},
		{"no power of two", prom.WithBucketRange(3, 3), prom.ErrInvalid},
		{"nil option", nil, prom.ErrInvalid},
		{"label clash", prom.WithConstLabels(prometheus.Labels{"pool": "x"}), nil},
		{"bad label name", prom.WithConstLabels(prometheus.Labels{"\xff": "x"}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := prom.NewCollector(tc.opt)
			err := prometheus.NewPedanticRegistry().Register(c)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Register = %v, want an error matching %v", err, tc.want)
			}
			if err := c.Add("p", prom.SourceFunc(func() pool.Stats { return pool.Stats{} })); err != nil {
				t.Fatal(err)
			}
			ch := make(chan prometheus.Metric, 2*seriesPerPool)
			c.Collect(ch)
			close(ch)
			var n int
			for m := range ch {
				n++
				if err := m.Write(nil); err == nil {
					t.Errorf("collected a valid metric %v", m.Desc())
				}
			}
			if n != 1 {
				t.Errorf("Collect sent %d metrics, want 1 invalid one", n)
			}
		})
	}
}

// TestConstLabelsOnEverySeries: WithConstLabels adds its labels to every
// series, beside pool.
func TestConstLabelsOnEverySeries(t *testing.T) {
	p := newPool(t, 1, "p")
	_, reg := newCollector(t, map[string]prom.Source{"p": p},
		prom.WithConstLabels(prometheus.Labels{"instance": "node1"}))
	got := gather(t, reg)
	if len(got) != seriesPerPool {
		t.Fatalf("%d series, want %d", len(got), seriesPerPool)
	}
	for series := range got {
		if !strings.Contains(series, `instance="node1"`) || !strings.Contains(series, `pool="p"`) {
			t.Errorf("series %s lacks instance or pool", series)
		}
	}
}

// TestLintFindsNoProblems: promlint accepts every metric name, type, unit
// and help text.
func TestLintFindsNoProblems(t *testing.T) {
	c, _ := newCollector(t, map[string]prom.Source{"p": newPool(t, 1, "p")})
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range problems {
		t.Errorf("lint: %s: %s", pr.Metric, pr.Text)
	}
}

// TestScrapesRaceAddRemoveAndJobs: scrapes overlap Add, Remove and running
// jobs without a race (run with -race), and the counters of a pool never go
// down from one scrape to the next.
func TestScrapesRaceAddRemoveAndJobs(t *testing.T) {
	p := newPool(t, 2, "busy")
	c, reg := newCollector(t, map[string]prom.Source{"busy": p})
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 500 {
			if _, err := p.Submit(context.Background(), func(context.Context) error { return nil }); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for i := range 50 {
			name := fmt.Sprint("extra", i%3)
			if err := c.Add(name, p); err == nil {
				c.Remove(name)
			}
		}
	})
	last := map[string]float64{}
	for range 20 {
		for series, s := range gather(t, reg) {
			if !strings.Contains(series, `pool="busy"`) || !strings.Contains(series, "_total") {
				continue
			}
			if s.value < last[series] {
				t.Errorf("%s went down from %v to %v", series, last[series], s.value)
			}
			last[series] = s.value
		}
	}
	wg.Wait()
}
