package durable_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
)

var inspectJobs = flag.Int("inspect.jobs", 100000, "jobs queued for BenchmarkInspect")

// BenchmarkInspect queues -inspect.jobs jobs (1% of them cancelled) and
// times each inspection call against that store: the paged and info-backed
// calls beside Counts, which scans every record.
func BenchmarkInspect(b *testing.B) {
	srv, err := embedded.Start(b.TempDir(), embedded.InProcessOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	c, err := durable.New(srv.Conn())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	const batch = 20000
	payload := make([]byte, 64)
	var ids []string
	for n := 0; n < *inspectJobs; n += batch {
		jobs := make([]durable.Job, min(batch, *inspectJobs-n))
		for i := range jobs {
			jobs[i] = durable.Job{Name: "noop", Payload: payload, Options: []durable.Option{durable.Raw(), durable.Queue("big")}}
		}
		got, err := c.EnqueueBatch(ctx, jobs)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, got...)
	}
	for i := 0; i < len(ids); i += 100 {
		if err := c.Cancel(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	in, _ := durable.NewInspector(c)
	mid := durable.JobQuery{Queue: "big", State: durable.Queued, Limit: 1}
	for range len(ids) / 2 / 1000 {
		p, err := in.Jobs(ctx, durable.JobQuery{Queue: "big", State: durable.Queued, Limit: 1000, Cursor: mid.Cursor})
		if err != nil {
			b.Fatal(err)
		}
		mid.Cursor = p.Next
	}
	mid.Limit = 50
	b.ResetTimer()
	run := func(name string, f func() error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("Queues", func() error { _, err := in.Queues(ctx); return err })
	run("Job", func() error { _, err := in.Job(ctx, ids[len(ids)/2]); return err })
	run("JobsQueuedFirstPage50", func() error {
		_, err := in.Jobs(ctx, durable.JobQuery{Queue: "big", State: durable.Queued})
		return err
	})
	run("JobsQueuedMiddlePage50", func() error { _, err := in.Jobs(ctx, mid); return err })
	run("JobsCancelledPage50", func() error {
		_, err := in.Jobs(ctx, durable.JobQuery{Queue: "big", State: durable.Cancelled})
		return err
	})
	run("Counts", func() error { _, err := in.Counts(ctx, 0); return err })
}
