package pool

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

// FullPolicy says what a submit does when the bounded queue is full.
type FullPolicy uint8

const (
	// Block makes Go and Submit wait for a free slot (Submit until its ctx
	// ends). It is the default. A job that submits to its own pool, by Go or
	// Submit with any context, is admitted past the bound instead of
	// blocking, because the slot it would wait for may need its own worker to
	// free: the queue may then hold a few more jobs than its size. The pool
	// knows such a submit by its context (the job's, or one derived from it),
	// or else, when it would block, by the calling goroutine (about 2 µs).
	// A job waiting for the jobs it queued does not deadlock the pool either:
	// see Job.Wait.
	Block FullPolicy = iota
	// Reject makes every submit return ErrQueueFull at once.
	Reject
	// DropOldest admits the new job and evicts the oldest queued job of the
	// lowest non-empty level; the victim ends Cancelled with ErrDropped. When
	// the new job's priority is below every queued job's, the new job itself
	// is the victim: it is accepted and at once ends Cancelled with ErrDropped.
	DropOldest
)

// String returns the policy's name.
func (f FullPolicy) String() string {
	switch f {
	case Block:
		return "block"
	case Reject:
		return "reject"
	case DropOldest:
		return "drop-oldest"
	}
	return "unknown"
}

// config holds everything New's options set.
type config struct {
	queueSize int
	policy    FullPolicy
	ctx       context.Context
	onPanic   func(*PanicError)
	logger    *slog.Logger
	observer  Observer
	name      string

	minWorkers, maxWorkers int // -1 and 0: as many as New's workers
	idleTimeout            time.Duration
	rate                   *limiter
	stuckAfter             time.Duration
	labels                 bool
}

// Option configures a Pool in New. An invalid option makes New return an
// error wrapping ErrInvalidOption. The interface is sealed: options come from
// this package's With functions.
type Option interface {
	applyPool(*config) error
}

type optionFunc func(*config) error

func (f optionFunc) applyPool(c *config) error { return f(c) }

// PoolJobOption is an option that fits both New and a submit, such as
// WithName.
type PoolJobOption interface {
	Option
	JobOption
}

// WithQueueSize bounds the number of queued jobs (all priorities together)
// to n. The default, 0, means unbounded. A negative n is an error.
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 0 {
			return invalidf("WithQueueSize(%d): size must be >= 0", n)
		}
		c.queueSize = n
		return nil
	})
}

// WithFullPolicy sets what a submit does when the bounded queue is full. The
// default is Block. It has no effect on an unbounded queue.
func WithFullPolicy(p FullPolicy) Option {
	return optionFunc(func(c *config) error {
		if p > DropOldest {
			return invalidf("WithFullPolicy(%d): unknown policy", p)
		}
		c.policy = p
		return nil
	})
}

// WithContext sets the base context of the pool: it is the parent of every
// job's context for values (after the submit's own context), and its
// cancellation cancels every job. The default is context.Background().
func WithContext(ctx context.Context) Option {
	return optionFunc(func(c *config) error {
		if ctx == nil {
			return invalidf("WithContext(nil)")
		}
		c.ctx = ctx
		return nil
	})
}

// WithPanicHandler sets a function called once for every job that panics,
// on the worker's goroutine after the panic is recovered. The job still ends
// Failed with the *PanicError.
func WithPanicHandler(f func(*PanicError)) Option {
	return optionFunc(func(c *config) error {
		c.onPanic = f
		return nil
	})
}

// WithLogger makes the pool log failures and panics at Error and lifecycle
// steps at Debug. Nothing is logged, and no attribute is built, for levels
// the logger's handler has disabled.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) error {
		c.logger = l
		return nil
	})
}

// WithObserver sets an Observer told of every job's lifecycle steps. The
// default is none, which costs nothing.
func WithObserver(o Observer) Option {
	return optionFunc(func(c *config) error {
		c.observer = o
		return nil
	})
}

// WithName names a pool (given to New) or a job (given to a submit) in
// logs, events, metrics and profiles.
func WithName(name string) PoolJobOption { return nameOption(name) }

type nameOption string

func (n nameOption) applyPool(c *config) error { c.name = string(n); return nil }

func (n nameOption) applyJob(s *jobSpec) error { s.name = string(n); return nil }

// WithMinWorkers lets an adaptive pool retire idle workers down to n (n may
// be 0: the pool then starts a worker on the next submit). The default is
// New's workers, which keeps the pool fixed. n < 0 is an error.
func WithMinWorkers(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 0 {
			return invalidf("WithMinWorkers(%d): must be >= 0", n)
		}
		c.minWorkers = n
		return nil
	})
}

