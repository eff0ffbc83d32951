package durable

import (
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// Option configures one job for Client.Enqueue and Job.Options. A bad value
// makes Enqueue return an error wrapping [ErrInvalid], with nothing enqueued.
type Option interface{ applyJob(*jobConfig) error }

// jobOpt adapts a func to Option.
type jobOpt func(*jobConfig) error

func (f jobOpt) applyJob(c *jobConfig) error { return f(c) }

type jobConfig struct {
	id          string
	queue       string
	priority    pool.Priority
	delay       time.Duration
	at          time.Time
	unique      string
	maxAttempts int
	timeout     time.Duration
	deadline    time.Time
	retention   time.Duration
	backoff     *retry.Policy
	raw         bool
}

// DefaultQueue is the queue of a job enqueued without the Queue option.
const DefaultQueue = "default"

// DefaultRetention is how long a finished job's record is kept without the
// Retention option.
const DefaultRetention = 24 * time.Hour

// Queue puts the job on the named queue (default [DefaultQueue]). A name is
// 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.
func Queue(name string) Option {
	return jobOpt(func(c *jobConfig) error {
		if err := validQueue(name); err != nil {
			return err
		}
		c.queue = name
		return nil
	})
}

// Priority sets the job's priority (default pool.Normal): a worker fetches
// higher levels of a queue first, and runs the job at that pool priority.
func Priority(p pool.Priority) Option {
	return jobOpt(func(c *jobConfig) error {
		if p < pool.Lowest || p > pool.Highest {
			return fmt.Errorf("%w: priority %d outside pool.Lowest..pool.Highest", ErrInvalid, p)
		}
		c.priority = p
		return nil
	})
}

// Delay makes the job due d from now rather than at once. Zero means now;
// negative is invalid.
func Delay(d time.Duration) Option {
	return jobOpt(func(c *jobConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: negative delay %v", ErrInvalid, d)
		}
		c.delay = d
		return nil
	})
}

// At makes the job due at t; a t in the past means now. The zero time is
// invalid.
func At(t time.Time) Option {
	return jobOpt(func(c *jobConfig) error {
		if t.IsZero() {
			return fmt.Errorf("%w: zero time for At", ErrInvalid)
		}
		c.at = t
		return nil
	})
}

// Unique gives the job a key that no other unfinished job may hold: while a
// job with the key is scheduled, queued, running or retrying, a second
// Enqueue with it enqueues nothing and returns the first job's ID and an
// error wrapping [ErrDuplicate]; the ID is empty while the first job's
// Enqueue is still storing it (the ID is known once the server has stored
// the job: see UniqueLease). The key is released when the job succeeds,
// is dead or is cancelled. A key claimed by an Enqueue that died before
// storing its job is held for the client's [UniqueLease] at most, then
// taken over by the next Enqueue with it. Any non-empty string up to 512
// bytes.
func Unique(key string) Option {
	return jobOpt(func(c *jobConfig) error {
		if key == "" || len(key) > 512 {
			return fmt.Errorf("%w: unique key of %d bytes (1-512)", ErrInvalid, len(key))
		}
		c.unique = key
		return nil
	})
}

// MaxAttempts is the most times the job runs, the first attempt included
// (default: the Backoff policy's MaxAttempts, 3 for the zero policy);
// retry.Forever (-1) means no limit. Zero and values below -1 are invalid.
func MaxAttempts(n int) Option {
	return jobOpt(func(c *jobConfig) error {
		if n == 0 || n < retry.Forever {
			return fmt.Errorf("%w: max attempts %d (want >= 1 or retry.Forever)", ErrInvalid, n)
		}
		c.maxAttempts = n
		return nil
	})
}

// Timeout bounds each attempt: its context ends after d with
// context.DeadlineExceeded, and the attempt fails (and is retried) unless the
// handler finished first. Zero means no limit; negative is invalid.
func Timeout(d time.Duration) Option {
	return jobOpt(func(c *jobConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: negative timeout %v", ErrInvalid, d)
		}
		c.timeout = d
		return nil
	})
}

// Deadline bounds the whole job: an attempt's context ends at t, no retry is
// scheduled past it, and a job delivered after it is dead with
// [ErrDeadline]. The zero time means none.
func Deadline(t time.Time) Option {
	return jobOpt(func(c *jobConfig) error {
		c.deadline = t
		return nil
	})
}

// Retention is how long the job's record is kept once it has succeeded or
// been cancelled (default [DefaultRetention]); dead jobs are kept for the
// client's DeadRetention. At least one second.
func Retention(d time.Duration) Option {
	return jobOpt(func(c *jobConfig) error {
		if d < time.Second {
			return fmt.Errorf("%w: retention %v below 1s", ErrInvalid, d)
		}
		c.retention = d
		return nil
	})
}

