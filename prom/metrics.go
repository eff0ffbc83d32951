package prom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/threadsystem/threadsystem/pool"
)

const namespace = "threadsystem"

// Label names. Every metric has poolLabel.
const (
	poolLabel     = "pool"
	stateLabel    = "state"
	priorityLabel = "priority"
)

// priorities holds the priority label values, indexed like
// pool.Stats.QueuedBy: "lowest" to "highest".
var priorities = func() (s [len(pool.Priorities)]string) {
	for i, p := range pool.Priorities {
		s[i] = p.String()
	}
	return s
}()

// descs holds one descriptor per exported metric name.
type descs struct {
	jobs, submitted, rejected, panicked, retried *prometheus.Desc
	started, retired                             *prometheus.Desc
	queue, running, pending, workers, idle       *prometheus.Desc
	wait, run                                    *prometheus.Desc
}

func newDescs(constLabels prometheus.Labels) descs {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help,
			append([]string{poolLabel}, labels...), constLabels)
	}
	return descs{
		jobs:      d("jobs_total", "Jobs that reached a terminal state, by state: succeeded, failed (panicked ones included), cancelled, skipped (a dependency did not succeed).", stateLabel),
		submitted: d("jobs_submitted_total", "Jobs the pool accepted."),
		rejected:  d("jobs_rejected_total", "Submits the pool refused: closed pool, full queue, or the submitter's context ended while it waited for room."),
		panicked:  d("jobs_panicked_total", "Jobs that panicked; each is also counted in jobs_total as failed."),
		retried:   d("jobs_retried_total", "Failed attempts that were given another attempt."),
		started:   d("workers_started_total", "Workers started after the pool was made: by adaptive scaling or a resize."),
		retired:   d("workers_retired_total", "Workers stopped while or after the pool ran: by adaptive scaling, a resize or closing."),
		queue:     d("queue_depth", "Jobs waiting for a worker, by priority.", priorityLabel),
		running:   d("jobs_running", "Jobs a worker is executing."),
		pending:   d("jobs_pending", "Jobs waiting for their dependencies or for a retry."),
		workers:   d("workers", "Worker goroutines."),
		idle:      d("workers_idle", "Workers waiting for work."),
		wait:      d("job_wait_seconds", "Time jobs with a handle spent queued before a worker took them, by priority. Buckets are exact; the sum is estimated from bucket midpoints.", priorityLabel),
		run:       d("job_run_seconds", "Time jobs with a handle ran. Buckets are exact; the sum is estimated from bucket midpoints."),
	}
}

func (d *descs) all() []*prometheus.Desc {
	return []*prometheus.Desc{
		d.jobs, d.submitted, d.rejected, d.panicked, d.retried, d.started, d.retired,
		d.queue, d.running, d.pending, d.workers, d.idle, d.wait, d.run,
	}
}

// err returns the first descriptor's error, such as a bad constant label.
func (d *descs) err() error {
	for _, x := range d.all() {
		if err := x.Err(); err != nil {
			return err
		}
	}
	return nil
}

// collect sends the metrics of one source's stats s, labelled name.
func (c *Collector) collect(ch chan<- prometheus.Metric, name string, s *pool.Stats) {
	d := &c.descs
	counter := func(desc *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(desc *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(v), labels...)
	}
	counter(d.jobs, s.Succeeded, name, "succeeded")
	counter(d.jobs, s.Failed, name, "failed")
	counter(d.jobs, s.Cancelled, name, "cancelled")
	counter(d.jobs, s.Skipped, name, "skipped")
	counter(d.submitted, s.Submitted, name)
	counter(d.rejected, s.Rejected, name)
	counter(d.panicked, s.Panicked, name)
	counter(d.retried, s.Retried, name)
	counter(d.started, s.Started, name)
	counter(d.retired, s.Retired, name)
	for i, prio := range priorities {
		gauge(d.queue, s.QueuedBy[i], name, prio)
	}
	gauge(d.running, s.Running, name)
	gauge(d.pending, s.Pending, name)
	gauge(d.workers, s.Workers, name)
	gauge(d.idle, s.Idle, name)
	for i, prio := range priorities {
		ch <- c.histogram(d.wait, &s.WaitBy[i], name, prio)
	}
	ch <- c.histogram(d.run, &s.Run, name)
}
