package main

import (
	"context"
	"fmt"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/threadsystem/threadsystem/pool"
)

// Names of the rows of (h) and (i).
const (
	tsCallName     = "threadsystem Call + Await"
	pondResultName = "pond ResultPool Submit + Wait"
	pondErrName    = "pond ResultPool SubmitErr + Wait"
	tsMapName      = "threadsystem Map"
	pondGroupName  = "pond ResultPool group SubmitErr + Wait"
)

// perJobMetrics are (h)'s and (i)'s columns: throughput, then what each job
// allocates.
func perJobMetrics() []Metric {
	return append([]Metric{rateMetric}, allocMetrics("job", true)...)
}

// futureWorkload is (h): typed futures from one submitter.
func futureWorkload(sc Scale) Workload {
	n := sc.n(1_000_000)
	w := Workload{Key: "h-future", Title: "(h) typed futures",
		What: fmt.Sprintf("%s tiny typed jobs (an atomic add returning an int64), each submitted from one goroutine for a future, "+
			"then every future awaited in order; workers = GOMAXPROCS = %d, pools built outside the clock, the future slice too. "+
			"allocs/job and B/job: runtime.MemStats Mallocs and TotalAlloc deltas over the timed part, per job. "+
			"The awaited values are summed and checked.", fmtCount(n), procs()),
		Metrics: perJobMetrics(),
		Base:    pondResultName,
		Checks: []Check{
			{Entry: tsCallName, Versus: pondResultName, Metric: 0, Want: 2, Note: "project target: at least 2× pond"},
			{Entry: tsCallName, Versus: pondResultName, Metric: 1},
			{Entry: tsCallName, Versus: pondResultName, Metric: 2},
		}}
	w.Entries = []Entry{
		{Name: tsCallName, Run: func() ([]float64, error) { return callAwait(n) }},
		{Name: pondResultName, Run: func() ([]float64, error) { return pondAwait(n, false) }},
		{Name: pondErrName, Run: func() ([]float64, error) { return pondAwait(n, true) }},
	}
	return w
}

// typedJob is (h)'s job: one atomic add whose new value is the result.
func typedJob() int64 { return counter.Add(1) }

// checkSum verifies that the results of n typedJobs sum to 1+2+...+n.
func checkSum(name string, n int, sum int64) error {
	if want := int64(n) * int64(n+1) / 2; sum != want {
		return fmt.Errorf("%s: results sum to %d, want %d", name, sum, want)
	}
	return nil
}

// callAwait runs n typed jobs with pool.Call and awaits each future.
func callAwait(n int) ([]float64, error) {
	p, err := pool.New(procs())
	if err != nil {
		return nil, err
	}
	defer p.Close()
	ctx := context.Background()
	fn := func(context.Context) (int64, error) { return typedJob(), nil }
	return awaitEach(tsCallName, n,
		func() (*pool.Future[int64], error) { return pool.Call(ctx, p, fn) },
		func(f *pool.Future[int64]) (int64, error) { return f.Await(ctx) })
}

// pondAwait runs n typed jobs on a pond result pool, with Submit or
// SubmitErr, and waits on each result.
func pondAwait(n int, withErr bool) ([]float64, error) {
	p := pond.NewResultPool[int64](procs())
	defer p.StopAndWait()
	fnErr := func() (int64, error) { return typedJob(), nil }
	submit := func() (pond.ResultTask[int64], error) { return p.Submit(typedJob), nil }
	if withErr {
		submit = func() (pond.ResultTask[int64], error) { return p.SubmitErr(fnErr), nil }
	}
	return awaitEach("pond", n, submit, pond.ResultTask[int64].Wait)
}

// awaitEach times n calls of submit, each returning a handle, then wait on
// every handle in order, and returns jobs/s, allocations and bytes per job;
// the handle slice is made before the clock starts. It checks the values
// waited for.
func awaitEach[H any](name string, n int, submit func() (H, error), wait func(H) (int64, error)) ([]float64, error) {
	hs := make([]H, n)
	counter.Store(0)
	var am allocMeter
	am.start()
	start := time.Now()
	for i := range hs {
		var err error
		if hs[i], err = submit(); err != nil {
			return nil, err
		}
	}
	var sum int64
	for _, h := range hs {
		v, err := wait(h)
		if err != nil {
			return nil, err
		}
		sum += v
	}
	d := time.Since(start)
	allocs, bytes := am.per(n)
	return []float64{float64(n) / d.Seconds(), allocs, bytes}, checkSum(name, n, sum)
}

// mapWorkload is (i): a slice mapped in parallel, results in order.
func mapWorkload(sc Scale) Workload {
	n := sc.n(1_000_000)
	w := Workload{Key: "i-map", Title: "(i) parallel map of a slice",
		What: fmt.Sprintf("a %s-element []int64 mapped with x → 2x+1 into a new slice in input order; workers = GOMAXPROCS = %d. "+
			"threadsystem: pool.Map(ctx, p, items, fn). pond: a result group, one SubmitErr per element (a closure over the element, "+
			"as its README does), then Wait for the ordered results. The input slice is built outside the clock; each pool's start and stop "+
			"(microseconds) inside it. Results checked.",
			fmtCount(n), procs()),
		Metrics: perJobMetrics(),
		Base:    pondGroupName,
		Checks: []Check{
			{Entry: tsMapName, Versus: pondGroupName, Metric: 0},
			{Entry: tsMapName, Versus: pondGroupName, Metric: 2},
		}}
	w.Entries = []Entry{
		{Name: tsMapName, Run: func() ([]float64, error) { return mapRun(n, tsMap) }},
		{Name: pondGroupName, Run: func() ([]float64, error) { return mapRun(n, pondMap) }},
	}
	return w
}

// double is (i)'s element function.
func double(x int64) int64 { return 2*x + 1 }

// mapRun times one map of n elements and checks its output.
func mapRun(n int, mapper func([]int64) ([]int64, error)) ([]float64, error) {
	items := make([]int64, n)
	for i := range items {
		items[i] = int64(i)
	}
	var am allocMeter
	am.start()
	start := time.Now()
	out, err := mapper(items)
	d := time.Since(start)
	allocs, bytes := am.per(n)
	if err != nil {
		return nil, err
	}
	if len(out) != n {
		return nil, fmt.Errorf("map: %d results for %d items", len(out), n)
	}
	for i, v := range out {
		if v != double(int64(i)) {
			return nil, fmt.Errorf("map: result %d is %d, want %d", i, v, double(int64(i)))
		}
	}
	return []float64{float64(n) / d.Seconds(), allocs, bytes}, nil
}

// tsMap maps items with pool.Map on a fresh pool; the pool's start-up and
// Close are inside the clock, as pond's are in pondMap.
func tsMap(items []int64) ([]int64, error) {
	p, err := pool.New(procs())
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return pool.Map(context.Background(), p, items, func(_ context.Context, x int64) (int64, error) {
		return double(x), nil
	})
}

// pondMap maps items with a pond result group.
func pondMap(items []int64) ([]int64, error) {
	p := pond.NewResultPool[int64](procs())
	defer p.StopAndWait()
	g := p.NewGroup()
	for _, x := range items {
		g.SubmitErr(func() (int64, error) { return double(x), nil })
	}
	return g.Wait()
}