// NoRetention keeps no record of the job once it succeeds, as asynq does
// by default: the worker acknowledges it without writing one (or, if the
// job had a record, a retry's say, deletes it), one stored write fewer
// per job. Once it has succeeded, Job and Cancel return [ErrNotFound] and
// Counts and Throughput do not count it; a handler's result is dropped. A
// dead or cancelled job is recorded as without it (Cancelled records for
// [DefaultRetention]). The last of NoRetention and Retention given wins.
func NoRetention() Option {
	return jobOpt(func(c *jobConfig) error { c.retention = noRetention; return nil })
}

// noRetention is Meta.Retention for NoRetention.
const noRetention = -1

// Backoff sets the job's retry schedule from p's data fields: MaxAttempts
// (unless the MaxAttempts option is given), InitialDelay, Multiplier,
// MaxDelay and Jitter. RetryIf and OnRetry are functions, which cannot be
// stored with the job, and are refused. The default is the zero Policy.
func Backoff(p retry.Policy) Option {
	return jobOpt(func(c *jobConfig) error {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("%w: backoff: %w", ErrInvalid, err)
		}
		if p.RetryIf != nil || p.OnRetry != nil {
			return fmt.Errorf("%w: backoff: RetryIf and OnRetry cannot be stored with a durable job", ErrInvalid)
		}
		c.backoff = &p
		return nil
	})
}

// Raw sends the payload as it is: Enqueue's payload must then be a []byte
// (or string), and the handler should be registered with HandleRaw.
// Without Raw the payload is encoded with encoding/json.
func Raw() Option {
	return jobOpt(func(c *jobConfig) error { c.raw = true; return nil })
}

// ID sets the job's ID instead of a generated one: 1 to 128 characters of
// A-Z, a-z, 0-9, '_', '-' and '='. While a record with the ID is retained,
// another Enqueue with it enqueues nothing and returns the ID and an error
// wrapping [ErrDuplicate]: the cron entries of several processes use this to
// fire once per tick. It costs Enqueue one more round trip (the record is
// created before the job is published). A crash between the two (of the
// enqueuing process or of the server) leaves a queued record without a
// job, which refuses the ID until it is cancelled (Cancel); jobs with
// generated IDs store one message and no record, so they cannot be left
// so.
func ID(id string) Option {
	return jobOpt(func(c *jobConfig) error {
		if !validToken(id, 128, true) {
			return fmt.Errorf("%w: job ID %q (1-128 of A-Z a-z 0-9 _ - =)", ErrInvalid, id)
		}
		c.id = id
		return nil
	})
}

func validQueue(name string) error {
	if !validToken(name, 64, false) {
		return fmt.Errorf("%w: queue name %q (1-64 of A-Z a-z 0-9 _ -)", ErrInvalid, name)
	}
	return nil
}

func validToken(s string, maxLen int, eq bool) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '_', b == '-':
		case eq && b == '=':
		default:
			return false
		}
	}
	return true
}

// ClientOption configures Connect and New. A bad value makes them return an
// error wrapping [ErrInvalid].
type ClientOption interface{ applyClient(*clientConfig) error }

// clientOpt adapts a func to ClientOption.
type clientOpt func(*clientConfig) error

func (f clientOpt) applyClient(c *clientConfig) error { return f(c) }

type clientConfig struct {
	prefix        string
	replicas      int
	deadRetention time.Duration
	natsOpts      []nats.Option
	maxPending    int
	uniqueLease   time.Duration
}

// DefaultUniqueLease is how long a provisional claim of a Unique key lasts
// without the UniqueLease option.
const DefaultUniqueLease = time.Minute

// UniqueLease bounds how long a Unique key stays claimed by an Enqueue that
// has not stored its job yet (default [DefaultUniqueLease]). Enqueue first
// claims the key provisionally, with a lease ending d from then, and makes
// the claim lasting once the server has acknowledged the job. If the
// enqueuing process or the server dies in between, the key is held by no
// job; a later Enqueue with the key gets [ErrDuplicate] until the lease
// ends (with no ID: a provisional claim names its job by the nonce of its
// ID, whose stream sequence is not known yet), then takes the key over by compare-and-set (one of many concurrent
// ones wins). An Enqueue slower than its lease may lose its key that way:
// it then cancels its own job and returns the new holder's ID and
// [ErrDuplicate]; and a worker records a job whose key another job holds
// cancelled rather than run it, so two jobs never both run. Leases are
// compared with the clock of the process that takes over, so hosts' clocks
// should agree to well within d. A worker reads the key of each Unique job
// it gets once more (one KV read) before running it. At least 10ms.
func UniqueLease(d time.Duration) ClientOption {
	return clientOpt(func(c *clientConfig) error {
		if d < 10*time.Millisecond {
			return fmt.Errorf("%w: unique lease %v below 10ms", ErrInvalid, d)
		}
		c.uniqueLease = d
		return nil
	})
}

// Prefix names the deployment's stream and buckets (default "TS_JOBS"; see
// the package doc, Storage layout). Clients and workers with the same prefix
// share the jobs. 1 to 32 characters of A-Z, a-z, 0-9, '_' and '-'.
func Prefix(p string) ClientOption {
	return clientOpt(func(c *clientConfig) error {
		if !validToken(p, 32, false) {
			return fmt.Errorf("%w: prefix %q (1-32 of A-Z a-z 0-9 _ -)", ErrInvalid, p)
		}
		c.prefix = p
		return nil
	})
}

