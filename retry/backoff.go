package retry

import "time"

// Backoff is the stateful form of a [Policy]: it counts failed attempts and
// remembers the last delay, which [Decorrelated] jitter needs. A scheduler
// keeps one per job (it is a small value, fine to embed) and calls Next after
// each failure. Create it with [Policy.Backoff]; the zero Backoff behaves like
// the zero Policy's. A Backoff is not safe for concurrent use; a copy carries
// on independently from the same point.
type Backoff struct {
	p        Policy // defaults filled in
	attempts int
	prev     time.Duration
	init     bool
}

// Backoff returns a fresh [Backoff] for p, with no attempts counted. It does
// not validate p (see [Policy.Validate]) and does not allocate.
func (p Policy) Backoff() Backoff {
	return Backoff{p: p.withDefaults(), init: true}
}

// Next records one failed attempt that returned err and reports whether to
// retry and, if so, how long to wait first, jitter applied. It says no in the
// same cases as [Policy.Next]; for [Decorrelated] the previous delay is the
// one Next last returned. Next counts the attempt even when it says no. It
// does not call OnRetry and does not allocate.
func (b *Backoff) Next(err error) (delay time.Duration, retry bool) {
	if !b.init {
		*b = Policy{}.Backoff()
	}
	b.attempts++
	prev := b.prev
	if b.attempts == 1 {
		prev = b.p.InitialDelay
	}
	delay, retry = b.p.next(b.attempts, err, prev)
	if retry {
		b.prev = delay
	}
	return delay, retry
}

// refused reports whether Next said no to err because RetryIf refused it,
// rather than because err is Permanent or the attempts ran out.
func (b *Backoff) refused(err error) bool {
	p := &b.p
	return err != nil && !IsPermanent(err) && p.RetryIf != nil &&
		(p.MaxAttempts == Forever || b.attempts < p.MaxAttempts)
}

// Attempts returns how many failed attempts Next has recorded.
func (b *Backoff) Attempts() int { return b.attempts }

// Reset forgets every recorded attempt, as after a success, keeping the
// Policy.
func (b *Backoff) Reset() {
	b.attempts, b.prev = 0, 0
}
