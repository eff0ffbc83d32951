package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
)

// tsBatch is how many jobs one EnqueueBatch call carries in (p) and (r).
const tsBatch = 1_000

// benchConcurrency is the worker's window of jobs held at once: the tiny
// jobs here finish in microseconds, so the window must cover the fetch
// round trip at the target rate (Little's law: 46,000 jobs/s x ~2 ms under
// load is ~90 jobs, above the default of 64), as raw JetStream's Consume
// holds up to 500 and asynq runs 50 goroutines.
const benchConcurrency = 256

// threadsystemDurable is this project's durable package on its embedded
// server: EnqueueBatch (or Enqueue, in (q)) on one connection, a Worker on a
// GOMAXPROCS pool on another, one raw-bytes handler.
func threadsystemDurable() queueSystem {
	return tsSystem(tsDurableName, "", durable.Raw())
}

// threadsystemNoRetention is threadsystemDurable with jobs that keep no
// record once they succeed (NoRetention), as asynq's tasks do by default.
func threadsystemNoRetention() queueSystem {
	return tsSystem(tsNoRetentionName, "NoRetention (no success record, as asynq's default); ", durable.Raw(), durable.NoRetention())
}

func tsSystem(name, what string, opts ...durable.Option) queueSystem {
	return queueSystem{
		name: name,
		note: fmt.Sprintf("embedded.Start (in process only, file storage); %sEnqueueBatch of %s (Enqueue in (q)); NewWorker on pool.New(GOMAXPROCS) with Concurrency(%d), HandleRaw",
			what, fmtCount(tsBatch), benchConcurrency),
		missing: func() string { return "" },
		open:    func() (queue, error) { return openThreadsystem(opts) },
	}
}

// tsQueue is one run's embedded server, clients, pool and worker.
type tsQueue struct {
	dir     string
	srv     *embedded.Server
	client  *durable.Client
	wconn   *nats.Conn
	wclient *durable.Client
	pool    *pool.Pool
	worker  *durable.Worker
	ran     chan error
	opts    []durable.Option // every job's options
}

func openThreadsystem(opts []durable.Option) (queue, error) {
	dir, err := os.MkdirTemp("", "bench-durable-")
	if err != nil {
		return nil, err
	}
	q := &tsQueue{dir: dir, opts: opts}
	if q.srv, err = embedded.Start(dir, embedded.InProcessOnly()); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if q.client, err = durable.New(q.srv.Conn()); err != nil {
		q.close()
		return nil, err
	}
	return q, nil
}

func (q *tsQueue) serve(handle func([]byte)) error {
	var err error
	if q.wconn, err = nats.Connect("", nats.InProcessServer(q.srv.NATS())); err != nil {
		return err
	}
	if q.wclient, err = durable.New(q.wconn); err != nil {
		return err
	}
	if q.pool, err = pool.New(procs()); err != nil {
		return err
	}
	if q.worker, err = durable.NewWorker(q.wclient, q.pool, durable.Concurrency(benchConcurrency)); err != nil {
		return err
	}
	err = durable.HandleRaw(q.worker, "bench", func(_ context.Context, p []byte) error {
		handle(p)
		return nil
	})
	if err != nil {
		return err
	}
	q.ran = make(chan error, 1)
	w := q.worker
	go func() { q.ran <- w.Run(context.Background()) }()
	return nil
}

func (q *tsQueue) enqueue(p []byte) error {
	_, err := q.client.Enqueue(context.Background(), "bench", p, q.opts...)
	return err
}

func (q *tsQueue) enqueueAll(ps [][]byte) error {
	ctx := context.Background()
	jobs := make([]durable.Job, 0, tsBatch)
	for i := 0; i < len(ps); i += tsBatch {
		jobs = jobs[:0]
		for _, p := range ps[i:min(i+tsBatch, len(ps))] {
			jobs = append(jobs, durable.Job{Name: "bench", Payload: p, Options: q.opts})
		}
		if _, err := q.client.EnqueueBatch(ctx, jobs); err != nil {
			return err
		}
	}
	return nil
}

func (q *tsQueue) rss() (float64, error) { return selfRSS() }

func (q *tsQueue) disk() (float64, error) { return dirSize(q.dir) }

func (q *tsQueue) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if q.worker != nil {
		errs = append(errs, q.worker.Shutdown(ctx))
		if q.ran != nil {
			errs = append(errs, <-q.ran)
		}
	}
	if q.wclient != nil {
		errs = append(errs, q.wclient.Close())
	}
	if q.wconn != nil {
		q.wconn.Close()
	}
	if q.pool != nil {
		errs = append(errs, q.pool.Close())
	}
	if q.client != nil {
		errs = append(errs, q.client.Close())
	}
	if q.srv != nil {
		errs = append(errs, q.srv.Shutdown(ctx))
	}
	errs = append(errs, os.RemoveAll(q.dir))
	return errors.Join(errs...)
}
