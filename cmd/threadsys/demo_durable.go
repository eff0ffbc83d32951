package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// The durable part's fixed cast: besides -durable-jobs email jobs, one job
// that fails twice and then succeeds, one that always fails and goes to the
// dead letters, one report enqueued twice under a unique key, and
// durableExports long exports running on worker A when it is stopped.
const (
	durableExports  = 8
	durableUnique   = "report:2026-12"
	durableAttempts = 3 // the doomed job's MaxAttempts
	reportQueue     = "reports"
	// stopLimit bounds each shutdown at the end, so that a worker or server
	// that does not stop fails the demo instead of hanging it.
	stopLimit = 10 * time.Second
)

// The kinds of job, in table order.
var durableKinds = []string{"email", "flaky", "doomed", "report", "export"}

// durableDemo is what the durable part counts while it runs.
type durableDemo struct {
	client  *durable.Client
	startA  chan struct{} // an export started on worker A
	emailsA atomic.Int64  // emails done on worker A
	mu      sync.Mutex
	calls   map[string][2]int // handler calls per kind, on worker A and B
	emails  map[string]int    // calls per email job ID
}

// count notes a call of a kind's handler on worker w (0 = A, 1 = B).
func (d *durableDemo) count(kind string, w int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.calls[kind]
	c[w]++
	d.calls[kind] = c
}

// register gives worker w (0 = A, 1 = B) the demo's handlers. On A a long
// export runs until A stops; on B it finishes at once.
func (d *durableDemo) register(wk *durable.Worker, w int) error {
	return errors.Join(
		durable.Handle(wk, "email", func(ctx context.Context, to string) error {
			d.count("email", w)
			info, _ := durable.FromContext(ctx)
			d.mu.Lock()
			d.emails[info.ID]++
			d.mu.Unlock()
			if w == 0 {
				d.emailsA.Add(1)
			}
			return nil
		}),
		durable.Handle(wk, "flaky", func(ctx context.Context, _ string) error {
			d.count("flaky", w)
			info, _ := durable.FromContext(ctx)
			if info.Attempt < 3 {
				return fmt.Errorf("upstream busy (attempt %d)", info.Attempt)
			}
			return nil
		}),
		durable.Handle(wk, "doomed", func(context.Context, string) error {
			d.count("doomed", w)
			return errors.New("mailbox does not exist")
		}),
		durable.Handle(wk, "report", func(context.Context, string) error {
			d.count("report", w)
			return nil
		}),
		durable.Handle(wk, "export", func(ctx context.Context, _ int) error {
			d.count("export", w)
			if w == 1 {
				return nil
			}
			select { // once per export, unless the bug this demo would show
			case d.startA <- struct{}{}:
			default:
			}
			<-ctx.Done() // a long export: runs until worker A stops
			return context.Cause(ctx)
		}),
	)
}

