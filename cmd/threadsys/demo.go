package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
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
	// durable runs the durable part after the pools' report, with
	// durableJobs email jobs.
	durable     bool
	durableJobs int
}

// ioJobs is the number of slow jobs on the io pool, which make it scale.
const ioJobs = 16

// demoFlags returns the demo's flag set, writing into c, which it first
// sets to the defaults.
func demoFlags(c *demoConfig) *flag.FlagSet {
	*c = demoConfig{jobs: 20000, workers: runtime.GOMAXPROCS(0), work: 50 * time.Microsecond, failRate: 0.01, durable: true, durableJobs: 300}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Var(intFlag{&c.jobs, 1}, "jobs", "run `n` main jobs on the cpu pool")
	fs.Var(intFlag{&c.workers, 1}, "workers", "give the cpu pool `n` workers")
	fs.Var(durationFlag{&c.work}, "work", "make a main job burn about this `duration` of CPU, on average")
	fs.Var(fractionFlag{&c.failRate}, "fail", "make this `fraction` of the main jobs fail, from 0 to 1 (1: all of them)")
	fs.BoolVar(&c.plain, "plain", false, "print progress as plain lines, one a second, even on a terminal")
	fs.Var(addrFlag{&c.metrics}, "metrics", "while the demo runs, serve /metrics, /healthz, /healthz/cpu, /healthz/io and /debug/pprof/ on this `address` (e.g. :9090)")
	fs.BoolVar(&c.durable, "durable", true, "after the pools' report, run the durable part on an embedded JetStream server in a temporary directory (-durable=false: skip it)")
	fs.Var(intFlag{&c.durableJobs, 1}, "durable-jobs", "enqueue `n` email jobs in the durable part")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), demoAbout)
		fs.PrintDefaults()
	}
	return fs
}

const demoAbout = `usage: threadsys demo [flags]

Demo runs a workload on a typed pool and prints what happened. The main jobs
(-jobs of them, a -fail fraction failing) burn about -work of CPU each at five
priorities on the "cpu" pool of -workers workers. Beside them, counted apart:
16 slow jobs on an adaptive "io" pool of 1 to 8 workers, a 4-node DAG, a
heartbeat run 5 times and a job retried until it succeeds, these three on the
cpu pool. It shows live progress of the main jobs, then a table of jobs by
origin whose rows add up to each pool's Stats, the pool events seen on an event
bus, and the queue wait by priority.

Then, unless -durable=false, the durable part starts an embedded JetStream
server with file storage in a temporary directory (removed after) and enqueues
-durable-jobs email jobs, a job that fails twice then succeeds, one that fails
every attempt and goes to the dead letters, a report enqueued twice under one
unique key (the second is refused), and 8 long exports. Worker A is stopped
mid-run with the exports running; they are given back and redelivered to
worker B. It prints what happened to each kind of job, with counts that add up
to the stored job records. It all takes a few seconds with the defaults.

flags:
`

func demoHelp(w io.Writer) {
	var c demoConfig
	fs := demoFlags(&c)
	fs.SetOutput(w)
	fs.Usage()
}

