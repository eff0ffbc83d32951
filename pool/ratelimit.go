package pool

import (
	"time"
)

// limiter is a token bucket guarded by the pool's lock: workers reserve a
// token before taking a job, and wait for it without holding one.
type limiter struct {
	every  time.Duration // time to earn one token
	burst  float64
	tokens float64
	last   time.Time
}

// reserveLocked takes a token, going into debt if none is left, and returns
// how long the caller must wait before using it.
func (l *limiter) reserveLocked(now time.Time) time.Duration {
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+float64(now.Sub(l.last))/float64(l.every))
	}
	l.last = now
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens * float64(l.every))
}

// WithRateLimit lets at most perSecond jobs start per second, with bursts of
// up to burst jobs (a token bucket that starts full). A job waiting for a
// token stays queued: it holds no worker and can still be cancelled. Both
// must be positive.
func WithRateLimit(perSecond float64, burst int) Option {
	return optionFunc(func(c *config) error {
		if !(perSecond > 0) || burst < 1 {
			return invalidf("WithRateLimit(%v, %d): rate and burst must be positive", perSecond, burst)
		}
		c.rate = &limiter{every: time.Duration(float64(time.Second) / perSecond), burst: float64(burst), tokens: float64(burst)}
		return nil
	})
}

// WithStuckThreshold reports each job that runs longer than d, once: to the
// observer (EventStuck), to the logger at Warn, and in Diagnostics and
// Health. It starts one monitoring goroutine, which stops with the pool.
// d <= 0 is an error.
func WithStuckThreshold(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return invalidf("WithStuckThreshold(%v): must be > 0", d)
		}
		c.stuckAfter = d
		return nil
	})
}

// WithProfilerLabels runs every job with runtime/pprof labels "pool", "job"
// (its name) and "priority", so a CPU profile attributes time to job names.
// It costs a few allocations per job; off by default.
func WithProfilerLabels() Option {
	return optionFunc(func(c *config) error {
		c.labels = true
		return nil
	})
}

// waitToken makes w wait for a rate-limit token if the pool has a limit,
// with p.mu held on entry and on return; it reports whether it waited, in
// which case the caller must look at the queue again.
func (w *worker) waitToken() bool {
	p := w.p
	if p.rate == nil || p.queued == 0 || w.token {
		return false
	}
	d := p.rate.reserveLocked(time.Now())
	if d <= 0 {
		w.token = true
		return false
	}
	p.mu.Unlock()
	w.forgetJob()
	if w.timer == nil {
		w.timer = time.NewTimer(d)
	} else {
		w.timer.Reset(d)
	}
	<-w.timer.C
	p.mu.Lock()
	w.token = true // paid for: the next job this worker takes uses it
	return true
}