// runDurable runs the durable part of the demo: an embedded JetStream server
// in a temporary directory (removed before it returns), jobs jobs and the
// fixed cast, worker A stopped mid-run and worker B finishing; it prints
// what happened to each kind of job and returns an error if the counts do
// not add up.
func runDurable(jobs int, w io.Writer) (err error) {
	// Nothing here should take long; a step that hangs ends with this.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "threadsys-demo-durable-")
	if err != nil {
		return fmt.Errorf("durable: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	srv, err := embedded.Start(dir, embedded.InProcessOnly())
	if err != nil {
		return err
	}
	defer func() {
		stop, cancel := context.WithTimeout(ctx, stopLimit)
		defer cancel()
		err = errors.Join(err, srv.Shutdown(stop))
	}()
	client, err := durable.New(srv.Conn())
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Fprintf(w, "\ndurable: an embedded JetStream server with file storage in a temporary directory; %d email jobs, a flaky job, "+
		"a doomed job, a report under a unique key, %d long exports; worker A on %d pool workers, stopped mid-run, then worker B on 4\n",
		jobs, durableExports, durableExports+4)

	d := &durableDemo{client: client, startA: make(chan struct{}, durableExports),
		calls: map[string][2]int{}, emails: map[string]int{}}
	// Worker A and B each run on their own pool, with their own Run. On
	// every path out, the workers stop, their Runs return, then the pools
	// close.
	var (
		runs    sync.WaitGroup
		workers []*durable.Worker
		pools   []*pool.Pool
	)
	defer func() {
		// On an error path worker A's exports still run: give them 100ms,
		// then Shutdown cancels them. For a worker already shut down it is
		// a no-op.
		grace, cancelGrace := context.WithTimeout(ctx, 100*time.Millisecond)
		for _, wk := range workers {
			_ = wk.Shutdown(grace)
		}
		cancelGrace()
		stop, cancel := context.WithTimeout(ctx, stopLimit)
		defer cancel()
		stopped := make(chan struct{})
		go func() { runs.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-stop.Done():
			err = errors.Join(err, fmt.Errorf("durable: the workers' Run did not return within %v of Shutdown", stopLimit))
			return // the process is about to exit; the pools stay open under the running handlers
		}
		for _, p := range pools {
			p.Close()
		}
	}()
	start := func(n, poolWorkers int, opts ...durable.WorkerOption) (*durable.Worker, error) {
		p, err := pool.New(poolWorkers)
		if err != nil {
			return nil, err
		}
		pools = append(pools, p)
		wk, err := durable.NewWorker(client, p, opts...)
		if err == nil {
			err = d.register(wk, n)
		}
		if err != nil {
			return nil, err
		}
		workers = append(workers, wk)
		runs.Go(func() { _ = wk.Run(ctx) })
		return wk, nil
	}
	workerA, err := start(0, durableExports+4)
	if err != nil {
		return err
	}

	kindOf := map[string]string{} // job ID -> kind
	add := func(kind string, ids ...string) {
		for _, id := range ids {
			kindOf[id] = kind
		}
	}
	// The exports first, so that worker A holds all of them when it stops.
	exports := make([]durable.Job, durableExports)
	for i := range exports {
		exports[i] = durable.Job{Name: "export", Payload: i}
	}
	ids, err := client.EnqueueBatch(ctx, exports)
	if err != nil {
		return err
	}
	add("export", ids...)
	for range durableExports {
		select {
		case <-d.startA:
		case <-time.After(30 * time.Second):
			return errors.New("durable: the exports did not all start on worker A in 30s")
		}
	}
	emails := make([]durable.Job, jobs)
	for i := range emails {
		emails[i] = durable.Job{Name: "email", Payload: fmt.Sprintf("user-%d@example.com", i)}
	}
	if ids, err = client.EnqueueBatch(ctx, emails); err != nil {
		return err
	}
	add("email", ids...)
	fast := durable.Backoff(retry.Policy{InitialDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond})
	id, err := client.Enqueue(ctx, "flaky", "sync", fast, durable.MaxAttempts(5))
	if err != nil {
		return err
	}
	add("flaky", id)
	if id, err = client.Enqueue(ctx, "doomed", "bounce", fast, durable.MaxAttempts(durableAttempts)); err != nil {
		return err
	}
	add("doomed", id)
	// The report goes to a queue that only worker B serves, so it is still
	// waiting (and its key held) when it is enqueued again.
	first, err := client.Enqueue(ctx, "report", "december", durable.Unique(durableUnique), durable.Queue(reportQueue))
	if err != nil {
		return err
	}
	add("report", first)
	second, err := client.Enqueue(ctx, "report", "december again", durable.Unique(durableUnique), durable.Queue(reportQueue))
	if !errors.Is(err, durable.ErrDuplicate) || second != first {
		return fmt.Errorf("durable: a second enqueue under unique key %q gave %q, %v; want the first job's ID and ErrDuplicate", durableUnique, second, err)
	}
	fmt.Fprintf(w, "durable: unique key %q: the second enqueue was refused with ErrDuplicate and returned the first job's ID\n", durableUnique)

	// Stop worker A mid-run: once it has done some emails (or all of them),
	// with its exports still running. Shutdown waits 100ms for them, then
	// gives them back for redelivery at once.
	for deadline := time.Now().Add(10 * time.Second); d.emailsA.Load() < int64(jobs/4) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // polling a demo's progress, not synchronising a test
	}
	stopCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	err = workerA.Shutdown(stopCtx)
	cancel()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	fmt.Fprintf(w, "durable: worker A stopped mid-run after %d emails with %d exports running; Shutdown waited 100ms, then gave them back for redelivery at once\n",
		d.emailsA.Load(), durableExports)

	workerB, err := start(1, 4, durable.Queues(durable.DefaultQueue, reportQueue))
	if err != nil {
		return err
	}

	recs, err := d.awaitFinal(ctx, kindOf, time.Minute)
	if err != nil {
		return err
	}
	stop, cancel := context.WithTimeout(ctx, stopLimit)
	defer cancel()
	if err := workerB.Shutdown(stop); err != nil {
		return err
	}
	return d.print(w, kindOf, recs)
}

// awaitFinal reads every job in kindOf (Inspector.Job: its record, or its
// message while it is queued) until each is in a final state, or fails
// after limit.
func (d *durableDemo) awaitFinal(ctx context.Context, kindOf map[string]string, limit time.Duration) (map[string]durable.Record, error) {
	in, err := durable.NewInspector(d.client)
	if err != nil {
		return nil, err
	}
	recs := map[string]durable.Record{}
	for deadline := time.Now().Add(limit); ; {
		for id := range kindOf {
			if r, ok := recs[id]; ok && r.State.Final() {
				continue
			}
			r, err := in.Job(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("durable: job %s: %w", id, err)
			}
			recs[id] = *r
		}
		final := 0
		for _, r := range recs {
			if r.State.Final() {
				final++
			}
		}
		if final == len(kindOf) {
			return recs, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("durable: %d of %d jobs finished in %v", final, len(kindOf), limit)
		}
		time.Sleep(10 * time.Millisecond) // polling the stored records, not synchronising a test
	}
}

// durableRow is one kind's line of the durable table.
type durableRow struct {
	enqueued, succeeded, dead, onA, onB int
}

func (r durableRow) plus(o durableRow) durableRow {
	return durableRow{r.enqueued + o.enqueued, r.succeeded + o.succeeded, r.dead + o.dead, r.onA + o.onA, r.onB + o.onB}
}

// print writes what happened to each kind of job, and the table whose kind
// rows add up to the stored records.
func (d *durableDemo) print(w io.Writer, kindOf map[string]string, recs map[string]durable.Record) error {
	rows := map[string]durableRow{}
	var stored durableRow // from the records alone
	var flaky, doomed durable.Record
	lost := map[string]int{} // why emails that should have succeeded did not
	for id, kind := range kindOf {
		r := recs[id]
		row := rows[kind]
		row.enqueued++
		stored.enqueued++
		switch r.State {
		case durable.Succeeded:
			row.succeeded++
			stored.succeeded++
		case durable.Dead:
			row.dead++
			stored.dead++
		}
		rows[kind] = row
		switch kind {
		case "flaky":
			flaky = r
		case "doomed":
			doomed = r
		case "email":
			if r.State != durable.Succeeded {
				why := string(r.State)
				if n := len(r.Errors); n > 0 {
					why += ": " + r.Errors[n-1].Error
				}
				lost[why]++
			}
		}
	}
	d.mu.Lock()
	for kind, c := range d.calls {
		row := rows[kind]
		row.onA, row.onB = c[0], c[1]
		rows[kind] = row
		stored.onA, stored.onB = stored.onA+c[0], stored.onB+c[1]
	}
	twice := 0
	for _, n := range d.emails {
		if n > 1 {
			twice++
		}
	}
	d.mu.Unlock()

	errs := func(r durable.Record) string {
		var s []string
		for _, e := range r.Errors {
			s = append(s, e.Error)
		}
		return strings.Join(s, "; ")
	}
	fmt.Fprintf(w, "durable: flaky: %s after %d attempts; errors: %s\n", flaky.State, flaky.Attempts, errs(flaky))
	last := ""
	if n := len(doomed.Errors); n > 0 {
		last = doomed.Errors[n-1].Error
	}
	fmt.Fprintf(w, "durable: doomed: %s after %d attempts (kept in the dead letters with %d errors); last error: %s\n",
		doomed.State, doomed.Attempts, len(doomed.Errors), last)
	ex := rows["export"]
	fmt.Fprintf(w, "durable: exports: %d started on worker A, %d redelivered to worker B, %d succeeded\n", ex.onA, ex.onB, ex.succeeded)
	fmt.Fprintf(w, "durable: emails: %d ran on worker A, %d on worker B, %d ran twice\n", rows["email"].onA, rows["email"].onB, twice)
	for why, n := range lost {
		fmt.Fprintf(w, "durable: emails NOT SUCCEEDED: %d %s\n", n, why)
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-24s\tenqueued\tsucceeded\tdead\truns on A\truns on B\t\n", "durable jobs")
	var sum durableRow
	for _, kind := range durableKinds {
		r := rows[kind]
		sum = sum.plus(r)
		fmt.Fprintf(tw, "%-24s\t%d\t%d\t%d\t%d\t%d\t\n", kind, r.enqueued, r.succeeded, r.dead, r.onA, r.onB)
	}
	fmt.Fprintf(tw, "%-24s\t%d\t%d\t%d\t%d\t%d\t\n", "= stored records", stored.enqueued, stored.succeeded, stored.dead, stored.onA, stored.onB)
	tw.Flush()

	ok := sum == stored && stored.enqueued == stored.succeeded+stored.dead && len(lost) == 0 &&
		flaky.State == durable.Succeeded && flaky.Attempts == 3 && len(flaky.Errors) == 2 &&
		doomed.State == durable.Dead && doomed.Attempts == durableAttempts && rows["doomed"].onA+rows["doomed"].onB == durableAttempts &&
		ex.onA == durableExports && ex.onB == durableExports && ex.succeeded == durableExports && rows["report"].enqueued == 1
	if !ok {
		fmt.Fprintln(w, "DURABLE COUNTS DO NOT ADD UP")
		return errors.New("durable: the figures above do not add up")
	}
	fmt.Fprintf(w, "durable: the kind rows add up to the stored records: %d enqueued = %d succeeded + %d dead; the temporary directory is removed next\n",
		stored.enqueued, stored.succeeded, stored.dead)
	return nil
}
