package pool

import "time"

// EventKind says which step of a job's lifecycle an Event reports.
type EventKind uint8

// The lifecycle steps an Observer is told of.
const (
	// EventSubmitted: the pool accepted the job (it is Queued or Pending).
	EventSubmitted EventKind = iota + 1
	// EventRejected: a submit to the pool was refused (closed pool, full
	// queue, ended context) and nothing was enqueued. Arguments rejected
	// before reaching the pool (a nil func, a bad option) are not reported.
	EventRejected
	// EventStarted: a worker began running the job.
	EventStarted
	// EventSucceeded: the job ended Succeeded.
	EventSucceeded
	// EventFailed: the job ended Failed; Err says why.
	EventFailed
	// EventCancelled: the job ended Cancelled; Err says why.
	EventCancelled
	// EventSkipped: the job ended Skipped because a dependency did not succeed.
	EventSkipped
	// EventRetried: an attempt failed and the job waits for another.
	EventRetried
	// EventWorkerStarted: the pool started a worker; Workers is the new count.
	EventWorkerStarted
	// EventWorkerStopped: a worker retired; Workers is the new count.
	EventWorkerStopped
	// EventStuck: a job has run longer than the stuck threshold; reported
	// once per job, Run says for how long so far.
	EventStuck
)

// String returns the kind's lowercase name.
func (k EventKind) String() string {
	switch k {
	case EventSubmitted:
		return "submitted"
	case EventRejected:
		return "rejected"
	case EventStarted:
		return "started"
	case EventSucceeded:
		return "succeeded"
	case EventFailed:
		return "failed"
	case EventCancelled:
		return "cancelled"
	case EventSkipped:
		return "skipped"
	case EventRetried:
		return "retried"
	case EventWorkerStarted:
		return "worker-started"
	case EventWorkerStopped:
		return "worker-stopped"
	case EventStuck:
		return "stuck"
	}
	return "unknown"
}

// Event describes one lifecycle step of one job. Jobs submitted with Go have
// no handle: their JobID is 0 and their Name empty.
type Event struct {
	Kind     EventKind
	JobID    uint64
	Name     string
	Priority Priority
	// Err is the job's error for Failed, Cancelled, Skipped, Retried and
	// Rejected events, nil otherwise.
	Err error
	// Time is when the step happened.
	Time time.Time
	// Wait is how long the job waited in the queue (Started and terminal events).
	Wait time.Duration
	// Run is how long the job ran (terminal events of jobs that ran).
	Run time.Duration
	// Workers is the number of workers after a worker event.
	Workers int
}

// Observer is told of every job's lifecycle steps. Observe is called
// synchronously on the goroutine making the step (a submitter or a worker),
// concurrently from many goroutines, so it must be safe for concurrent use,
// return quickly and never block on the pool: hand slow work to a channel or
// an event bus. Observe must not call the pool's methods: worker events are
// reported while the pool's lock is held. A panic in Observe is not
// recovered.
//
// When no observer is set, the pool builds no Event at all.
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to the Observer interface.
type ObserverFunc func(Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }
