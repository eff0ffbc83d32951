// Command bench compares threadsystem's pool with its Go peers and a plain
// buffered channel, in one process, and prints Markdown tables of ratios.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "repetitions of every workload for every contender")
	quick := flag.Bool("quick", false, "scale job counts down 10x for a smoke run")
	scale := flag.Float64("scale", 1, "multiply job counts (applied on top of -quick)")
	only := flag.String("only", "", "regexp: run only workloads whose key matches: a-tiny, b-cpu, c-sleep, d-latency, e-memory, f-priority, g-multi, "+
		"h-future, i-map, j-dag, k-schedule, l-event, m-event-latency, n-registry, o-observer, s-schedule-scale; with -durable also p-durable, q-durable-latency, r-durable-rss")
	with := flag.String("with", "", "regexp: run only rows whose name matches (the rows their ratios divide by always run)")
	var dc DurableConfig
	flag.BoolVar(&dc.On, "durable", false, "also run the durable sections (p)-(r): threadsystem durable, raw JetStream and asynq + redis-server (-only durable for them alone)")
	flag.IntVar(&dc.Jobs, "durable.jobs", 100_000, "(p): jobs enqueued and processed per run")
	flag.DurationVar(&dc.For, "durable.for", 10*time.Second, "(q): how long 1,000 jobs/s are offered (the first 1,000 jobs are discarded)")
	flag.IntVar(&dc.Queued, "durable.queued", 1_000_000, "(r): jobs queued for the RSS reading")
	flag.DurationVar(&dc.Stalled, "durable.stalled", 60*time.Second, "a durable run fails when no job completes for this long")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -cpuprofile:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(os.Stdout, os.Stderr, *runs, *quick, *scale, *only, *with, dc); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// run parses the filters, runs the selected workloads and writes the report.
func run(out, progress io.Writer, runs int, quick bool, scale float64, only, with string, dc DurableConfig) error {
	if runs < 1 || scale <= 0 {
		return fmt.Errorf("-runs must be >= 1 and -scale > 0")
	}
	if dc.On && (dc.Jobs < 1 || dc.Queued < 1 || dc.For < time.Second || dc.Stalled < time.Second) {
		return fmt.Errorf("-durable.jobs and -durable.queued must be >= 1, -durable.for and -durable.stalled >= 1s")
	}
	onlyRE, err := regexp.Compile(only)
	if err != nil {
		return fmt.Errorf("-only: %w", err)
	}
	withRE, err := regexp.Compile(with)
	if err != nil {
		return fmt.Errorf("-with: %w", err)
	}
	sc := Scale(scale)
	if quick {
		sc /= 10
	}
	var cs []Contender
	for _, c := range contenders() {
		if c.Name == baselineName || withRE.MatchString(c.Name) {
			cs = append(cs, c)
		}
	}
	calibrate()
	start := time.Now()
	header(out, runs, sc)
	if dc.On {
		fmt.Fprintf(out, "- durable sections (p)-(r): at most 3, 3 and 1 runs (fewer with -runs); a fresh broker and temporary directory per run\n\n")
	}
	var done []Workload
	var all [][]Result
	for _, w := range append(workloads(cs, sc), durableWorkloads(dc, sc, progress)...) {
		if !onlyRE.MatchString(w.Key) {
			continue
		}
		w = keep(w, withRE)
		res, err := measure(w, runs, progress)
		if err != nil {
			return err
		}
		report(out, w, res)
		done, all = append(done, w), append(all, res)
	}
	summary(out, done, all)
	checkSummary(out, done, all)
	fmt.Fprintf(out, "Total wall time: %v.\n", time.Since(start).Round(time.Second))
	return nil
}

// header writes the machine and settings the figures come from.
func header(out io.Writer, runs int, sc Scale) {
	fmt.Fprintf(out, "# threadsystem vs peers\n\n")
	fmt.Fprintf(out, "- date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "- runtime.NumCPU(): %d, GOMAXPROCS: %d, %s, %s/%s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(out, "- runs per contender: %d (interleaved, order rotated per run, runtime.GC() before each); job-count scale: %g\n", runs, float64(sc))
	fmt.Fprintf(out, "- 1 µs CPU job = %d spin rounds (calibrated at start)\n", spinPerMicro)
	fmt.Fprintf(out, "- baseline: %s (chan func() of capacity 1024, GOMAXPROCS workers ranging over it)\n\n", baselineName)
}

// keep drops the rows of w whose name does not match re, except those that
// other kept rows (or w's percent column) are measured against.
func keep(w Workload, re *regexp.Regexp) Workload {
	need := map[string]bool{}
	for _, e := range w.Entries {
		if re.MatchString(e.Name) {
			need[w.baseOf(e)] = true
		}
	}
	if w.Percent != nil {
		need[w.Percent.Entry] = true
	}
	var out []Entry
	for _, e := range w.Entries {
		if re.MatchString(e.Name) || need[e.Name] {
			out = append(out, e)
		}
	}
	w.Entries = out
	return w
}