// Replicas sets how many servers keep each stream and bucket (default 1; 3
// on a cluster of three or more). Between 1 and 5.
func Replicas(n int) ClientOption {
	return clientOpt(func(c *clientConfig) error {
		if n < 1 || n > 5 {
			return fmt.Errorf("%w: replicas %d (1-5)", ErrInvalid, n)
		}
		c.replicas = n
		return nil
	})
}

// DeadRetention is how long a dead job's record (error history and
// payload) is kept (default 7 days). At least one second.
func DeadRetention(d time.Duration) ClientOption {
	return clientOpt(func(c *clientConfig) error {
		if d < time.Second {
			return fmt.Errorf("%w: dead retention %v below 1s", ErrInvalid, d)
		}
		c.deadRetention = d
		return nil
	})
}

// NATS passes options to nats.Connect; Connect only.
func NATS(opts ...nats.Option) ClientOption {
	return clientOpt(func(c *clientConfig) error {
		c.natsOpts = append(c.natsOpts, opts...)
		return nil
	})
}

// WorkerOption configures NewWorker. A bad value makes it return an error
// wrapping [ErrInvalid].
type WorkerOption interface{ applyWorker(*workerConfig) error }

// workerOpt adapts a func to WorkerOption.
type workerOpt func(*workerConfig) error

func (f workerOpt) applyWorker(c *workerConfig) error { return f(c) }

type workerConfig struct {
	queues      []string
	weights     []int // nil: strict order
	concurrency int
	ackWait     time.Duration
	pollWait    time.Duration
}

// DefaultAckWait is how long the server waits for a worker's
// acknowledgement or heartbeat before it redelivers a job.
const DefaultAckWait = 30 * time.Second

// Queues makes the worker serve the named queues in strict order: all of
// the first queue's ready jobs (highest priority first) before any of the
// second's. The default is the one queue [DefaultQueue].
func Queues(names ...string) WorkerOption {
	return workerOpt(func(c *workerConfig) error {
		if len(names) == 0 {
			return fmt.Errorf("%w: no queues", ErrInvalid)
		}
		seen := map[string]bool{}
		for _, n := range names {
			if err := validQueue(n); err != nil {
				return err
			}
			if seen[n] {
				return fmt.Errorf("%w: queue %q named twice", ErrInvalid, n)
			}
			seen[n] = true
		}
		c.queues, c.weights = append([]string(nil), names...), nil
		return nil
	})
}

// Weighted makes the worker serve the queues of the map in a weighted
// random order: on each fetch a queue of weight w comes first with
// probability w / (sum of weights), so no queue starves. Weights are
// positive.
func Weighted(weights map[string]int) WorkerOption {
	return workerOpt(func(c *workerConfig) error {
		if len(weights) == 0 {
			return fmt.Errorf("%w: no queues", ErrInvalid)
		}
		c.queues, c.weights = nil, nil
		for n, wt := range weights {
			if err := validQueue(n); err != nil {
				return err
			}
			if wt <= 0 {
				return fmt.Errorf("%w: weight %d of queue %q is not positive", ErrInvalid, wt, n)
			}
			c.queues = append(c.queues, n)
			c.weights = append(c.weights, wt)
		}
		return nil
	})
}

// Concurrency is the most jobs the worker holds at once, running on its
// pool or waiting there for a pool worker (default: 4 times the pool's
// workers at NewWorker, at least 64). The pool bounds how many run; the
// rest wait in its priority queues, with heartbeats keeping their leases.
// A larger window fetches in larger batches; Concurrency(1) fetches one job
// at a time, strictly highest priority first. For many short jobs the
// window must cover the rate times a fetch's round trip: on a loaded
// 2-core machine, bench (p)'s microsecond jobs ran 9-10k/s with the
// default and 15-17k/s with 256. Jobs held here wait for this worker
// even when another is idle, so keep it small for long jobs.
func Concurrency(n int) WorkerOption {
	return workerOpt(func(c *workerConfig) error {
		if n < 1 {
			return fmt.Errorf("%w: concurrency %d below 1", ErrInvalid, n)
		}
		c.concurrency = n
		return nil
	})
}

// AckWait is how long the server waits for this worker's acknowledgement or
// heartbeat before it hands a job to another worker (default
// [DefaultAckWait]): a dead worker's jobs come back within it. A running job
// sends heartbeats every AckWait/3, so a job may run much longer. At least
// 100ms. Workers of a queue should agree: the last one to start sets it on
// the queue's consumers.
func AckWait(d time.Duration) WorkerOption {
	return workerOpt(func(c *workerConfig) error {
		if d < 100*time.Millisecond {
			return fmt.Errorf("%w: ack wait %v below 100ms", ErrInvalid, d)
		}
		c.ackWait = d
		return nil
	})
}
