package durable

import (
	"encoding/json"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// State is where a job is in its life, as stored in its [Record].
type State string

// The states of a job. Scheduled, Queued, Running and Retrying are live;
// Succeeded, Dead and Cancelled are final.
const (
	Scheduled State = "scheduled" // delayed, not due yet
	Queued    State = "queued"    // ready, waiting for a worker
	Running   State = "running"   // a worker runs it (recorded once it has run RunningAfter)
	Retrying  State = "retrying"  // failed, waiting for its backoff
	Succeeded State = "succeeded" // done; Result holds the result
	Dead      State = "dead"      // failed its last attempt, or permanently
	Cancelled State = "cancelled" // ended by Client.Cancel
)

// Final reports whether s is a state a job never leaves by itself.
func (s State) Final() bool { return s == Succeeded || s == Dead || s == Cancelled }

// Record is a job's stored state, the JSON value under its ID in the records
// bucket (see the package doc, Storage layout). It is plain data; package
// users read it and must not write it except through this package.
type Record struct {
	Meta
	State    State `json:"state"`
	Attempts int   `json:"attempts"` // attempts started, the running one included
	// GivenBack counts deliveries of the job's message that a worker gave
	// back unrun or interrupted by its Shutdown; they are not attempts.
	GivenBack int            `json:"given_back,omitempty"`
	Errors    []AttemptError `json:"errors,omitempty"` // one per failed attempt, oldest first
	// Result is the handler's result as JSON (HandleResult), once succeeded.
	Result     json.RawMessage `json:"result,omitempty"`
	StartedAt  time.Time       `json:"started_at,omitzero"`  // start of the last attempt
	FinishedAt time.Time       `json:"finished_at,omitzero"` // when it reached a final state
	// Payload is the job's payload as enqueued, written by workers once a
	// job has run (not at enqueue, where it is in the job's message) and
	// dropped when it succeeds, so that a dead job can be retried.
	Payload []byte `json:"payload,omitempty"`
}

// AttemptError is one failed attempt of a job.
type AttemptError struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Error   string    `json:"error"`
	Stack   string    `json:"stack,omitempty"` // the panic stack, if it panicked
}

// Meta is what a job was enqueued with: the header "Ts-Meta" of its message
// and the first fields of its record.
type Meta struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Queue       string        `json:"queue"`
	Priority    pool.Priority `json:"priority"`
	MaxAttempts int           `json:"max_attempts"` // retry.Forever (-1): no limit
	Timeout     time.Duration `json:"timeout,omitempty"`
	Deadline    time.Time     `json:"deadline,omitzero"`
	Retention   time.Duration `json:"retention,omitempty"` // negative: none once succeeded (NoRetention)
	Backoff     *BackoffSpec  `json:"backoff,omitempty"`
	Unique      string        `json:"unique,omitempty"`
	EnqueuedAt  time.Time     `json:"enqueued_at"`
	RunAt       time.Time     `json:"run_at,omitzero"` // when a delayed job is due
	// Retried counts the times the job was retried from dead with
	// Inspector.Retry or RetryDead, its attempts reset each time; RetriedAt
	// is the last of them.
	Retried   int       `json:"retried,omitempty"`
	RetriedAt time.Time `json:"retried_at,omitzero"`
	// ReadRecord makes workers read the job's record before each attempt
	// even on a first delivery, so that its attempts and errors go on from
	// there: set it when republishing a job that has a record (a retry of a
	// dead job) and reset the record's Attempts.
	ReadRecord bool `json:"read_record,omitempty"`
}

// BackoffSpec is the stored form of a retry.Policy: its data fields (RetryIf
// and OnRetry are functions, which the Backoff option refuses).
type BackoffSpec struct {
	InitialDelay time.Duration `json:"initial,omitempty"`
	Multiplier   float64       `json:"multiplier,omitempty"`
	MaxDelay     time.Duration `json:"max,omitempty"`
	Jitter       retry.Jitter  `json:"jitter,omitempty"`
}

// Policy returns the retry.Policy m's attempts follow.
func (m *Meta) Policy() retry.Policy {
	p := retry.Policy{MaxAttempts: m.MaxAttempts}
	if b := m.Backoff; b != nil {
		p.InitialDelay, p.Multiplier, p.MaxDelay, p.Jitter = b.InitialDelay, b.Multiplier, b.MaxDelay, b.Jitter
	}
	return p
}

// QueueConfig is the JSON value under a queue's name in the queues bucket:
// the queue's controls, followed by every worker serving the queue. The zero
// QueueConfig means running, no cap, no rate limit.
type QueueConfig struct {
	// Paused stops workers fetching the queue; running jobs finish.
	Paused bool `json:"paused"`
	// MaxRunning caps the queue's jobs running at once across the cluster
	// (0: no cap).
	MaxRunning int `json:"maxRunning"`
	// Rate is the most jobs per second the workers of the cluster start
	// from the queue, all together (0: no limit), with bursts of up to
	// Burst (0: 1).
	Rate  float64 `json:"rate"`
	Burst int     `json:"burst"`
}

// Job is one job for Client.EnqueueBatch: Name and Payload as Enqueue's
// arguments, Options as its options.
type Job struct {
	Name    string
	Payload any
	Options []Option
}
