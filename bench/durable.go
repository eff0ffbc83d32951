package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DurableConfig sizes the durable sections (p)-(r); they run only when On is
// set (the -durable flag), so the in-process sections are not slowed by a
// broker and its disk.
type DurableConfig struct {
	On      bool
	Jobs    int           // (p): jobs enqueued and processed per run
	For     time.Duration // (q): how long the steady 1,000 jobs/s is offered
	Queued  int           // (r): jobs left queued for the RSS reading
	Stalled time.Duration // a run fails when no job completes for this long
}

// queueSystem is one durable job queue of (p)-(r): a broker and its client,
// started afresh for every run in a temporary directory.
type queueSystem struct {
	name string
	note string
	// missing says why the system cannot run here ("" when it can).
	missing func() string
	// open starts a fresh instance.
	open func() (queue, error)
}

// queue is one live instance of a queueSystem. Payloads are jobPayload's
// 64 bytes: the job's index and its enqueue stamp.
type queue interface {
	// serve starts workers that call handle with each job's payload and
	// then complete the job (ack); handle is called from many goroutines.
	serve(handle func(payload []byte)) error
	// enqueue adds one job; it may return before the broker has stored it
	// when the system's client publishes asynchronously.
	enqueue(payload []byte) error
	// enqueueAll adds every payload as fast as the client allows and
	// returns once the broker has accepted each one.
	enqueueAll(payloads [][]byte) error
	// rss is the resident memory, in bytes, of the process that holds the
	// queue, read after runtime.GC and debug.FreeOSMemory when that is
	// this process.
	rss() (float64, error)
	// disk is the bytes the broker keeps on disk.
	disk() (float64, error)
	close() error
}

// payloadSize is the size of every job's payload.
const payloadSize = 64

// jobPayload is job i's payload, stamped now: bytes 0-7 hold i, bytes 8-15
// stamp(), the rest zero.
func jobPayload(i int) []byte {
	p := make([]byte, payloadSize)
	binary.LittleEndian.PutUint64(p, uint64(i))
	binary.LittleEndian.PutUint64(p[8:], uint64(stamp()))
	return p
}

// readPayload returns the index and the stamp of a payload.
func readPayload(p []byte) (i int, at int64, ok bool) {
	if len(p) < 16 {
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint64(p)), int64(binary.LittleEndian.Uint64(p[8:])), true
}

// The systems compared, in table order.
func queueSystems() []queueSystem {
	return []queueSystem{threadsystemDurable(), threadsystemNoRetention(), rawJetStream(), asynqRedis()}
}

// Row names.
const (
	asynqName         = "asynq + redis-server"
	jetstreamName     = "raw JetStream (embedded)"
	tsDurableName     = "threadsystem durable (embedded)"
	tsNoRetentionName = "threadsystem durable, NoRetention (embedded)"
	riverPublished    = 46_000
	latencyRate       = 1_000 // jobs/s offered in (q)
	latencyWarmJobs   = 1_000 // first jobs of (q) discarded
	durableMiB        = 1 << 20
	durableRSSTarget  = 100 * durableMiB
)

// durableWorkloads builds (p), (q) and (r) at scale sc, or none when the
// section is off.
func durableWorkloads(dc DurableConfig, sc Scale, progress io.Writer) []Workload {
	if !dc.On {
		return nil
	}
	for _, s := range queueSystems() {
		if why := s.missing(); why != "" {
			fmt.Fprintf(progress, "durable: %s skipped: %s\n", s.name, why)
		}
	}
	return []Workload{durableThroughputWorkload(dc, sc), durableLatencyWorkload(dc, sc), durableRSSWorkload(dc, sc)}
}

// durableEntries makes one entry per system, running run on it, or a skipped
// row saying why the system is absent.
func durableEntries(base string, run func(queueSystem) ([]float64, error)) []Entry {
	var es []Entry
	for _, s := range queueSystems() {
		if why := s.missing(); why != "" {
			es = append(es, skipped(s.name, "skipped: "+why))
			continue
		}
		es = append(es, Entry{Name: s.name, Note: s.note, Base: base, Run: func() ([]float64, error) { return run(s) }})
	}
	return es
}

