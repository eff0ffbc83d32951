package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/threadsystem/threadsystem/event"
	"github.com/threadsystem/threadsystem/pool"
)

// demoConfig is what the demo's flags set.
type demoConfig struct {
	jobs     int
	workers  int
	work     time.Duration
	failRate float64
	plain    bool
	metrics  string
}

func demo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c demoConfig
	fs.IntVar(&c.jobs, "jobs", 20000, "number of jobs to run")
	fs.IntVar(&c.workers, "workers", runtime.GOMAXPROCS(0), "number of workers")
	fs.DurationVar(&c.work, "work", 50*time.Microsecond, "mean CPU time of one job")
	fs.Float64Var(&c.failRate, "fail", 0.01, "fraction of jobs that fail")
	fs.BoolVar(&c.plain, "plain", false, "plain progress lines even on a terminal")
	fs.StringVar(&c.metrics, "metrics", "", "serve Prometheus /metrics on this address (e.g. :9090) while the demo runs")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if c.jobs < 1 || c.workers < 1 || c.work < 0 || c.failRate < 0 || c.failRate > 1 {
		fmt.Fprintln(stderr, "threadsys demo: -jobs and -workers must be >= 1, -work >= 0, -fail within [0,1]")
		return 2
	}
	if !c.plain && !isTerminal(stdout) {
		c.plain = true
	}
	if err := runDemo(c, stdout); err != nil {
		fmt.Fprintln(stderr, "threadsys demo:", err)
		return 1
	}
	return 0
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

var errDemoFailure = errors.New("simulated failure")

func runDemo(c demoConfig, w io.Writer) error {
	// The progress line, the event log and the main flow all print.
	out := &lockedWriter{w: w}
	ctx := context.Background()
	bus := event.NewBus()
	defer bus.Close(ctx) // on error paths; a no-op after the Close below
	log := newEventLog(out)
	unsubscribe := event.Subscribe(bus, log.handle)
	defer unsubscribe()
	// Pool lifecycle events reach the bus with one line.
	toBus := pool.WithObserver(pool.ObserverFunc(func(e pool.Event) { event.Publish(ctx, bus, e) }))

	tp, err := pool.NewTyped([]pool.Key[string]{
		{Key: "cpu", Workers: c.workers},
		{Key: "io", Workers: 1, Options: []pool.Option{
			pool.WithMinWorkers(1), pool.WithMaxWorkers(8), pool.WithIdleTimeout(50 * time.Millisecond)}},
	}, pool.WithName("demo"), toBus)
	if err != nil {
		return err
	}
	defer tp.Close() // on error paths; a no-op after the Close below
	cpu, _ := tp.Pool("cpu")
	if c.metrics != "" {
		stop, err := serveMetrics(c.metrics, tp, out)
		if err != nil {
			return err
		}
		defer stop()
	}
	fmt.Fprintf(out, "threadsys demo: %d jobs on %d cpu workers, mixed priorities (%s per job, %.0f%% failing),\n"+
		"plus an adaptive io key (1-8 workers), a DAG, a periodic job and a retried job\n",
		c.jobs, c.workers, c.work, c.failRate*100)

	start := time.Now()
	stop := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		progress(cpu, c, out, stop)
	}()

	// A burst of slow io work makes the io key scale up, then down.
	for range 16 {
		if err := tp.Go("io", func() { time.Sleep(20 * time.Millisecond) }); err != nil {
			return err
		}
	}
	if err := submitMixed(ctx, cpu, c); err != nil {
		return err
	}
	if err := runPipeline(ctx, cpu, out); err != nil {
		return err
	}
	if err := runScheduled(ctx, cpu, out); err != nil {
		return err
	}
	if err := tp.Wait(ctx); err != nil {
		return err
	}
	time.Sleep(100 * time.Millisecond) // let the io key's extra workers retire
	if err := tp.Close(); err != nil {
		return err
	}
	close(stop)
	<-progressDone
	if err := bus.Close(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out, "events on the bus:", log.summary())
	summary(out, cpu.Stats(), time.Since(start))
	io, _ := tp.Pool("io")
	s := io.Stats()
	fmt.Fprintf(out, "io key: %d jobs, workers scaled up %d and retired %d times, %d left\n",
		s.Succeeded, s.Started, s.Retired, s.Workers)
	return nil
}