func demo(args []string, stdout, stderr io.Writer) int {
	var c demoConfig
	fs := demoFlags(&c)
	// The flag package writes both -h's usage and an error's to one output;
	// help goes to stdout, errors to stderr.
	var msg bytes.Buffer
	fs.SetOutput(&msg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			stdout.Write(msg.Bytes())
			return 0
		}
		stderr.Write(msg.Bytes())
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "threadsys demo: unexpected argument %q\n", fs.Arg(0))
		fs.SetOutput(stderr)
		fs.Usage()
		return 2
	}
	if !c.plain && !isTerminal(stdout) {
		c.plain = true
	}
	// Everything that can fail on the user's input fails here, before any
	// pool starts.
	var ln net.Listener
	if c.metrics != "" {
		var err error
		if ln, err = net.Listen("tcp", c.metrics); err != nil {
			fmt.Fprintf(stderr, "threadsys demo: -metrics %s: %v\n", c.metrics, err)
			return 1
		}
	}
	if err := runDemo(c, ln, stdout); err != nil {
		fmt.Fprintln(stderr, "threadsys demo:", err)
		return 1
	}
	if c.durable {
		if err := runDurable(c.durableJobs, stdout); err != nil {
			fmt.Fprintln(stderr, "threadsys demo:", err)
			return 1
		}
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

// runDemo runs the demo, serving HTTP on ln when it is not nil, and closes
// ln. Its output comes in a fixed order: the header, the serving line,
// progress, then the report; nothing else prints while progress does.
func runDemo(c demoConfig, ln net.Listener, w io.Writer) error {
	if ln != nil {
		defer ln.Close() // on error paths; a no-op once the server closed it
	}
	ctx := context.Background()
	fmt.Fprintf(w, "threadsys demo: %d main jobs on the cpu pool (%d workers, mixed priorities, about %s of CPU each, %g%% set to fail);\n"+
		"counted apart: %d io-pool jobs (1-8 adaptive workers), and on the cpu pool a 4-node DAG, a heartbeat run 5 times and a retried job\n",
		c.jobs, c.workers, c.work, c.failRate*100, ioJobs)

	bus := event.NewBus()
	defer bus.Close(ctx) // on error paths; a no-op after the Close below
	events := newEventLog()
	event.Subscribe(bus, events.handle)
	// Each pool's lifecycle events reach the bus with one option, tagged
	// with the pool's key.
	observe := func(key string) pool.Option {
		return pool.WithObserver(pool.ObserverFunc(func(e pool.Event) {
			event.Publish(ctx, bus, poolEvent{Pool: key, Event: e})
		}))
	}
	tp, err := pool.NewTyped([]pool.Key[string]{
		{Key: "cpu", Workers: c.workers, Options: []pool.Option{observe("cpu")}},
		{Key: "io", Workers: 1, Options: []pool.Option{observe("io"),
			pool.WithMinWorkers(1), pool.WithMaxWorkers(8), pool.WithIdleTimeout(50 * time.Millisecond)}},
	}, pool.WithName("demo"))
	if err != nil {
		return err
	}
	defer tp.Close() // on error paths; a no-op after the Close below
	cpu, _ := tp.Pool("cpu")
	iop, _ := tp.Pool("io")
	if ln != nil {
		srv := newDemoServer(tp)
		go srv.Serve(ln)
		defer srv.Close()
		fmt.Fprintf(w, "serving http://%s/metrics, /healthz (every pool), /healthz/cpu, /healthz/io and /debug/pprof/\n", ln.Addr())
	}

	start := time.Now()
	var m mainProgress
	stop := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		progress(w, c, &m, cpu, start, stop)
	}()
	// Whatever happens, progress ends before runDemo returns.
	var stopOnce sync.Once
	stopProgress := func() { stopOnce.Do(func() { close(stop); <-progressDone }) }
	defer stopProgress()

	// A burst of slow io work makes the io pool scale up, then down.
	for range ioJobs {
		if err := tp.Go("io", func() { time.Sleep(20 * time.Millisecond) }); err != nil {
			return err
		}
	}
	mainJobs, err := submitMixed(ctx, cpu, c, &m)
	if err != nil {
		return err
	}
	dagLine, dagTally, err := runPipeline(ctx, cpu)
	if err != nil {
		return err
	}
	schedLine, beatTally, retryTally, err := runScheduled(ctx, cpu)
	if err != nil {
		return err
	}
	if err := tp.Wait(ctx); err != nil {
		return err
	}
	awaitWorkers(iop, 1, time.Second) // the io pool's extra workers retire
	cpuStats, ioStats := cpu.Stats(), iop.Stats()
	stopProgress()
	if err := tp.Close(); err != nil {
		return err
	}
	ioAfterClose := iop.Stats()
	if err := bus.Close(ctx); err != nil {
		return err
	}
	elapsed := time.Since(start)

	var mainTally tally
	for _, j := range mainJobs {
		mainTally.add(j.State(), j.Attempts())
	}
	fmt.Fprintln(w, dagLine)
	fmt.Fprintln(w, schedLine)
	r := report{
		mainTally: mainTally, dagTally: dagTally, beatTally: beatTally, retryTally: retryTally,
		cpu: cpuStats, io: ioStats, ioAfterClose: ioAfterClose,
		mainElapsed: m.elapsed(start), elapsed: elapsed, events: events,
	}
	return r.print(w)
}

// mainProgress counts main jobs as they end and notes when the last one did.
type mainProgress struct {
	done atomic.Int64
	end  atomic.Int64 // UnixNano when the last main job ended
	of   int64
}

func (m *mainProgress) ended() {
	if m.done.Add(1) == m.of {
		m.end.Store(time.Now().UnixNano())
	}
}

// elapsed is the time from start until the last main job ended.
func (m *mainProgress) elapsed(start time.Time) time.Duration {
	return time.Unix(0, m.end.Load()).Sub(start)
}

// submitMixed submits c.jobs main jobs of mixed priorities to p and returns
// their handles.
func submitMixed(ctx context.Context, p *pool.Pool, c demoConfig, m *mainProgress) ([]*pool.Job, error) {
	m.of = int64(c.jobs)
	rng := rand.New(rand.NewPCG(1, 2))
	// Mostly Normal work, with bursts of Low background jobs and a trickle
	// of High and Highest: the wait times show the levels at work.
	weights := []struct {
		prio pool.Priority
		w    int
	}{{pool.Lowest, 10}, {pool.Low, 25}, {pool.Normal, 45}, {pool.High, 15}, {pool.Highest, 5}}
	jobs := make([]*pool.Job, 0, c.jobs)
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
		j, err := p.Submit(ctx, func(ctx context.Context) error {
			defer m.ended()
			spin(d)
			if fail {
				return errDemoFailure
			}
			return nil
		}, pool.WithPriority(prio), pool.WithName(fmt.Sprintf("job-%d", i)))
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// spin burns about d of CPU, standing in for real work.
func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// awaitWorkers waits up to limit for p to be down to n workers.
func awaitWorkers(p *pool.Pool, n int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for p.Stats().Workers > n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // polling a demo's pool, not synchronising a test
	}
}

// progress prints the main jobs' progress until stop closes: one rewritten
// line on a terminal, a line a second otherwise. Either way its last line
// ends with a newline, so what prints next starts on a line of its own.
func progress(out io.Writer, c demoConfig, m *mainProgress, cpu *pool.Pool, start time.Time, stop <-chan struct{}) {
	every := 100 * time.Millisecond
	if c.plain {
		every = time.Second
	}
	line := func() string {
		done, s := m.done.Load(), cpu.Stats()
		elapsed := time.Since(start)
		if done == m.of {
			elapsed = m.elapsed(start)
		}
		return fmt.Sprintf("%5.1f%%  main jobs done %d/%d  cpu pool: queued %d, running %d  %.0f main jobs/s",
			100*float64(done)/float64(c.jobs), done, c.jobs, s.Queued, s.Running, float64(done)/elapsed.Seconds())
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			if c.plain {
				fmt.Fprintln(out, line())
			} else {
				fmt.Fprint(out, "\r\033[K"+line()+"\n")
			}
			return
		case <-t.C:
		}
		if c.plain {
			fmt.Fprintln(out, line())
		} else {
			fmt.Fprint(out, "\r\033[K"+line())
		}
	}
}
