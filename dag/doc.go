// Package dag runs a graph of named nodes on a pool.Pool, each node as soon
// as the nodes it depends on have finished, and reports how each ended.
//
// # Building
//
// A [Graph] holds nodes added by name, each with a function and the names
// of its dependencies:
//
//	g := dag.New()
//	dag.Add(g, "fetch", fetch)
//	dag.Add(g, "parse", parse, dag.DependsOn("fetch"))
//	dag.Add(g, "store", store, dag.DependsOn("parse"), dag.WithRetry(retry.Policy{}))
//
// A node's function receives the [Results] of its dependencies and returns
// its own result; [Get] reads a result with its type. [Add] (the generic
// function) takes a typed function; [Graph.Add] takes one returning any.
// Options set the node's pool priority ([WithPriority]), a timeout for its
// job ([WithTimeout]) and retries inside the job with retry.Do
// ([WithRetry]).
//
// Add rejects an empty name, a nil function, a bad option and a duplicate
// name at once. [Graph.Validate], which Run calls, rejects unknown
// dependencies and cycles, spelling the cycle: "dag: cycle: a -> b -> a"
// (each arrow reads "depends on"). Validation is O(nodes + edges) and its
// result is cached until the next Add.
//
// # Running
//
// [Graph.Run] submits every node without dependencies to the pool; then the
// job of each node that succeeds counts its dependents' remaining
// dependencies down, one atomic operation each, and submits those that
// reach zero itself. Run's own goroutine settles failures, stops the run
// and notices jobs the pool ended without running them; no goroutine waits
// per node. Independent nodes therefore run in parallel, up to the pool's
// worker count, in the pool's priority order. A node's job is named after
// the node only with [NameJobs].
//
// Every node ends in one of the pool's terminal states:
//   - pool.Succeeded: its function returned a nil error;
//   - pool.Failed: it returned an error, panicked (a *pool.PanicError), or
//     timed out;
//   - pool.Cancelled: the run was stopped before or while it ran (its
//     context ended, the pool closed, FailFast), or the pool cancelled its
//     job;
//   - pool.Skipped: a dependency did not succeed (a *DependencyError).
//
// A [FailurePolicy] passed to Run picks what a failure does:
// [SkipDependents] (default) skips the failed node's descendants and runs
// everything else; [FailFast] also cancels everything queued or running and
// everything not yet started; [RunAll] skips nothing, and a dependent reads
// its failed dependency's error through Results.
//
// Run returns only when every job it submitted is terminal. It returns a
// [Report] — each node's state, error, attempts and timings (durations
// since [Report.Start]), the critical path (the chain with the longest
// total run time ending at the node that finished last) and, only when Run
// was given [KeepResults], the results through [Report.Results] — and a
// [*RunError] when any node did not succeed. The Report keeps about 70
// bytes a node and none of the run's pool jobs.
//
// As of December 2026: [NodeReport]'s Queued, Started and Finished are
// time.Duration offsets from Report.Start ([NotReached] for a step not
// reached) rather than time.Time values, and a Report keeps results only
// with [KeepResults] (otherwise Report.Results returns errors wrapping
// [ErrNotKept]). Together they cut what a Report keeps from about 410 to
// about 70 bytes a node; a node that wants its result read after Run
// without KeepResults can write it where the caller reads it.
//
// # Drawing
//
// [Graph.DOT] and [Graph.Mermaid] draw the graph, with nodes coloured after
// a Report's states when one is given: green succeeded, red failed, orange
// cancelled, grey skipped. The output is sorted and deterministic.
//
// # Concurrency and reuse
//
// A Graph is safe for concurrent use. A Graph may be Run any number of
// times, also concurrently, each run on a snapshot of the nodes added before
// it started; node functions must then be safe to run concurrently with
// themselves. Results and Reports are read-only and safe to share.
package dag
