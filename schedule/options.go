package schedule

import (
	"log/slog"
	"time"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// Option configures a Scheduler in New; a nil Option is ignored. The
// interface is sealed: options come from this package's With functions.
type Option interface {
	applyScheduler(*Scheduler)
}

type schedulerOption func(*Scheduler)

func (f schedulerOption) applyScheduler(s *Scheduler) { f(s) }

// WithLocation sets the zone in which Cron specs without a CRON_TZ= prefix,
// and without an InLocation option, are read. The default is time.Local, as
// in robfig/cron; pass time.UTC for a schedule that ignores the host's zone.
// A nil loc keeps the default.
func WithLocation(loc *time.Location) Option {
	return schedulerOption(func(s *Scheduler) {
		if loc != nil {
			s.loc = loc
		}
	})
}

// WithLogger makes the scheduler log firings the pool rejected and entries
// that ended because the pool closed, at Warn. The default logs nothing. The
// logger is called from the scheduler's goroutine while it holds its lock:
// its handler must not call back into the Scheduler.
func WithLogger(l *slog.Logger) Option {
	return schedulerOption(func(s *Scheduler) { s.log = l })
}

// EntryOption configures one entry in After, At, Every or Cron. An invalid
// option, or options in conflict, make the call return an error wrapping
// ErrInvalid. The interface is sealed.
type EntryOption interface {
	applyEntry(*config) error
}

// config is what an entry's options set; an entry with no option shares
// nothing and holds a nil *config.
type config struct {
	jobOpts    []pool.JobOption
	retry      *retry.Policy
	overlap    Overlap
	missed     Misfire
	spacing    Spacing
	jitter     time.Duration
	start, end time.Time
	maxRuns    int
	loc        *time.Location
	set        uint16 // which option kinds were given, for conflict checks

	// The entry's rare state, kept here so that an entry without options
	// stays small. The scheduler's lock guards it.
	fireAt  int64         // due plus jitter, or never; used when jitter > 0
	retryAt int64         // when a waiting retry is due, or never
	attempt int32         // attempt number of the latest run (1 = first)
	sched   cron.Schedule // a Cron schedule of a kind the entry has no field for
}

const (
	setSpacing = 1 << iota
	setLocation
)

type entryOption func(*config) error

func (f entryOption) applyEntry(c *config) error { return f(c) }

// WithPriority sets the pool priority of the jobs the entry submits; the
// default is pool.Normal. An unknown priority makes the call that takes the
// option fail with ErrInvalid.
func WithPriority(p pool.Priority) EntryOption {
	return entryOption(func(c *config) error {
		if p < pool.Lowest || p > pool.Highest {
			return invalidf("WithPriority(%d): unknown priority", p)
		}
		c.jobOpts = append(c.jobOpts, pool.WithPriority(p))
		return nil
	})
}

// WithName names the jobs the entry submits (see pool.WithName).
func WithName(name string) EntryOption {
	return entryOption(func(c *config) error {
		c.jobOpts = append(c.jobOpts, pool.WithName(name))
		return nil
	})
}

// WithRetry retries a failed run as p says: after a run fails, the scheduler
// asks p.Next for the delay and keeps the retry in its heap, so a waiting
// retry holds no worker. Runs that end Cancelled are not retried. While a
// retry waits, the entry counts as running for its overlap policy; retries do
// not count towards MaxRuns. An invalid p (see retry.Policy.Validate) is an
// error wrapping both ErrInvalid and retry.ErrInvalidPolicy. p.OnRetry is not
// called.
func WithRetry(p retry.Policy) EntryOption {
	return entryOption(func(c *config) error {
		if err := p.Validate(); err != nil {
			return invalidf("WithRetry: %w", err)
		}
		c.retry = &p
		return nil
	})
}

// WithJitter delays each firing by a random duration in [0, max), drawn
// afresh for every firing, to spread entries that share a time. Jitter does
// not move the fixed-rate grid and bounds (EndAt) apply to the time before
// jitter. Zero, the default, means none; a negative max is an error.
func WithJitter(max time.Duration) EntryOption {
	return entryOption(func(c *config) error {
		if max < 0 {
			return invalidf("WithJitter(%v): negative", max)
		}
		c.jitter = max
		return nil
	})
}

// StartAt keeps the entry from firing before t. An Every entry's first firing
// is at t itself (when t is later than now plus the interval's first step,
// the grid is counted from t); a Cron entry's first activation is the first
// at or after t; an After or At entry fires at the later of its time and t.
func StartAt(t time.Time) EntryOption {
	return entryOption(func(c *config) error {
		c.start = t
		return nil
	})
}

// EndAt ends the entry after its last firing due at or before t: no firing is
// due after t, and the entry's Done closes once its runs have finished. An
// EndAt before StartAt is an error.
func EndAt(t time.Time) EntryOption {
	return entryOption(func(c *config) error {
		c.end = t
		return nil
	})
}

// MaxRuns ends the entry after n runs were submitted to the pool (retries
// and firings that were skipped, rejected or missed do not count). n must be
// at least 1; without the option there is no limit.
func MaxRuns(n int) EntryOption {
	return entryOption(func(c *config) error {
		if n < 1 {
			return invalidf("MaxRuns(%d): must be at least 1", n)
		}
		c.maxRuns = n
		return nil
	})
}

// InLocation reads a Cron entry's spec in loc, overriding the scheduler's
// WithLocation. A CRON_TZ= (or TZ=) prefix in the spec wins over both. It is
// an error on other kinds of entry, and for a nil loc.
func InLocation(loc *time.Location) EntryOption {
	return entryOption(func(c *config) error {
		if loc == nil {
			return invalidf("InLocation(nil)")
		}
		c.loc = loc
		c.set |= setLocation
		return nil
	})
}

// Overlap says what an entry does when it comes due while its previous run
// (or that run's pending retry) has not finished: SkipIfRunning (the
// default) skips the firing, QueueOne keeps one firing for when the run
// ends, AllowOverlap submits every firing. Each value is itself an
// EntryOption.
type Overlap uint8

const (
	// SkipIfRunning records the firing as Skipped and submits nothing.
	SkipIfRunning Overlap = iota
	// QueueOne remembers one firing and submits it as soon as the run in
	// progress finishes; further firings while one is queued are Skipped.
	QueueOne
	// AllowOverlap submits every firing; runs may execute at once on
	// several workers. A retry starts only if no other retry is waiting.
	AllowOverlap
)

func (o Overlap) applyEntry(c *config) error {
	if o > AllowOverlap {
		return invalidf("unknown Overlap %d", o)
	}
	c.overlap = o
	return nil
}

// Misfire says what a periodic entry does when the scheduler reaches a firing
// after the following one is already due (the process was suspended, or the
// scheduler was starved): MissedRunOnce (the default) fires once for all the
// missed firings, MissedSkip fires none of them. Each value is itself an
// EntryOption. A firing is never missed merely for being a little late, and
// one-shot entries (After, At) are never missed.
type Misfire uint8

const (
	// MissedRunOnce fires once, at once, for all the firings that were
	// missed, then carries on with the first firing due after now.
	MissedRunOnce Misfire = iota
	// MissedSkip fires nothing for the missed firings, records the entry's
	// outcome as Missed, and carries on with the first firing due after now.
	MissedSkip
)

func (m Misfire) applyEntry(c *config) error {
	if m > MissedSkip {
		return invalidf("unknown Misfire %d", m)
	}
	c.missed = m
	return nil
}

// Spacing says how Every measures its interval: FixedRate (the default)
// fires on a grid whatever the runs take, FixedDelay fires the interval after
// the previous run finished. Each value is itself an EntryOption, valid only
// for Every.
type Spacing uint8

const (
	// FixedRate fires on a grid: start, start+d, start+2d, ..., whatever
	// the runs take.
	FixedRate Spacing = iota
	// FixedDelay fires d after the previous run (and its retries) finished;
	// runs of the entry never overlap.
	FixedDelay
)

func (p Spacing) applyEntry(c *config) error {
	if p > FixedDelay {
		return invalidf("unknown Spacing %d", p)
	}
	c.spacing = p
	c.set |= setSpacing
	return nil
}

// buildConfig applies opts for an entry of kind k; it returns nil, nil when
// there are none.
func buildConfig(k kind, opts []EntryOption) (*config, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	c := &config{fireAt: never, retryAt: never}
	for _, o := range opts {
		if o == nil {
			return nil, invalidf("nil EntryOption")
		}
		if err := o.applyEntry(c); err != nil {
			return nil, err
		}
	}
	switch {
	case !c.start.IsZero() && !c.end.IsZero() && c.end.Before(c.start):
		return nil, invalidf("EndAt %v is before StartAt %v", c.end, c.start)
	case c.set&setSpacing != 0 && k != kindEvery:
		return nil, invalidf("FixedRate and FixedDelay apply to Every only")
	case c.set&setLocation != 0 && k != kindCron:
		return nil, invalidf("InLocation applies to Cron only")
	}
	return c, nil
}
