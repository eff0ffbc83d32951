// Priorities shows a pool's five priority levels and its typed futures:
// jobs queued behind a busy worker run highest first, and futures combine
// with All, Map and Cancel.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/threadsystem/threadsystem/pool"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	p, err := pool.New(1) // one worker, so that the order is plain to see
	if err != nil {
		return err
	}
	defer p.Close()
	ctx := context.Background()

	// Keep the worker busy while jobs of every level queue up.
	gate, busy := make(chan struct{}), make(chan struct{})
	if err := p.Go(func() { close(busy); <-gate }); err != nil {
		return err
	}
	<-busy
	var order []pool.Priority // appended by the one worker, read after Wait
	for _, prio := range []pool.Priority{pool.Low, pool.Highest, pool.Normal, pool.Lowest, pool.High} {
		if _, err := p.Submit(ctx, func(context.Context) error {
			order = append(order, prio)
			return nil
		}, pool.WithPriority(prio)); err != nil {
			return err
		}
	}
	close(gate)
	if err := p.Wait(ctx); err != nil {
		return err
	}
	fmt.Println("ran in order:", order)

	// Futures: typed results, awaited together.
	var fs []*pool.Future[int]
	for i := 1; i <= 4; i++ {
		f, err := pool.Call(ctx, p, func(context.Context) (int, error) { return i * i, nil })
		if err != nil {
			return err
		}
		fs = append(fs, f)
	}
	squares, err := pool.All(ctx, fs...)
	fmt.Println("squares:", squares, err)

	// Map runs a function over a slice and keeps the input order.
	lengths, err := pool.Map(ctx, p, []string{"a", "bb", "ccc"}, func(_ context.Context, s string) (int, error) {
		return len(s), nil
	})
	fmt.Println("lengths:", lengths, err)

	// Cancel a future; All says which one did not succeed.
	gate = make(chan struct{})
	slow, _ := pool.Call(ctx, p, func(context.Context) (int, error) { <-gate; return 1, nil })
	never, _ := pool.Call(ctx, p, func(context.Context) (int, error) { return 2, nil })
	never.Cancel()
	close(gate)
	_, err = pool.All(ctx, slow, never)
	var fe *pool.FutureError
	if errors.As(err, &fe) {
		fmt.Printf("future %d %v (context.Canceled: %v)\n", fe.Index, fe.State, errors.Is(err, context.Canceled))
	}
	return nil
}
