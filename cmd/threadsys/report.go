package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// tally counts jobs by how they ended, in the columns of the demo's tables.
type tally struct {
	submitted, succeeded, failed, cancelled, skipped, retried uint64
}

// add counts one ended job that ran attempts times.
func (t *tally) add(s pool.State, attempts int) {
	t.submitted++
	switch s {
	case pool.Succeeded:
		t.succeeded++
	case pool.Failed:
		t.failed++
	case pool.Cancelled:
		t.cancelled++
	case pool.Skipped:
		t.skipped++
	}
	if attempts > 1 {
		t.retried += uint64(attempts - 1)
	}
}

func (t tally) plus(o tally) tally {
	return tally{t.submitted + o.submitted, t.succeeded + o.succeeded, t.failed + o.failed,
		t.cancelled + o.cancelled, t.skipped + o.skipped, t.retried + o.retried}
}

// statsTally is the tally a pool's Stats give.
func statsTally(s pool.Stats) tally {
	return tally{s.Submitted, s.Succeeded, s.Failed, s.Cancelled, s.Skipped, s.Retried}
}

// eventTally is the tally of a pool's job events on the bus.
func eventTally(l *eventLog, p string) tally {
	return tally{uint64(l.count(p, pool.EventSubmitted)), uint64(l.count(p, pool.EventSucceeded)),
		uint64(l.count(p, pool.EventFailed)), uint64(l.count(p, pool.EventCancelled)),
		uint64(l.count(p, pool.EventSkipped)), uint64(l.count(p, pool.EventRetried))}
}

const tallyHeader = "submitted\tsucceeded\tfailed\tcancelled\tskipped\tretried\t"

// row writes t as a table row; the name is padded so that it reads left
// aligned in the right-aligned table.
func (t tally) row(tw io.Writer, name string) {
	fmt.Fprintf(tw, "%-24s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", name, t.submitted, t.succeeded, t.failed, t.cancelled, t.skipped, t.retried)
}

// report is what the demo prints once every pool is idle.
type report struct {
	mainTally, dagTally, beatTally, retryTally tally
	cpu, io                                    pool.Stats // taken when both pools were idle, before Close
	ioAfterClose                               pool.Stats
	mainElapsed, elapsed                       time.Duration
	events                                     *eventLog
}

func (r report) print(w io.Writer) error {
	mainRate := float64(r.mainTally.submitted) / r.mainElapsed.Seconds()
	fmt.Fprintf(w, "\nmain jobs: %d ended in %v (%.0f jobs/s); the whole demo took %v\n\n",
		r.mainTally.submitted, round(r.mainElapsed), mainRate, round(r.elapsed))

	// Jobs by origin: the cpu pool's rows add up to its Stats.
	cpuSum := r.mainTally.plus(r.dagTally).plus(r.beatTally).plus(r.retryTally)
	cpuStats, ioStats := statsTally(r.cpu), statsTally(r.io)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-24s\t%s\n", "jobs by origin", tallyHeader)
	r.mainTally.row(tw, "main jobs")
	r.dagTally.row(tw, "dag nodes")
	r.beatTally.row(tw, "heartbeat runs")
	r.retryTally.row(tw, "retried job")
	cpuStats.row(tw, "= cpu pool Stats")
	ioStats.row(tw, "io jobs (io pool Stats)")
	tw.Flush()
	ok := cpuSum == cpuStats && ioStats.submitted == ioJobs
	if ok {
		fmt.Fprintln(w, "the four cpu rows add up to the cpu pool's Stats")
	} else {
		fmt.Fprintf(w, "COUNTS DO NOT ADD UP: the four cpu rows sum to %+v\n", cpuSum)
	}
	for _, p := range []struct {
		name string
		s    pool.Stats
	}{{"cpu", r.cpu}, {"io", r.io}} {
		s := p.s
		if uint64(s.Pending)+uint64(s.Queued)+uint64(s.Running)+s.Succeeded+s.Failed+s.Cancelled+s.Skipped != s.Submitted {
			ok = false
			fmt.Fprintf(w, "%s pool Stats DO NOT reconcile: %v\n", p.name, s)
			continue
		}
		fmt.Fprintf(w, "%s pool Stats reconcile: submitted %d = pending %d + queued %d + running %d + succeeded %d + failed %d + cancelled %d + skipped %d; rejected %d, panicked %d (part of failed)\n",
			p.name, s.Submitted, s.Pending, s.Queued, s.Running, s.Succeeded, s.Failed, s.Cancelled, s.Skipped, s.Rejected, s.Panicked)
	}

	// The same jobs seen as events on the bus.
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-24s\t%s\n", "job events on the bus", tallyHeader)
	cpuEvents, ioEvents := eventTally(r.events, "cpu"), eventTally(r.events, "io")
	cpuEvents.row(tw, "cpu pool")
	ioEvents.row(tw, "io pool")
	tw.Flush()
	if cpuEvents == cpuStats && ioEvents == ioStats {
		fmt.Fprintln(w, "each pool's job events match its Stats")
	} else {
		ok = false
		fmt.Fprintln(w, "JOB EVENTS DO NOT MATCH THE STATS")
	}
	ioStarted, ioStopped := r.events.count("io", pool.EventWorkerStarted), r.events.count("io", pool.EventWorkerStopped)
	fmt.Fprintf(w, "worker events: cpu pool %d started and %d stopped (its %d workers, at New and at Close); "+
		"io pool %d started = 1 at New + %d scaled up, %d stopped = %d retired when idle + %d at Close\n",
		r.events.count("cpu", pool.EventWorkerStarted), r.events.count("cpu", pool.EventWorkerStopped), r.cpu.Workers,
		ioStarted, r.io.Started, ioStopped, r.io.Retired, r.ioAfterClose.Retired-r.io.Retired)
	for _, line := range r.events.shown {
		fmt.Fprintln(w, "  event:", line)
	}

	// Queue wait per priority on the cpu pool.
	fmt.Fprintln(w, "\ncpu pool: time in queue by priority, every attempt of every job (upper bounds, power-of-two buckets):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "priority\twaits\tp50\tp90\tp99\t")
	for i := len(pool.Priorities) - 1; i >= 0; i-- {
		h := r.cpu.WaitBy[i]
		fmt.Fprintf(tw, "%s\t%d\t%v\t%v\t%v\t\n", pool.Priorities[i], h.Count,
			round(h.Quantile(0.5)), round(h.Quantile(0.9)), round(h.Quantile(0.99)))
	}
	h := r.cpu.Wait
	fmt.Fprintf(tw, "all\t%d\t%v\t%v\t%v\t\n", h.Count, round(h.Quantile(0.5)), round(h.Quantile(0.9)), round(h.Quantile(0.99)))
	tw.Flush()
	fmt.Fprintf(w, "cpu pool: run time p50 %v, p99 %v\n", round(r.cpu.Run.Quantile(0.5)), round(r.cpu.Run.Quantile(0.99)))
	if !ok {
		return fmt.Errorf("the figures above do not add up")
	}
	return nil
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
