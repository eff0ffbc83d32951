// Package schedule runs functions later, once or periodically, on a
// [pool.Pool]: [Scheduler.After] and [Scheduler.At] fire once,
// [Scheduler.Every] at an interval, [Scheduler.Cron] at the activations of a
// cron spec (see package cron). Each returns an [*Entry] with its next firing,
// its run history (LastRun, Outcome, LastErr, Runs), Done and Cancel.
//
// # One timer
//
// A Scheduler keeps every entry in one min-heap keyed by its next firing,
// served by one goroutine sleeping on one time.Timer reset to the earliest
// key: never a goroutine or a timer per entry. A waiting After, At or Every
// entry costs about 120 bytes, its heap slot included, so a million fit in
// 120 MB; a Cron entry as much again plus its parsed spec (128 bytes), which
// entries made from the same spec string share (TestMemoryPerEntry, bench
// (s)). Adding one costs O(log n) with one allocation; Cancel costs O(1):
// the entry's slot goes stale and the heap compacts once stale slots
// outnumber live ones. The heap's capacity follows its size down, so a
// scheduler that held a million entries gives the memory back as they are
// cancelled or fire (TestCancelGivesMemoryBack).
//
// Runs start when the timer wakes. When many entries come due at once (a
// sixteenth of a large heap or more), the scheduler takes them all out in
// one pass and fires them in order rather than pop them one at a time. It
// lets go of its lock every 256 firings, and a run that ends while the
// lock is held leaves its report for the holder rather than wait, so a
// burst never stalls the pool's workers. The figures, against robfig/cron
// in the same process, are in bench (s) and docs/performance.md. Firing
// submits to the pool with TrySubmit, so the scheduler's goroutine never
// blocks on the pool; a run reports its end back through the function the
// scheduler wraps around yours, so no goroutine watches jobs either. All
// times come from time.Now and time.NewTimer, so testing/synctest fakes
// them.
//
// # Pool jobs
//
// A run of an entry with pool options (WithPriority, WithName) is a pool
// job of its own, and so is every run on a pool with a bounded queue or a
// rate limit, which admit or pace each job. Otherwise the runs that fire
// together (up to 64) share pool jobs, one per worker at most: the jobs
// take the runs in firing order, one after another, so a burst costs the
// pool a job and a wake-up per worker and 64 runs rather than per run,
// and a long run holds up only the job running it while the other jobs
// take the rest. Each run still has its own context (its job's), outcome
// and report, and a panic still reaches the pool: the job then hands the
// runs left to a new one at High priority. Such a job's own outcome in the
// pool's Stats is nil when it carried several runs, and its context, seen
// through pool.JobFromContext, is theirs too: once that job is cancelled
// (by Job.Cancel or Shutdown), the runs it takes end Cancelled unrun.
//
// # Firings and runs
//
// A firing that reaches the pool is a run; Entry.Runs counts them. A firing
// the pool refuses (queue full) is recorded as [Rejected] and the entry moves
// on to its next firing; if the pool is closed the entry ends with
// pool.ErrClosed as its LastErr. A run's outcome is [Succeeded], [Failed]
// (a panic is recorded as a [*PanicError] and still reaches the pool) or
// [Cancelled] (the function returned its context's error, or the pool dropped
// the job before it started).
//
// # Overlap
//
// When an entry comes due while its previous run, or that run's pending
// retry, is still in progress: [SkipIfRunning] (the default) records the
// firing as [Skipped]; [QueueOne] remembers one firing and submits it when the
// run ends; [AllowOverlap] submits anyway.
//
// # Missed firings
//
// A periodic firing is missed when the scheduler reaches it only after the
// following firing is due too: the process was suspended or the scheduler
// starved. [MissedRunOnce] (the default) runs once for all of them, at once;
// [MissedSkip] runs none and records [Missed]. Either way the entry carries on
// with the first firing after now: a backlog never becomes a burst. A firing
// that is merely late (by less than the interval to the next) runs late.
//
// # Fixed rate and fixed delay
//
// [Scheduler.Every] fires on a grid under [FixedRate] (the default): start+d,
// start+2d, ..., whatever the runs take. Under [FixedDelay] each firing is d
// after the previous run (with its retries) ended, so runs never overlap.
//
// # Retries
//
// [WithRetry] retries a failed run with a retry.Policy: the scheduler keeps
// the waiting retry in its heap, so it holds no worker, and the entry counts
// as running meanwhile.
//
// # Time zones
//
// A Cron spec is read in the zone named by its CRON_TZ= (or TZ=) prefix;
// without one, in the entry's [InLocation]; without that, in the scheduler's
// [WithLocation], whose default is time.Local as in robfig/cron. After, At and
// Every measure elapsed time and ignore zones.
//
// # Ending
//
// An entry ends when it can never fire again and its last run has finished;
// its Done channel closes then. [Entry.Cancel] stops future firings (and
// reports whether it prevented one, like time.Timer.Stop) without waiting for
// a run in progress. [Scheduler.Close] ends every entry at once, waits for the
// scheduler's goroutine and cancels nothing on the pool.
package schedule
