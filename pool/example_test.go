package pool_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

func Example() {
	p, err := pool.New(4)
	if err != nil {
		panic(err)
	}
	var sum atomic.Int64
	for i := 1; i <= 100; i++ {
		p.Go(func() { sum.Add(int64(i)) })
	}
	p.Close() // runs every queued job, then returns
	fmt.Println(sum.Load())
	// Output: 5050
}

func ExamplePool_Submit() {
	p, _ := pool.New(2)
	defer p.Close()

	job, err := p.Submit(context.Background(), func(ctx context.Context) error {
		return errors.New("disk full")
	}, pool.WithName("backup"), pool.WithPriority(pool.High))
	if err != nil {
		panic(err)
	}
	err = job.Wait(context.Background())
	fmt.Println(job.Name(), job.State(), err)
	// Output: backup failed disk full
}

func ExampleWithPriority() {
	p, _ := pool.New(1)
	defer p.Close()

	// Hold the only worker so the next jobs queue up.
	gate := make(chan struct{})
	p.Go(func() { <-gate })

	var order []string
	for _, prio := range []pool.Priority{pool.Lowest, pool.Normal, pool.Highest} {
		p.Submit(context.Background(), func(context.Context) error {
			order = append(order, prio.String())
			return nil
		}, pool.WithPriority(prio))
	}
	close(gate)
	p.Wait(context.Background())
	fmt.Println(order)
	// Output: [highest normal lowest]
}

func ExampleWithFullPolicy() {
	p, _ := pool.New(1, pool.WithQueueSize(1), pool.WithFullPolicy(pool.Reject))
	defer p.Close()

	gate := make(chan struct{})
	p.Go(func() { <-gate }) // running
	p.Go(func() {})         // queued: the queue is now full
	err := p.Go(func() {})
	fmt.Println(errors.Is(err, pool.ErrQueueFull))
	close(gate)
	// Output: true
}

func ExamplePool_Shutdown() {
	p, _ := pool.New(1)
	started := make(chan struct{})
	job, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		close(started)
		<-ctx.Done() // the job honours cancellation
		return ctx.Err()
	})
	queued, _ := p.Submit(context.Background(), func(context.Context) error { return nil })
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no time to drain: cancel what is left
	fmt.Println(p.Shutdown(ctx))
	p.Close() // wait for the running job to return

	fmt.Println(job.State(), errors.Is(job.Err(), pool.ErrShutdown))
	fmt.Println(queued.State(), errors.Is(queued.Err(), pool.ErrShutdown))
	s := p.Stats()
	fmt.Println(s.Submitted, s.Cancelled)
	// Output:
	// context canceled
	// cancelled true
	// cancelled true
	// 2 2
}

func ExampleJob_Cancel() {
	p, _ := pool.New(1)
	defer p.Close()
	started := make(chan struct{})
	job, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	<-started
	job.Cancel()
	fmt.Println(job.Wait(context.Background()), job.State())
	// Output: context canceled cancelled
}

func ExampleWithObserver() {
	var started, succeeded atomic.Int64
	obs := pool.ObserverFunc(func(e pool.Event) {
		switch e.Kind {
		case pool.EventStarted:
			started.Add(1)
		case pool.EventSucceeded:
			succeeded.Add(1)
		}
	})
	p, _ := pool.New(2, pool.WithObserver(obs))
	for range 10 {
		p.Go(func() {})
	}
	p.Close()
	fmt.Println(started.Load(), succeeded.Load())
	// Output: 10 10
}

func ExamplePool_Stats() {
	p, _ := pool.New(2)
	for i := range 10 {
		p.Submit(context.Background(), func(context.Context) error {
			if i%5 == 0 {
				return errors.New("odd one out")
			}
			return nil
		})
	}
	p.Close()
	s := p.Stats()
	fmt.Printf("submitted %d: succeeded %d, failed %d, queued %d, running %d\n",
		s.Submitted, s.Succeeded, s.Failed, s.Queued, s.Running)
	// Output: submitted 10: succeeded 8, failed 2, queued 0, running 0
}

func ExampleNewTyped() {
	tp, _ := pool.NewTyped([]pool.Key[string]{
		{Key: "cpu", Workers: 4},
		{Key: "io", Workers: 16, Options: []pool.Option{pool.WithQueueSize(1000)}},
	})
	for range 10 {
		tp.Go("cpu", func() { /* hash, compress, ... */ })
		tp.Go("io", func() { /* fetch, upload, ... */ })
	}
	_, err := tp.Submit(context.Background(), "gpu", func(context.Context) error { return nil })
	fmt.Println(err)
	tp.Close()
	s := tp.Stats()
	fmt.Println(s.ByKey["cpu"].Succeeded, s.ByKey["io"].Succeeded, s.Total.Succeeded)
	// Output:
	// pool: unknown key: gpu
	// 10 10 20
}

func ExampleWithMaxWorkers() {
	// Two workers when quiet, up to 32 under load; an idle extra worker
	// retires after 30 seconds.
	p, _ := pool.New(2, pool.WithMinWorkers(2), pool.WithMaxWorkers(32), pool.WithIdleTimeout(30*time.Second))
	defer p.Close()
	fmt.Println(p.Workers())
	// Output: 2
}

func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelError,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "wait", "run":
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	p, _ := pool.New(1, pool.WithLogger(logger), pool.WithName("mail"))
	j, _ := p.Submit(context.Background(), func(context.Context) error {
		return errors.New("smtp: connection refused")
	}, pool.WithName("send-welcome"))
	j.Wait(context.Background())
	p.Close()
	// Output:
	// level=ERROR msg="pool: job failed" pool=mail job=1 name=send-welcome priority=normal state=failed attempt=1 error="smtp: connection refused"
}

func ExampleWithProfilerLabels() {
	p, _ := pool.New(1, pool.WithName("images"), pool.WithProfilerLabels())
	defer p.Close()
	// A CPU profile taken now attributes this job's samples to
	// pool=images job=resize priority=high; pprof.Label reads them back.
	j, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		job, _ := pprof.Label(ctx, "job")
		fmt.Println("running with label job =", job)
		return nil
	}, pool.WithName("resize"), pool.WithPriority(pool.High))
	j.Wait(context.Background())
	// Output: running with label job = resize
}
