// Package pool runs jobs on a fixed set of worker goroutines, with five
// priority levels, an optionally bounded queue with a choice of full policy,
// context cancellation, job handles and a shutdown that loses nothing.
//
// # Submitting
//
// Three ways in, cheapest first:
//
//   - [Pool.Go] runs a func() fire and forget. It allocates nothing inside
//     the pool.
//   - [Pool.Submit] and [Pool.TrySubmit] run a func(context.Context) error
//     and return a [*Job] handle with its state, error, timings, Done channel,
//     Wait and Cancel.
//   - [Call] (see future.go) returns a typed [*Future].
//
// # Priorities and order
//
// A worker always takes work of the highest non-empty level ([Highest]
// first, [Lowest] last). With one worker, jobs of a level run in submission
// order. With several, jobs of a level start in submission order as from one
// queue, with one exception, which buys the pool its speed on many cores:
//
// On a fixed-size, unbounded pool with no observer or rate limit, where
// GOMAXPROCS is 4 or more (the fast lane), Normal jobs queue in one small queue per worker, and idle workers
// steal from the others. Once jobs are timed to run long (over 50 µs each),
// workers take the oldest queued job, so they start in submission order.
// Until then, and for shorter jobs, jobs are dealt one per queue in turn and
// each worker takes from its own: jobs start in submission order give or
// take how far the workers' speeds differ. Go funcs that run short (under
// 4 µs) are dealt 32 at a time per queue, so one may start up to 32 per
// worker ahead of or behind its turn: within microseconds of it. After a
// switch from short jobs to long ones, the first long ones may start out of
// order until a worker has timed one. See docs/performance.md.
//
// Elsewhere, a worker takes Go funcs from a long queue in a batch, which it
// runs in order: up to 64 at once, and no more than a quarter of its share
// of the queue. With several workers, a func may then start up to a batch
// ahead of its turn.
//
// # Bounded queue
//
// [WithQueueSize] bounds the jobs waiting for a worker. When the queue is
// full, [WithFullPolicy] decides: [Block] waits for a slot (Submit until its
// context ends), [Reject] returns [ErrQueueFull], [DropOldest] evicts the
// oldest job of the lowest level, which ends Cancelled with [ErrDropped].
// TrySubmit never waits.
//
// # Lifecycle
//
// A job is Queued (or Pending while it waits for dependencies), then Running,
// then exactly one of Succeeded, Failed, Cancelled or Skipped. A job whose
// context ends before it starts never runs and ends Cancelled. Cancellation is
// context.Context: a running job sees its context end and is Cancelled if it
// returns that context's error. A panic is recovered into a [*PanicError] that
// carries the stack; the worker lives on.
//
// # Shutdown
//
// Like net/http's Server: [Pool.Close] stops intake and runs every queued
// job; [Pool.Shutdown] drains until its context ends, then cancels what is
// left, each leftover job ending Cancelled with [ErrShutdown]. After either,
// every submit returns [ErrClosed]. Nothing is ever dropped silently: every
// accepted job reaches exactly one terminal state and [Pool.Stats] counts it.
package pool
