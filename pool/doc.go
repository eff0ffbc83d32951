// Package pool runs jobs on a set of worker goroutines, with five priority
// levels, an optionally bounded queue with a choice of full policy, context
// cancellation, job handles, typed futures, groups, and a shutdown that
// loses nothing.
//
// Make a pool, submit work, and close it when done:
//
//	p, err := pool.New(runtime.GOMAXPROCS(0))
//	if err != nil {
//		return err
//	}
//	defer p.Close() // runs everything queued, then returns
//
//	job, err := p.Submit(ctx, func(ctx context.Context) error {
//		return upload(ctx, file)
//	}, pool.WithPriority(pool.High), pool.WithName("upload"))
//	if err != nil {
//		return err // nothing was enqueued
//	}
//	err = job.Wait(ctx)
//
// A zero Pool is not usable: make one with [New].
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
//   - [Call] runs a func(context.Context) (T, error) and returns a typed
//     [*Future]; [All], [Any], [Map] and [Stream] combine many.
//
// Job options set a priority ([WithPriority]), a name, a timeout, retries
// ([WithRetry]) and dependencies ([After]). [Pool.Group] collects jobs to
// wait for or cancel together.
//
// # Priorities and order
//
// A worker always takes work of the highest non-empty level ([Highest]
// first, [Lowest] last). With one worker, jobs of a level run in submission
// order. With several, jobs of a level start in submission order as from one
// queue, except that very short Go funcs on a many-core pool may start a few
// microseconds ahead of or behind their turn; docs/performance.md in the
// repository says when and by how much.
//
// # Bounded queue
//
// [WithQueueSize] bounds the jobs waiting for a worker. When the queue is
// full, [WithFullPolicy] decides: [Block] waits for a slot (Submit until its
// context ends), [Reject] returns [ErrQueueFull], [DropOldest] evicts the
// oldest job of the lowest level, which ends Cancelled with [ErrDropped].
// TrySubmit never waits. A job may submit to its own pool and wait for
// what it submitted, by Go, Submit, Map, Job.Wait or Group.Wait, even on a
// full Block queue of one worker: its submits are admitted past the bound
// and its worker runs queued jobs while it waits ([Block], [Job.Wait]).
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
//
// # Watching a pool
//
// [Pool.Stats] is a cheap snapshot whose counts reconcile; print it, or read
// its fields and histograms ([Histogram.Quantile]). [Pool.Diagnostics] lists
// running jobs and [Pool.Health] gives a verdict (package health serves it
// over HTTP). [WithObserver] sees every lifecycle step, at no cost when
// unset; package prom exports Stats to Prometheus.
package pool