// durableThroughputWorkload is (p): enqueue and end-to-end jobs/s.
func durableThroughputWorkload(dc DurableConfig, sc Scale) Workload {
	n := sc.n(dc.Jobs)
	count := func(v float64) string { return fmtCount(int(v)) }
	w := Workload{Key: "p-durable", Title: "(p) durable jobs, end to end",
		What: fmt.Sprintf("a fresh broker in a temporary directory per run; workers started first, then %s jobs of %d B enqueued as fast as "+
			"the client allows (a batch where it has one); enqueue/s = jobs ÷ (first enqueue → the last accepted), processed/s = jobs ÷ "+
			"(first enqueue → the %s-th distinct job completed by the handler, which then acks). Higher is better. Base: %s.",
			fmtCount(n), payloadSize, fmtCount(n), asynqName),
		Metrics: []Metric{
			{Name: "processed/s", Higher: true, Ratio: true, Format: fmtRate},
			{Name: "enqueue/s", Higher: true, Ratio: true, Format: fmtRate},
			{Name: "duplicates", Format: count},
		},
		Base: asynqName,
		Checks: []Check{
			{Entry: tsDurableName, Versus: asynqName, Metric: 0, Want: 4},
			{Entry: tsDurableName, Metric: 0, Want: riverPublished, Note: "River's published figure (8 cores)"},
			{Entry: tsDurableName, Versus: jetstreamName, Metric: 0, Note: "raw JetStream is the ceiling"},
			{Entry: tsNoRetentionName, Versus: asynqName, Metric: 0, Want: 4, Note: "both keep no record of a succeeded job"},
			{Entry: tsNoRetentionName, Metric: 0, Want: riverPublished, Note: "River's published figure (8 cores)"},
			{Entry: tsNoRetentionName, Versus: jetstreamName, Metric: 0},
			{Entry: tsDurableName, Versus: asynqName, Metric: 1},
		}}
	w.Entries = durableEntries(asynqName, func(s queueSystem) ([]float64, error) { return durableThroughput(s, n, dc.Stalled) })
	w.MaxRuns = 3
	return w
}

// durableLatencyWorkload is (q): enqueue-to-start latency at a steady rate.
func durableLatencyWorkload(dc DurableConfig, sc Scale) Workload {
	total := max(2*latencyWarmJobs, int(float64(dc.For)*float64(sc)/float64(time.Second)*latencyRate))
	dur := func(v float64) string { return fmtDur(time.Duration(v)) }
	w := Workload{Key: "q-durable-latency", Title: "(q) durable enqueue-to-start latency at 1,000 jobs/s",
		What: fmt.Sprintf("one enqueue every 1 ms on absolute deadlines, %s jobs (%s), each stamped at enqueue; latency = the handler's start − the stamp; "+
			"the first %s discarded. Lower is better. Base: %s.",
			fmtCount(total), fmtDur(time.Duration(total)*time.Second/latencyRate), fmtCount(latencyWarmJobs), jetstreamName),
		Metrics: []Metric{
			{Name: "p50", Ratio: true, Format: dur},
			{Name: "p99", Ratio: true, Format: dur},
			{Name: "offered jobs/s", Higher: true, Format: fmtRate},
		},
		Base: jetstreamName,
		Checks: []Check{
			{Entry: tsDurableName, Metric: 0, Want: float64(time.Millisecond)},
			{Entry: tsDurableName, Metric: 1},
			{Entry: tsDurableName, Versus: asynqName, Metric: 0},
		}}
	w.Entries = durableEntries(jetstreamName, func(s queueSystem) ([]float64, error) { return durableLatency(s, total, dc.Stalled) })
	w.MaxRuns = 3
	return w
}

// durableRSSWorkload is (r): resident memory with many jobs queued.
func durableRSSWorkload(dc DurableConfig, sc Scale) Workload {
	n := sc.n(dc.Queued)
	mib := func(v float64) string { return fmt.Sprintf("%.1f", v/durableMiB) }
	w := Workload{Key: "r-durable-rss", Title: "(r) durable RSS with jobs queued",
		What: fmt.Sprintf("%s jobs enqueued, no worker running; RSS = VmRSS of the process holding the queue (this one for the embedded brokers, "+
			"after runtime.GC and debug.FreeOSMemory; redis-server's own for asynq), at start (broker up, nothing queued) and with every job queued; "+
			"disk = bytes in the broker's directory. Lower is better. Base: %s.", fmtCount(n), jetstreamName),
		Metrics: []Metric{
			{Name: "RSS MiB", Ratio: true, Format: mib},
			{Name: "at start MiB", Format: mib},
			{Name: "disk MiB", Format: mib},
		},
		Base: jetstreamName,
		Checks: []Check{
			{Entry: tsDurableName, Metric: 0, Want: durableRSSTarget, Note: fmtCount(n) + " jobs queued"},
		}}
	w.Entries = durableEntries(jetstreamName, func(s queueSystem) ([]float64, error) { return durableRSS(s, n) })
	w.MaxRuns = 1
	return w
}

