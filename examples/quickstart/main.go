// Quickstart is the README's Quick start: a pool, a fire-and-forget func, a
// job with a handle and a typed future.
package main

import (
	"context"
	"fmt"
	"log"
	"runtime"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	p, err := pool.New(runtime.GOMAXPROCS(0), pool.WithQueueSize(10_000))
	if err != nil {
		return err
	}
	defer p.Close() // runs everything queued, then returns
	ctx := context.Background()

	// Fire and forget: no allocation inside the pool.
	indexed := make(chan string, 1)
	if err := p.Go(func() { indexed <- "doc-1" }); err != nil {
		return err // ErrClosed or ErrQueueFull: the func will not run
	}
	fmt.Println("indexed", <-indexed)

	// With a handle: priority, name, timeout, cancellation, state and timings.
	job, err := p.Submit(ctx, func(ctx context.Context) error {
		return upload(ctx, "report.pdf")
	}, pool.WithPriority(pool.High), pool.WithName("upload"), pool.WithTimeout(30*time.Second))
	if err != nil {
		return err // ErrClosed, ErrQueueFull, ctx's error, or an invalid option: nothing was enqueued
	}
	err = job.Wait(ctx)
	fmt.Printf("%s ended %v, error %v\n", job.Name(), job.State(), err)

	// A typed result.
	f, err := pool.Call(ctx, p, func(ctx context.Context) (int, error) { return 6 * 7, nil })
	if err != nil {
		return err
	}
	answer, err := f.Await(ctx)
	fmt.Println("answer", answer, err)
	return nil
}

// upload stands in for real work that honours its context.
func upload(ctx context.Context, name string) error {
	select {
	case <-time.After(10 * time.Millisecond):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("upload %s: %w", name, ctx.Err())
	}
}
