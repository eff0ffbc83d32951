package durable_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
)

// BenchmarkEndToEnd enqueues batches of jobs with EnqueueBatch while a
// worker runs them with a no-op handler, and ends each batch when every
// job's final record is stored (the records stream has one write per job,
// its succeeded record: a queued job is its message). It reports jobs/s
// end to end.
func BenchmarkEndToEnd(b *testing.B) {
	const batch = 20000
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
	wc, err := nats.Connect("", nats.InProcessServer(srv.NATS()))
	if err != nil {
		b.Fatal(err)
	}
	defer wc.Close()
	wcl, err := durable.New(wc)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := pool.New(runtime.GOMAXPROCS(0))
	defer p.Close()
	w, _ := durable.NewWorker(wcl, p)
	var handled, target atomic.Int64
	reached := make(chan struct{}, 1)
	durable.HandleRaw(w, "noop", func(context.Context, []byte) error {
		if handled.Add(1) == target.Load() {
			reached <- struct{}{}
		}
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	defer func() { w.Shutdown(context.Background()); <-done }()

	ctx := context.Background()
	recs, err := c.JetStream().Stream(ctx, "KV_"+c.Prefix()+"_records")
	if err != nil {
		b.Fatal(err)
	}
	jobs := make([]durable.Job, batch)
	payload := make([]byte, 64)
	for i := range jobs {
		jobs[i] = durable.Job{Name: "noop", Payload: payload, Options: []durable.Option{durable.Raw()}}
	}
	total := 0
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		info, err := recs.Info(ctx)
		if err != nil {
			b.Fatal(err)
		}
		want := info.State.LastSeq + batch
		target.Store(int64(total + batch))
		if _, err := c.EnqueueBatch(ctx, jobs); err != nil {
			b.Fatal(err)
		}
		<-reached
		for {
			info, err := recs.Info(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if info.State.LastSeq >= want {
				break
			}
			time.Sleep(time.Millisecond) // the last records' pubacks are in flight
		}
		total += batch
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "jobs/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(total), "cpu-µs/job")
	if n := handled.Load(); n < int64(total) {
		b.Fatalf("%d handled, want %d", n, total)
	}
}

// BenchmarkEnqueueBatch enqueues batches of 64-byte raw jobs with no worker
// running and reports jobs/s.
func BenchmarkEnqueueBatch(b *testing.B) {
	const batch = 20000
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
	jobs := make([]durable.Job, batch)
	payload := make([]byte, 64)
	for i := range jobs {
		jobs[i] = durable.Job{Name: "noop", Payload: payload, Options: []durable.Option{durable.Raw()}}
	}
	total := 0
	start := time.Now()
	for b.Loop() {
		if _, err := c.EnqueueBatch(context.Background(), jobs); err != nil {
			b.Fatal(err)
		}
		total += batch
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "jobs/s")
}
