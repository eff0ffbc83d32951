// Package durable is a job queue whose jobs outlive the processes that enqueue
// and run them. Jobs live in NATS JetStream: by default an in-process server
// with file storage (package durable/embedded, nothing to install), or an
// external cluster with the same code. Workers run jobs on a [pool.Pool], so
// the pool's priorities and panics behave as in the core.
//
//	srv, err := embedded.Start(dir)
//	client, err := durable.New(srv.Conn())
//
//	w, err := durable.NewWorker(client, p)
//	durable.Handle(w, "email.send", func(ctx context.Context, e Email) error {
//		return send(ctx, e)
//	})
//	go w.Run(ctx)
//
//	id, err := client.Enqueue(ctx, "email.send", Email{To: "a@b.c"},
//		durable.Queue("mail"), durable.MaxAttempts(5), durable.Unique("welcome:42"))
//
// This package imports nats.go and never the server: a program that connects
// to an external cluster with [Connect] does not link it.
//
// # Handlers and payloads
//
// A handler is registered by name on a worker: [Handle] decodes a JSON payload
// into its parameter type, [HandleResult] also stores its result (JSON) in the
// job's record, [HandleRaw] takes the payload bytes as enqueued with [Raw].
// A payload that does not decode is a permanent failure: the job is dead at
// once. A job whose name the worker that gets it does not know is dead at
// once too, with that reason ([ErrUnknownHandler]), rather than redelivered
// forever: every worker of a queue must register every handler of the jobs
// enqueued there. Inside a handler, [FromContext] gives the job's ID and
// attempt number.
//
// # Outcomes
//
//   - A handler that returns nil succeeds: its record is written "succeeded"
//     (with the result, if any), then the message is acknowledged.
//   - An error is retried after the delay its [retry.Policy] gives for the
//     attempt (Backoff option; the zero Policy: 100ms, 200ms, ... up to 30s),
//     by delayed redelivery (NakWithDelay): the job holds no worker while it
//     waits. Its record says "retrying" and keeps every error with its time.
//   - After the last attempt (MaxAttempts; default 3) the job is "dead": its
//     record keeps the error history and the payload, so it can be listed and
//     retried. [retry.Permanent] errors are dead at once.
//   - A panic is a failure whose error carries the stack ([pool.PanicError]).
//   - Timeout bounds one attempt, Deadline the whole job: a job still not done
//     by its deadline is dead with [ErrDeadline].
//   - [Client.Cancel] ends a job: a queued or scheduled one is acknowledged
//     unrun when it is delivered; a running one, on any worker, sees its
//     context cancelled with the cause [ErrCancelled].
//
// # Delivery guarantee
//
// Delivery is at least once. A job runs again when the process running it
// dies before the acknowledgement reached the server (its message comes back
// after the worker's AckWait, 30s by default), or when the server dies with
// acknowledgements sent but not yet applied: measured with raw JetStream on
// a 2-core machine, a kill -9 of a process embedding the server redelivered
// 270-808 of 100,000 jobs, those unacknowledged or whose acknowledgement
// was in flight. So handlers must be idempotent; [FromContext] gives the job
// ID to key side effects on. A job whose record already says it succeeded
// is not run again when its message is redelivered. Enqueue is exactly once
// with a [Unique] key: a second Enqueue with the key, while the first job is
// not finished, returns the first job's ID and [ErrDuplicate]; so is an
// Enqueue with an [ID] while that job's record is retained. Without either,
// an Enqueue that returned an error may have stored the job, and retrying it
// may make two. A crash inside Enqueue (of its process or of the server),
// after it claimed a Unique key and before the job's message was stored,
// leaves the key claimed by a job that does not exist: the claim is
// provisional until the job is stored, with a lease ([UniqueLease], default
// one minute), so for the rest of that lease an Enqueue with the key returns
// the missing job's ID and [ErrDuplicate], and after it one Enqueue takes
// the key over by compare-and-set and makes the job (durable/crashtest
// TestUniqueKeyOfACrashedEnqueueIsTakenOverAfterItsLease; before leases,
// such a key stayed held for good). An Enqueue that takes longer than its
// lease to store its job may lose the key the same way: it then cancels its
// job and returns the new holder's ID and [ErrDuplicate]. A job stored by an
// Enqueue that died before making its claim lasting may lose its key so
// too: before running a job with a Unique key (one KV read per delivery), a
// worker makes such a claim lasting, or records the job cancelled unrun if
// another job holds the key. The measured window, with the worker
// acknowledging only after the success record is stored, is 0-4
// reruns per crash (durable/crashtest).
//
// # Storage layout
//
// Everything a user can ask about is stored in JetStream; no process keeps
// state of its own. With the default prefix "TS_JOBS" ([Prefix] option):
//
//   - Stream "TS_JOBS": WorkQueue retention, file storage, subjects
//     "TS_JOBS.q.<queue>.p<0-4>" for ready jobs (p4 is [pool.Highest], p2
//     [pool.Normal], p0 [pool.Lowest]; one subject per level of
//     pool.NumPriorities) and "TS_JOBS.delayed.<queue>" for jobs not yet due.
//     A message's data is the payload; its header "Ts-Meta" holds the job's
//     metadata as JSON (see [Meta]). The stream allows direct gets, which
//     [Inspector] pages read.
//   - One durable pull consumer per subject, named "<queue>_p<n>" and
//     "<queue>_delayed", created by workers, explicit ack, MaxDeliver
//     unlimited (the record counts attempts). A worker fetches the p4
//     consumer first, then p3 and so on, so a higher priority job is fetched
//     before a lower one whenever both are waiting.
//   - Delayed jobs (Delay, At) are published to "TS_JOBS.delayed.<queue>".
//     Workers consume that subject apart from the ready ones: a message not
//     yet due is NakWithDelay'd until its time, holding no worker and no ready
//     slot; a due one is republished to its ready subject with the dedup ID
//     "<id>.due" and then acknowledged. This gives millisecond accuracy (the
//     server's redelivery timer), where server message schedules have 1s
//     resolution; and since the delayed consumer has no MaxAckPending limit,
//     delayed jobs, however many, do not hold back ready ones.
//   - KV bucket "TS_JOBS_records" (stream "KV_TS_JOBS_records", history 1,
//     per-message TTL allowed), key = job ID, value = a [Record] as JSON:
//     the source of truth for state, attempt counts (JetStream's delivery
//     count restarts after a server crash), errors and results. Records are
//     written by async publishes to "$KV.TS_JOBS_records.<id>"; a worker
//     acknowledges a job's message only after its record's publish was
//     acknowledged, by an acker goroutine, so the hot path never waits on a
//     round trip. A queued job is its message: a generated job ID is
//     "<nonce>-<stream sequence of its message>" (the message's Ts-Meta says
//     "<nonce>+", completed by whoever reads it), so [Inspector.Job] and
//     [Client.Cancel] find a job that has no record by a direct get of its
//     sequence, and Enqueue stores one message per job and no record. A
//     record is written at Enqueue only for a job with an [ID] (its create
//     is the check for a duplicate ID), when a delayed job is due and moves
//     to its ready subject (queued, since its ID then names a message that
//     is gone; the message's header is rewritten with the complete ID),
//     once a job has run [RunningAfter]
//     (running; see below for redeliveries), and at each outcome (retrying,
//     succeeded, dead, cancelled, or queued again when a Shutdown gives it
//     back). A worker reads the
//     record before running a job only when the message alone may not tell
//     the truth: a redelivery, or a message stored before the worker began
//     hearing cancels (or before its last reconnect); such a job's record is
//     written running as its attempt starts, so that the attempts of a job
//     that kills its worker are counted. A finished record (succeeded, cancelled) expires
//     after the job's Retention (default 24h), a dead one after the client's
//     DeadRetention (default 7 days): each retained record costs about 160 B
//     of server memory.
//   - KV bucket "TS_JOBS_unique": key = the unique key (base64url), value =
//     the job ID. Enqueue claims the key with Create, provisionally: the
//     value is "<id> <lease end, Unix ms>"; once the job's publish is
//     acknowledged it rewrites the value to the bare ID by compare-and-set
//     on the claim's revision (a worker does the same before running the
//     job, if it still finds the claim provisional). A provisional claim past
//     its lease end is taken over with Update on its revision, after a
//     marker "taken.<base64url of the old claim's ID>" is put, which the
//     old job's worker finds if the taker has already ended and released
//     the key (it then cancels the old job and deletes the marker). The key is
//     deleted when the job ends (succeeded, dead or cancelled), by a worker
//     only at the revision the job held it at when it started, so a key
//     taken over meanwhile stays with its new holder.
//   - KV bucket "TS_JOBS_queues": key = queue name, value = a [QueueConfig]
//     as JSON (paused, maxRunning, rate, burst). Workers watch it.
//   - KV bucket "TS_JOBS_rates": key = queue name, value = the queue's
//     shared token bucket as JSON (tokens, at), for a queue with a Rate;
//     changed only by compare-and-set.
//   - KV bucket "TS_JOBS_periodic": one key per [Scheduler] entry (its
//     name, or a hash of a name that is not a subject token), holding the
//     entry, its spec, the last tick claimed and that tick's job ID; changed
//     only by compare-and-set, so one process of many claims each tick.
//   - Core subject "TS_JOBS.cancel" (not stored): [Client.Cancel] publishes a
//     job ID there; every worker subscribes.
//
// Queue names are 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-', so that
// each is a subject token, a KV key and part of a consumer name.
//
// # Queue control
//
// A worker reads each queue's [QueueConfig] from the queues bucket and
// follows changes as they are written. A paused queue is not fetched (jobs
// already running finish; a job that a long poll brings after the pause is
// given back unrun). MaxRunning caps the jobs of the queue that run at once
// across the cluster: workers set MaxAckPending of the queue's ready
// consumers to it, so the server hands out no more unacknowledged messages
// than that; the cap is exact for jobs of one priority level and holds per
// level otherwise (five levels may run up to 5 x MaxRunning), and a job
// waiting for its retry backoff holds its place under the cap. Rate paces
// the queue's starts across the cluster with one token bucket (Rate per
// second, Burst at most) stored in the rates bucket: a worker takes a
// chunk of tokens (a twentieth of a second's worth, at least one) by
// compare-and-set when its own run out, so all workers together start at
// most Rate jobs a second, give or take one chunk each.
package durable
