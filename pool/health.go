package pool

import (
	"fmt"
	"slices"
	"time"
)

// RunningJob describes a job a worker is executing.
type RunningJob struct {
	// ID, Name and Priority of the job; a Go func has ID 0 and no name.
	ID       uint64
	Name     string
	Priority Priority
	// Started is when it started; For how long it has run.
	Started time.Time
	For     time.Duration
}

// Diagnostics is a detailed snapshot of a pool, heavier than Stats: it lists
// every running job, longest first.
type Diagnostics struct {
	// Running lists the jobs with handles that workers run now, and Go funcs
	// too when a stuck threshold is set (otherwise their start is not kept).
	Running []RunningJob
	// QueuedBy is the queue depth per priority, Lowest first; Queued and
	// Pending as in Stats.
	QueuedBy        [NumPriorities]int
	Queued, Pending int
	// Workers, Idle and Busy count workers; Busy = Workers - Idle.
	Workers, Idle, Busy int
	// Capacity is the queue bound, 0 when unbounded.
	Capacity int
	// RateLimited reports whether WithRateLimit paces the pool's starts.
	// Like Capacity it is fixed at New.
	RateLimited bool
	// Stuck counts running jobs past the stuck threshold (0 without one).
	Stuck int
	// Closed reports whether Close or Shutdown has begun.
	Closed bool
}

// Diagnostics returns a detailed snapshot of the pool. It is safe to call
// from many goroutines and costs about a microsecond per worker.
func (p *Pool) Diagnostics() Diagnostics {
	s := p.Stats()
	d := Diagnostics{
		QueuedBy: s.QueuedBy, Queued: s.Queued, Pending: s.Pending,
		Workers: s.Workers, Idle: s.Idle, Busy: s.Workers - s.Idle,
		Capacity: p.capacity, RateLimited: p.rate != nil,
	}
	p.mu.Lock()
	d.Closed = p.closed
	p.mu.Unlock()
	now := time.Now()
	for _, w := range p.allWorkers() {
		var r RunningJob
		if j := w.running(); j != nil {
			r = RunningJob{ID: j.ID(), Name: j.Name(), Priority: j.prio(), Started: p.at(j.startTime())}
		} else if ns := w.goStart.Load(); ns != 0 {
			r = RunningJob{Priority: Normal, Started: p.at(ns)}
		} else {
			continue
		}
		if r.Started.IsZero() {
			continue
		}
		r.For = now.Sub(r.Started)
		if p.stuckAfter > 0 && r.For >= p.stuckAfter {
			d.Stuck++
		}
		d.Running = append(d.Running, r)
	}
	slices.SortFunc(d.Running, func(a, b RunningJob) int { return a.Started.Compare(b.Started) })
	return d
}

// at converts nanoseconds since the epoch to a time; 0 is the zero time.
func (p *Pool) at(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return p.epoch.Add(time.Duration(ns - 1))
}

// Health is a verdict on a pool with the reasons for it.
type Health struct {
	Healthy bool
	Reasons []string
}

// Health judges the pool: unhealthy when it is closed, when jobs run past
// the stuck threshold, or when a bounded queue is full.
func (p *Pool) Health() Health {
	d := p.Diagnostics()
	var reasons []string
	if d.Closed {
		reasons = append(reasons, "pool is closed")
	}
	if d.Stuck > 0 {
		reasons = append(reasons, fmt.Sprintf("%d job(s) running longer than %v", d.Stuck, p.stuckAfter))
	}
	if d.Capacity > 0 && d.Queued >= d.Capacity {
		reasons = append(reasons, fmt.Sprintf("queue saturated: %d of %d slots used", d.Queued, d.Capacity))
	}
	return Health{Healthy: len(reasons) == 0, Reasons: reasons}
}

// watchStuck reports, once each, jobs running past the stuck threshold. It
// runs on its own goroutine from New until the pool's workers have all
// returned.
func (p *Pool) watchStuck() {
	every := max(p.stuckAfter/4, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	reported := make(map[*worker]int64) // worker → start of the job reported
	for {
		select {
		case <-p.exited:
			return
		case <-t.C:
		}
		now := p.now()
		for _, w := range p.allWorkers() {
			j := w.running()
			start := w.goStart.Load()
			if j != nil {
				start = j.startTime()
			}
			if start == 0 || time.Duration(now-start) < p.stuckAfter || reported[w] == start {
				continue
			}
			reported[w] = start
			p.stuck(j, time.Duration(now-start))
		}
	}
}
