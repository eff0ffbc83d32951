package pool_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/threadsystem/threadsystem/pool"
)

// BenchmarkGo measures one fire-and-forget job through the pool, submission
// to completion amortised, from one submitter. It must not allocate.
func BenchmarkGo(b *testing.B) {
	p, _ := pool.New(runtime.GOMAXPROCS(0))
	defer p.Close()
	var n atomic.Int64
	fn := func() { n.Add(1) }
	b.ReportAllocs()
	for b.Loop() {
		p.Go(fn)
	}
	p.Wait(context.Background())
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkGoParallel submits from GOMAXPROCS goroutines at once.
func BenchmarkGoParallel(b *testing.B) {
	p, _ := pool.New(4)
	defer p.Close()
	var n atomic.Int64
	fn := func() { n.Add(1) }
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p.Go(fn)
		}
	})
	p.Wait(context.Background())
}

// BenchmarkSubmit measures one job with a handle; its one allocation is the
// Job.
func BenchmarkSubmit(b *testing.B) {
	p, _ := pool.New(4)
	defer p.Close()
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		p.Submit(ctx, fn)
	}
	p.Wait(ctx)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkSubmitWait is a full cycle: submit one job and wait for it.
func BenchmarkSubmitWait(b *testing.B) {
	p, _ := pool.New(4)
	defer p.Close()
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		j, _ := p.Submit(ctx, fn)
		j.Wait(ctx)
	}
}

// BenchmarkNewClose measures starting and stopping an idle pool.
func BenchmarkNewClose(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p, _ := pool.New(4)
		p.Close()
	}
}

// BenchmarkChannelBaseline is the yardstick: a buffered channel drained by
// four goroutines, the same work as BenchmarkGo.
func BenchmarkChannelBaseline(b *testing.B) {
	ch := make(chan func(), 1024)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for fn := range ch {
				fn()
			}
		})
	}
	var n atomic.Int64
	fn := func() { n.Add(1) }
	b.ReportAllocs()
	for b.Loop() {
		ch <- fn
	}
	close(ch)
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkQueuedMemory reports the heap the pool keeps per queued Go job:
// 100,000 funcs wait behind busy workers.
func BenchmarkQueuedMemory(b *testing.B) {
	const n = 100_000
	fn := func() {}
	for b.Loop() {
		p, _ := pool.New(2)
		gate := make(chan struct{})
		for range 2 {
			p.Go(func() { <-gate })
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range n {
			p.Go(fn)
		}
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/queued-job")
		close(gate)
		p.Close()
	}
}

// BenchmarkCall measures a typed future, submit to Await; it makes one
// allocation, the Future.
func BenchmarkCall(b *testing.B) {
	p, _ := pool.New(runtime.GOMAXPROCS(0))
	defer p.Close()
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		f, _ := pool.Call(ctx, p, fn)
		f.Await(ctx)
	}
}

// BenchmarkCallAll submits b.N futures, then awaits each in order: the
// shape of bench/'s (h) workload.
func BenchmarkCallAll(b *testing.B) {
	p, _ := pool.New(runtime.GOMAXPROCS(0))
	defer p.Close()
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	fs := make([]*pool.Future[int], 0, b.N)
	b.ResetTimer()
	for range b.N {
		f, _ := pool.Call(ctx, p, fn)
		fs = append(fs, f)
	}
	for _, f := range fs {
		f.Await(ctx)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}
