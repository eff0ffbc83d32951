package retry

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Jitter says how a [Policy] randomises each delay so that many clients that
// failed together do not retry together. With d = [Policy.Delay] of the
// attempt that failed, the modes are:
//
//   - [NoJitter] (the zero value): wait exactly d, a deterministic schedule.
//   - [FullJitter]: wait a uniform random time in [0, d].
//   - [EqualJitter]: wait d/2 plus a uniform random time in [0, d/2].
//   - [Decorrelated]: wait a uniform random time in
//     [InitialDelay, min(MaxDelay, 3*previous delay)], ignoring Multiplier.
//
// Every mode stays within MaxDelay. The random numbers come from
// math/rand/v2's global source, which is safe from many goroutines and
// allocates nothing.
type Jitter uint8

const (
	// NoJitter waits exactly [Policy.Delay]: the schedule is deterministic.
	NoJitter Jitter = iota
	// FullJitter waits a uniform random time in [0, Delay(n)].
	FullJitter
	// EqualJitter waits Delay(n)/2 plus a uniform random time in
	// [0, Delay(n)/2], so between half and all of Delay(n).
	EqualJitter
	// Decorrelated is AWS's "decorrelated jitter": it waits a uniform random
	// time in [InitialDelay, min(MaxDelay, 3*prev)], where prev is the
	// previous delay (InitialDelay before the first), and ignores
	// Multiplier. [Backoff] keeps prev; [Policy.Next], which has no memory,
	// uses the un-jittered Delay(n-1) as prev.
	Decorrelated
)

// String returns the constant's name in lower case ("none", "full", "equal",
// "decorrelated"), or "Jitter(N)" for an unknown value.
func (j Jitter) String() string {
	switch j {
	case NoJitter:
		return "none"
	case FullJitter:
		return "full"
	case EqualJitter:
		return "equal"
	case Decorrelated:
		return "decorrelated"
	}
	return "Jitter(" + strconv.Itoa(int(j)) + ")"
}

// apply returns the delay to wait after an attempt whose un-jittered delay is
// d; prev is the previous delay, read only by Decorrelated. p must have its
// defaults filled in.
func (j Jitter) apply(p *Policy, d, prev time.Duration) time.Duration {
	switch j {
	case FullJitter:
		return between(0, d)
	case EqualJitter:
		return between(d/2, d)
	case Decorrelated:
		hi := p.MaxDelay
		if prev <= hi/3 {
			hi = 3 * prev
		}
		return between(p.InitialDelay, hi)
	}
	return d
}

// between returns a uniform random duration in [lo, hi], or lo when hi <= lo.
func between(lo, hi time.Duration) time.Duration {
	if hi <= lo || lo < 0 {
		return max(lo, 0)
	}
	// 0 <= lo < hi, so hi-lo+1 cannot overflow a uint64.
	return lo + time.Duration(rand.Uint64N(uint64(hi-lo)+1))
}