// WithMaxWorkers lets an adaptive pool add workers up to n: a submit that
// finds no idle worker starts one while fewer than n run, so no job waits
// while a worker could be added. The default is New's workers. n < 1 is an
// error.
func WithMaxWorkers(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 1 {
			return invalidf("WithMaxWorkers(%d): must be >= 1", n)
		}
		c.maxWorkers = n
		return nil
	})
}

// WithIdleTimeout retires a worker that has been idle for d while more than
// the minimum run. The default is 10s for an adaptive pool (min < max); a
// fixed pool never retires workers. d <= 0 is an error.
//
// d is also how long any pool, fixed or adaptive, must stay idle (no job
// queued, running or pending) before its queues let go of the empty
// segments a burst left them, down to 8 of 128 slots each; without this
// option that interval is 10s. A million queued jobs leave about 8 MB of
// such segments, which a busy pool reuses.
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return invalidf("WithIdleTimeout(%v): must be > 0", d)
		}
		c.idleTimeout = d
		return nil
	})
}

// JobOption configures one job at submit time. An invalid option makes the
// submit return an error wrapping ErrInvalidOption, and nothing is enqueued.
type JobOption interface {
	applyJob(*jobSpec) error
}

// jobSpec collects a submit's options before the job is built.
type jobSpec struct {
	prio    Priority
	name    string
	timeout time.Duration
	deps    []*Job
	retry   *retry.Policy
	breaker *retry.Breaker
}

type jobOptionFunc func(*jobSpec) error

func (f jobOptionFunc) applyJob(s *jobSpec) error { return f(s) }

// WithPriority sets the job's priority; the default is Normal. A value other
// than the five levels is an error.
func WithPriority(p Priority) JobOption {
	return jobOptionFunc(func(s *jobSpec) error {
		if !p.valid() {
			return invalidf("WithPriority(%d): unknown priority", int8(p))
		}
		s.prio = p
		return nil
	})
}

// WithTimeout ends the job's context d after the job starts. A job whose
// function returns that context's error ends Failed with an error matching
// context.DeadlineExceeded: a timeout is a failure, not a cancellation.
// A d <= 0 is an error.
func WithTimeout(d time.Duration) JobOption {
	return jobOptionFunc(func(s *jobSpec) error {
		if d <= 0 {
			return invalidf("WithTimeout(%v): timeout must be > 0", d)
		}
		s.timeout = d
		return nil
	})
}

// After makes the job wait, Pending and holding no worker, until every job in
// deps has Succeeded; it is then queued. If any of them ends Failed,
// Cancelled or Skipped, the job ends Skipped with a *DependencyError naming
// that job, and jobs that depend on it follow. Dependencies may belong to
// other pools. A nil job in deps is an error. A pending job is admitted to a
// bounded queue past its bound when it becomes ready: it was accepted at
// submit time.
func After(deps ...*Job) JobOption {
	return jobOptionFunc(func(s *jobSpec) error {
		for i, d := range deps {
			if d == nil {
				return invalidf("After: dependency %d is nil", i)
			}
		}
		s.deps = append(s.deps, deps...)
		return nil
	})
}

// WithRetry retries a failed job under the policy p (see retry.Policy for
// attempts, backoff and which errors are retried). Between attempts the job
// is Pending: it holds no worker and is not counted as running; Stats count
// each retry. When it comes due it is queued past a bounded queue's bound,
// like a job whose dependencies are done: it was accepted long ago. A panic
// is not retried, nor an attempt that was cancelled (by Cancel, its context
// or Shutdown); a timeout is. Each attempt gets a fresh context. An invalid
// policy is an error.
func WithRetry(p retry.Policy) JobOption {
	return jobOptionFunc(func(s *jobSpec) error {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("%w: WithRetry: %w", ErrInvalidOption, err)
		}
		s.retry = &p
		return nil
	})
}

// WithBreaker guards the job with a circuit breaker shared by the jobs that
// call the same dependency: each attempt asks b first, and while b is open
// the attempt fails at once with an error matching retry.ErrOpen, without
// running the function (with WithRetry, a later attempt may find it closed).
// The outcome of each attempt that runs is reported to b. A nil b is an
// error.
func WithBreaker(b *retry.Breaker) JobOption {
	return jobOptionFunc(func(s *jobSpec) error {
		if b == nil {
			return invalidf("WithBreaker(nil)")
		}
		s.breaker = b
		return nil
	})
}
