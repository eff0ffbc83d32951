package pool

import (
	"fmt"
	"math/bits"
	"sync/atomic"
	"time"
)

// HistogramBuckets is the number of power-of-two duration buckets of a
// [Histogram]: bucket i counts durations in [2^(i-1), 2^i) nanoseconds, the
// last one everything longer (about 4.6 minutes and up).
const HistogramBuckets = 40

// counters are one worker's tallies. Only that worker writes them.
type counters struct {
	taken, succeeded, failed, cancelled, panicked, retried atomic.Uint64
	// heldGone counts held jobs cancelled before w reached them: taken, but
	// ended by whoever cancelled them.
	heldGone atomic.Uint64
	wait     [numLevels]histogram
	run      histogram
}

type histogram struct {
	b [HistogramBuckets]atomic.Uint64
}

func (h *histogram) observe(ns int64) {
	i := 0
	if ns > 0 {
		i = min(bits.Len64(uint64(ns)), HistogramBuckets-1)
	}
	h.b[i].Add(1)
}

// Histogram is a distribution of durations in power-of-two buckets, cheap to
// record from many workers and to merge.
type Histogram struct {
	// Count is the number of durations recorded.
	Count uint64
	// Buckets[i] counts durations in [2^(i-1), 2^i) ns; Buckets[0] counts
	// zero durations, and the last bucket everything longer.
	Buckets [HistogramBuckets]uint64
}

// Quantile returns an upper bound of the q-quantile (0 <= q <= 1) of the
// recorded durations, accurate to a factor of two; 0 when empty.
func (h Histogram) Quantile(q float64) time.Duration {
	if h.Count == 0 {
		return 0
	}
	rank := uint64(q*float64(h.Count-1)) + 1
	var seen uint64
	for i, n := range h.Buckets {
		seen += n
		if seen >= rank {
			if i == 0 {
				return 0
			}
			return time.Duration(uint64(1)<<i - 1)
		}
	}
	return time.Duration(uint64(1)<<(HistogramBuckets-1) - 1)
}

// String summarises h as its count and the upper bounds of its median, 90th
// and 99th percentiles and maximum, such as
// "count 3, p50 ≤1.023µs, p90 ≤4.095µs, p99 ≤4.095µs, max ≤4.095µs";
// "count 0" when empty.
func (h Histogram) String() string {
	if h.Count == 0 {
		return "count 0"
	}
	return fmt.Sprintf("count %d, p50 ≤%v, p90 ≤%v, p99 ≤%v, max ≤%v", h.Count,
		h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.99), h.Quantile(1))
}

func (h *Histogram) add(from *histogram) {
	for i := range from.b {
		n := from.b[i].Load()
		h.Buckets[i] += n
		h.Count += n
	}
}

// Stats is a snapshot of a pool's counters. Taken while jobs move, the
// figures are read one after another and may be off by the jobs in flight
// between the reads; whenever the pool is idle or closed they reconcile
// exactly:
//
//	Submitted == Pending + Queued + Running + Succeeded + Failed + Cancelled + Skipped
//
// Wait and Run cover jobs with handles (Submit, TrySubmit, Call); jobs
// submitted with Go are counted but not timed, which keeps Go at its cost.
// A worker taking a batch of Go funcs from a long queue publishes their
// outcomes when the batch ends (at most 64 funcs): until then Stats counts
// the batch as queued, even the func running. Without an observer or a
// stuck threshold, that is the price of two fewer atomic writes per job.
type Stats struct {
	// Submitted counts accepted jobs; Rejected counts submits that returned
	// an error (closed pool, full queue, ctx ended while blocked).
	Submitted, Rejected uint64
	// Terminal states. Panicked is the part of Failed that panicked.
	Succeeded, Failed, Cancelled, Skipped, Panicked uint64
	// Retried counts failed attempts that were given another.
	Retried uint64
	// Pending is the number of jobs waiting for dependencies or a retry.
	Pending int
	// Queued is the number of jobs waiting for a worker; QueuedBy splits it
	// by priority, indexed like Priorities (Lowest first).
	Queued   int
	QueuedBy [NumPriorities]int
	// Running is the number of jobs a worker is executing.
	Running int
	// Workers is the number of workers; Idle how many wait for work.
	Workers, Idle int
	// Started and Retired count workers an adaptive pool added and removed
	// after New, and those Resize and Close changed.
	Started, Retired uint64
	// Wait is the time jobs spent queued, WaitBy the same split by priority
	// (indexed like Priorities); Run is the time they ran.
	Wait   Histogram
	WaitBy [NumPriorities]Histogram
	Run    Histogram
	// Uptime is the time since New.
	Uptime time.Duration
}