// submitMixed submits c.jobs jobs of mixed priorities to p.
func submitMixed(ctx context.Context, p *pool.Pool, c demoConfig) error {
	rng := rand.New(rand.NewPCG(1, 2))
	// Mostly Normal work, with bursts of Low background jobs and a trickle
	// of High and Highest: the wait times below show the levels at work.
	weights := []struct {
		prio pool.Priority
		w    int
	}{{pool.Lowest, 10}, {pool.Low, 25}, {pool.Normal, 45}, {pool.High, 15}, {pool.Highest, 5}}
	for i := range c.jobs {
		r, prio := rng.IntN(100), pool.Normal
		for _, w := range weights {
			if r < w.w {
				prio = w.prio
				break
			}
			r -= w.w
		}
		fail := rng.Float64() < c.failRate
		d := time.Duration(rng.ExpFloat64() * float64(c.work))
		_, err := p.Submit(ctx, func(ctx context.Context) error {
			spin(d)
			if fail {
				return errDemoFailure
			}
			return nil
		}, pool.WithPriority(prio), pool.WithName(fmt.Sprintf("job-%d", i)))
		if err != nil {
			return err
		}
	}
	return nil
}

// spin burns about d of CPU, standing in for real work.
func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// progress prints the pool's state until stop closes: one rewritten line on
// a terminal, a line a second otherwise.
func progress(p *pool.Pool, c demoConfig, out io.Writer, stop <-chan struct{}) {
	every := 100 * time.Millisecond
	if c.plain {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			if !c.plain {
				fmt.Fprint(out, "\r\033[K")
			}
			return
		case <-t.C:
		}
		s := p.Stats()
		done := s.Succeeded + s.Failed + s.Cancelled
		line := fmt.Sprintf("%6.1f%%  done %d/%d  queued %d  running %d  %.0f jobs/s",
			100*float64(done)/float64(c.jobs), done, c.jobs, s.Queued, s.Running, s.Throughput())
		if c.plain {
			fmt.Fprintln(out, line)
		} else {
			fmt.Fprint(out, "\r\033[K"+line)
		}
	}
}

// summary prints the Stats table and the per-priority wait times.
func summary(out io.Writer, s pool.Stats, elapsed time.Duration) {
	fmt.Fprintf(out, "\ncpu key finished in %v (%.0f jobs/s)\n\n", elapsed.Round(time.Millisecond),
		float64(s.Succeeded+s.Failed+s.Cancelled)/elapsed.Seconds())
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "submitted\tsucceeded\tfailed\tcancelled\tretried\tpanicked\trejected\tqueued\trunning\t")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", s.Submitted, s.Succeeded, s.Failed,
		s.Cancelled, s.Retried, s.Panicked, s.Rejected, s.Queued, s.Running)
	tw.Flush()

	fmt.Fprintln(out, "\nwait in queue by priority (upper bounds, power-of-two buckets):")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "priority\tjobs\tp50\tp90\tp99\t")
	for i := len(pool.Priorities) - 1; i >= 0; i-- {
		h := s.WaitBy[i]
		fmt.Fprintf(tw, "%s\t%d\t%v\t%v\t%v\t\n", pool.Priorities[i], h.Count,
			round(h.Quantile(0.5)), round(h.Quantile(0.9)), round(h.Quantile(0.99)))
	}
	tw.Flush()
	fmt.Fprintf(out, "\nrun time: p50 %v  p99 %v\n", round(s.Run.Quantile(0.5)), round(s.Run.Quantile(0.99)))
	if sum := uint64(s.Pending) + uint64(s.Queued) + uint64(s.Running) + s.Succeeded + s.Failed + s.Cancelled + s.Skipped; sum == s.Submitted {
		fmt.Fprintln(out, "counts reconcile: submitted = pending + queued + running + succeeded + failed + cancelled + skipped")
	} else {
		fmt.Fprintln(out, "counts DO NOT reconcile:", strings.Repeat("!", 3))
	}
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(time.Microsecond)
	}
	return d
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
