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
//     to success, once.
//   - TestServerAndWorkerKilledMidRun: a child embeds the server and runs a
//     worker on its jobs (the default deployment, one process); after its
//     SIGKILL a server and worker restarted on the directory run the rest:
//     every job succeeds and only jobs in flight at the kill run again.
//   - TestUniqueKeyOfACrashedEnqueueIsTakenOverAfterItsLease: a child that
//     enqueues jobs with Unique keys is killed mid-enqueue; every stored job
//     runs and releases its key, and a key claimed by an Enqueue that the kill
//     cut short is taken over by a new Enqueue once its lease has run out;
//     no record is left unfinished.
//
// A child's log is a file opened O_APPEND with one write(2) per job ID: what
// was written is in the kernel and survives the SIGKILL, where a message
// published on core NATS may still sit in the dead client's buffer. Waits
// poll that file or follow the job records (a KV watch) with deadlines; the
// stream being empty is measured, never waited on.
//
// The job count is the flag -crash.jobs (default 10,000),
// the workers' ack wait -crash.ackwait (default 1s), each job's work after it
// records its ID -crash.work (default 200µs). A child is the same test binary
// run with -test.run=^TestCrashChild$ and CRASHTEST_ROLE set; it calls
// os.Exit before goleak's check in TestMain.
package crashtest