// Throughput returns finished jobs per second over the pool's life.
func (s Stats) Throughput() float64 {
	if s.Uptime <= 0 {
		return 0
	}
	return float64(s.Succeeded+s.Failed+s.Cancelled+s.Skipped) / s.Uptime.Seconds()
}

// String summarises s on one line: the job counts in the order they
// reconcile, the workers, the wait and run medians and 99th percentiles,
// and the uptime, for logs and fmt.Println(p.Stats()).
func (s Stats) String() string {
	return fmt.Sprintf("submitted %d = pending %d + queued %d + running %d + succeeded %d + failed %d + cancelled %d + skipped %d; "+
		"rejected %d, retried %d, panicked %d; workers %d (idle %d); wait p50 ≤%v p99 ≤%v; run p50 ≤%v p99 ≤%v; uptime %v",
		s.Submitted, s.Pending, s.Queued, s.Running, s.Succeeded, s.Failed, s.Cancelled, s.Skipped,
		s.Rejected, s.Retried, s.Panicked, s.Workers, s.Idle,
		s.Wait.Quantile(0.5), s.Wait.Quantile(0.99), s.Run.Quantile(0.5), s.Run.Quantile(0.99),
		s.Uptime.Round(time.Millisecond))
}

// Stats returns a snapshot of the pool's counters. It is safe to call from
// many goroutines, takes the pool's lock once and costs a few hundred
// nanoseconds per worker.
func (p *Pool) Stats() Stats {
	var s Stats
	var taken, ended, gone uint64
	workers := p.allWorkers()
	// Terminal counts are read before taken, so Running is never negative.
	for _, w := range workers {
		c := &w.c
		s.Succeeded += c.succeeded.Load()
		s.Failed += c.failed.Load()
		s.Cancelled += c.cancelled.Load()
		s.Panicked += c.panicked.Load()
		s.Retried += c.retried.Load()
		gone += c.heldGone.Load()
		for i := range c.wait {
			s.WaitBy[i].add(&c.wait[i])
			s.Wait.add(&c.wait[i])
		}
		s.Run.add(&c.run)
	}
	ended = s.Succeeded + s.Failed + s.Cancelled + s.Retried + gone
	s.Cancelled += p.cancelled.Load()
	s.Skipped = p.skipped.Load()
	for _, w := range workers {
		taken += w.c.taken.Load()
	}
	s.Running = int(taken - ended)

	p.mu.Lock()
	s.Submitted, s.Rejected, s.Pending = p.submitted, p.rejected, p.pending
	p.shardStats(&s)
	for i := range p.levels {
		// max: a worker discards a shard's ghosts before it uncounts them.
		s.QueuedBy[i] = max(0, s.QueuedBy[i]+p.levels[i].Len()-p.ghosts[i])
		s.Queued += s.QueuedBy[i]
	}
	for _, w := range workers {
		// A worker's batch left the ring but has not started: still queued.
		// Read the batch before taken, so a refill in between cannot make
		// the figure negative for long; it is clamped anyway.
		// Until w counts the item it popped with the batch as taken,
		// taken is one short of heldBase: that item is Running, not
		// queued, so a negative difference counts as none.
		n := int(w.heldCnt.Load()) - max(0, int(int64(w.c.taken.Load())-int64(w.heldBase.Load())))
		if n > 0 {
			s.QueuedBy[w.heldLvl.Load()] += n
			s.Queued += n
		}
	}
	s.Workers = p.live
	s.Started, s.Retired = p.scaled[0], p.scaled[1]
	s.Idle = len(p.idle)
	p.mu.Unlock()
	s.Uptime = time.Since(p.epoch)
	return s
}
