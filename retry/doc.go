// Package retry runs a function again after it fails, with exponential
// backoff and jitter, and guards calls with a circuit breaker. It imports only
// the standard library and nothing else of this module.
//
// # Retrying
//
// A [Policy] is plain data whose zero fields mean defaults: the zero Policy
// makes 3 attempts, waits 100ms then 200ms between them, never waits more than
// 30s, adds no jitter, and retries every error except a [Permanent] one.
// [Do] and [DoValue] run a function under a Policy:
//
//	err := retry.Do(ctx, retry.Policy{MaxAttempts: 5}, func(ctx context.Context) error {
//		return callServer(ctx)
//	})
//
// On failure they return an [*Error] that says how many attempts were made and
// wraps the last attempt's error, and also ctx.Err() when the caller's context
// ended, so errors.Is matches both. A first attempt that succeeds costs no
// allocation.
//
// A scheduler that runs attempts itself (a pool re-queueing a job, a durable
// queue redelivering a message) asks the Policy instead of calling Do:
// [Policy.Delay] is the deterministic schedule, [Policy.Next] says whether an
// error is retried after attempt n and how long to wait, and [Policy.Backoff]
// returns a small stateful [Backoff] for the jitter modes that depend on the
// previous delay.
//
// # Circuit breaking
//
// A [Breaker] stops calling a failing dependency for a while. It trips from
// [Closed] to [Open] after a run of consecutive failures or when the failure
// ratio over a rolling time window gets too high, rejects calls with [ErrOpen]
// for [BreakerConfig.OpenTimeout], then lets a few probe calls through in
// [HalfOpen]: their success closes it and a failure opens it again.
// [Breaker.Allow] is non-blocking and allocation-free, so a pool can ask it
// before taking a worker.
//
// # Time
//
// Every wait uses time.NewTimer and every clock reading uses time.Now, so
// tests run them under testing/synctest with a fake clock. Nothing here starts
// a goroutine.
package retry
