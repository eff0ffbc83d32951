// Package crashtest holds the crash tests of package durable: they kill real
// processes with SIGKILL and check what survives. It has no API; everything
// is in its tests.
//
//   - TestWorkerKilledMidRun: the test process embeds the server (file storage
//     in a temporary directory, loopback listener) and enqueues the jobs; it
//     re-executes its own binary as a worker child that connects by URL and
//     appends each job ID it runs to a file, kills the child with SIGKILL mid-run
//     three times, then lets a last child run to the end. Every job must have
//     succeeded (its record says so), and a job may have run twice only if it
//     was in flight at a kill: run by the killed child but not yet recorded
//     succeeded. The number of such jobs is bounded by the worker's window.
//   - TestServerKilledMidEnqueue: a child process embeds the server on a
//     directory the test owns and enqueues jobs one by one, appending the ID of
//     each Enqueue that returned success to a file; the test kills it with
//     SIGKILL mid-enqueue, restarts a server on the same directory in the test
//     process, and checks that every acknowledged job has its record and runs
//     to success.
//
// The job count is the flag -crash.jobs (default 10,000), the worker's ack
// wait -crash.ackwait (default 1s). A child is the same test binary run with
// -test.run=TestCrashChild and CRASHTEST_ROLE set; it calls os.Exit before
// goleak's check in TestMain.
package crashtest
