package pool

import (
	"math"
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
	// A debt of several tokens at the slowest rate passes what a Duration
	// holds: wait as long as one can, the worker looks again after it.
	if d := -l.tokens * float64(l.every); d < math.MaxInt64 {
		return time.Duration(d)
	}
	return math.MaxInt64
}

// refundLocked gives back a token reserved for a job that is gone: the
// worker stopped waiting for it when nothing was left to run.
func (l *limiter) refundLocked() {
	l.tokens = min(l.burst, l.tokens+1)
}

// maxInterval is the longest time between two tokens that a time.Duration
// holds, about 292 years: WithRateLimit refuses slower rates.
const maxInterval = float64(math.MaxInt64)

// WithRateLimit lets at most perSecond jobs start per second, with bursts of
// up to burst jobs (a token bucket that starts full). A job waiting for a
// token stays queued: it holds no worker and can still be cancelled; once
// nothing is left to run, Close and Wait return without waiting for the
// token. Both must be positive, and the time between two tokens must fit
// a time.Duration (perSecond of at least about 1.1e-10, one job in 292
// years): New refuses the rest with an error wrapping ErrInvalidOption.
// perSecond = +Inf means no limit, and so does any rate above one job per
// nanosecond (1e9), which no pool reaches.
func WithRateLimit(perSecond float64, burst int) Option {
	return optionFunc(func(c *config) error {
		if !(perSecond > 0) || burst < 1 {
			return invalidf("WithRateLimit(%v, %d): rate and burst must be positive", perSecond, burst)
		}
		every := float64(time.Second) / perSecond
		if every < 1 { // +Inf too
			c.rate = nil
			return nil
		}
		if !(every < maxInterval) {
			return invalidf("WithRateLimit(%v, %d): rate too small, one job every %.3g s does not fit a time.Duration", perSecond, burst, every/float64(time.Second))
		}
		c.rate = &limiter{every: time.Duration(every), burst: float64(burst), tokens: float64(burst)}
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
//
// The wait ends early when nothing is left to run, every queued job having
// been cancelled (wakeTokenWaitersLocked): the worker gives the token back
// and goes to pass the ghosts, so that Close and Wait need not wait for a
// token no job will use.
func (w *worker) waitToken() bool {
	p := w.p
	if p.rate == nil || w.token || p.queued-p.ghostCount() == 0 {
		return false
	}
	d := p.rate.reserveLocked(time.Now())
	if d <= 0 {
		w.token = true
		return false
	}
	w.tokenWait = true
	p.mu.Unlock()
	w.forgetJob()
	if w.timer == nil {
		w.timer = time.NewTimer(d)
	} else {
		w.timer.Reset(d)
	}
	select {
	case <-w.timer.C:
		p.mu.Lock()
		if !w.tokenWait {
			<-w.wake // sent as the timer fired: take it, the token is ours
		}
		w.tokenWait = false
		w.token = true // paid for: the next job this worker takes uses it
	case <-w.wake:
		w.timer.Stop()
		p.mu.Lock()
		p.rate.refundLocked()
	}
	return true
}

// wakeTokenWaitersLocked ends the token waits of a rate-limited pool once
// no live job is queued; p.mu is held. It runs when a queued job is
// cancelled and when Shutdown empties the queue.
func (p *Pool) wakeTokenWaitersLocked() {
	if p.rate == nil || p.queued-p.ghostCount() > 0 {
		return
	}
	for _, w := range p.allWorkers() {
		if w.tokenWait {
			w.tokenWait = false
			w.wake <- struct{}{} // free: w is neither parked nor woken
		}
	}
}