// durableThroughput is one run of (p) on s.
func durableThroughput(s queueSystem, n int, stalled time.Duration) ([]float64, error) {
	q, err := s.open()
	if err != nil {
		return nil, fmt.Errorf("%w: start: %v", errRunFailed, err)
	}
	defer q.close()
	tally := newTally(n)
	if err := q.serve(func(p []byte) { tally.complete(p, nil) }); err != nil {
		return nil, fmt.Errorf("%w: workers: %v", errRunFailed, err)
	}
	payloads := make([][]byte, n)
	for i := range payloads {
		payloads[i] = jobPayload(i)
	}
	start := time.Now()
	if err := q.enqueueAll(payloads); err != nil {
		return nil, fmt.Errorf("%w: enqueue: %v", errRunFailed, err)
	}
	enq := time.Since(start)
	if err := tally.wait(stalled); err != nil {
		return nil, err
	}
	e2e := time.Since(start)
	return []float64{float64(n) / e2e.Seconds(), float64(n) / enq.Seconds(), float64(tally.dups.Load())}, nil
}

// durableLatency is one run of (q) on s: total jobs offered at latencyRate.
func durableLatency(s queueSystem, total int, stalled time.Duration) ([]float64, error) {
	q, err := s.open()
	if err != nil {
		return nil, fmt.Errorf("%w: start: %v", errRunFailed, err)
	}
	defer q.close()
	tally := newTally(total)
	lat := make([]time.Duration, total)
	err = q.serve(func(p []byte) {
		now := stamp()
		tally.complete(p, func(i int, at int64) { lat[i] = time.Duration(now - at) })
	})
	if err != nil {
		return nil, fmt.Errorf("%w: workers: %v", errRunFailed, err)
	}
	interval := time.Second / latencyRate
	start := time.Now()
	for i := range total {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		if err := q.enqueue(jobPayload(i)); err != nil {
			return nil, fmt.Errorf("%w: enqueue %d: %v", errRunFailed, i, err)
		}
	}
	offered := float64(total) / time.Since(start).Seconds()
	if err := tally.wait(stalled); err != nil {
		return nil, err
	}
	p50, p99 := percentiles(lat[latencyWarmJobs:])
	return []float64{p50, p99, offered}, nil
}

// durableRSS is one run of (r) on s: n jobs queued, nobody serving.
func durableRSS(s queueSystem, n int) ([]float64, error) {
	q, err := s.open()
	if err != nil {
		return nil, fmt.Errorf("%w: start: %v", errRunFailed, err)
	}
	defer q.close()
	before, err := q.rss()
	if err != nil {
		return nil, err
	}
	const chunk = 10_000
	for i := 0; i < n; i += chunk {
		ps := make([][]byte, min(chunk, n-i))
		for k := range ps {
			ps[k] = jobPayload(i + k)
		}
		if err := q.enqueueAll(ps); err != nil {
			return nil, fmt.Errorf("%w: enqueue: %v", errRunFailed, err)
		}
	}
	after, err := q.rss()
	if err != nil {
		return nil, err
	}
	d, err := q.disk()
	if err != nil {
		return nil, err
	}
	return []float64{after, before, d}, nil
}

// tally counts the distinct jobs completed and the repeats.
type tally struct {
	n        int
	seen     []atomic.Bool
	done     atomic.Int64
	dups     atomic.Int64
	bad      atomic.Int64
	finished chan struct{}
}

func newTally(n int) *tally {
	return &tally{n: n, seen: make([]atomic.Bool, n), finished: make(chan struct{})}
}

// complete records the job whose payload is p, calling first (when not nil)
// with its index and stamp if it is the job's first completion, before the
// count can reach n; safe from many goroutines.
func (t *tally) complete(p []byte, first func(i int, at int64)) {
	i, at, ok := readPayload(p)
	if !ok || i < 0 || i >= t.n {
		t.bad.Add(1)
		return
	}
	if t.seen[i].Swap(true) {
		t.dups.Add(1)
		return
	}
	if first != nil {
		first(i, at)
	}
	if t.done.Add(1) == int64(t.n) {
		close(t.finished)
	}
}

// wait returns once every job completed, or an error wrapping errRunFailed
// when none completed for stalled.
func (t *tally) wait(stalled time.Duration) error {
	tick := time.NewTicker(stalled / 10)
	defer tick.Stop()
	last, since := t.done.Load(), time.Now()
	for {
		select {
		case <-t.finished:
			if b := t.bad.Load(); b > 0 {
				return fmt.Errorf("%d payloads were not ours", b)
			}
			return nil
		case <-tick.C:
			if d := t.done.Load(); d != last {
				last, since = d, time.Now()
			} else if time.Since(since) >= stalled {
				return fmt.Errorf("%w: %s of %s jobs completed, none for %v", errRunFailed, fmtCount(int(d)), fmtCount(t.n), stalled)
			}
		}
	}
}

// selfRSS is this process's VmRSS in bytes after a GC that returns freed
// memory to the system.
func selfRSS() (float64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	return procRSS("self")
}

// procRSS reads VmRSS of /proc/<pid>/status, in bytes.
func procRSS(pid string) (float64, error) {
	f, err := os.Open(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return 0, fmt.Errorf("RSS: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("RSS: %q: %w", rest, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("RSS: no VmRSS line in /proc/" + pid + "/status")
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) (float64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	return float64(total), err
}
