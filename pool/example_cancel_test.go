package pool_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/threadsystem/threadsystem/pool"
)

// Cancel stops a future's job; All then says which future did not succeed.
func ExampleFuture_Cancel() {
	p, _ := pool.New(1)
	defer p.Close()
	ctx := context.Background()
	gate := make(chan struct{})
	busy, _ := pool.Call(ctx, p, func(context.Context) (string, error) { <-gate; return "busy", nil })
	queued, _ := pool.Call(ctx, p, func(context.Context) (string, error) { return "never runs", nil })
	queued.Cancel()
	close(gate)

	_, err := pool.All(ctx, busy, queued)
	var fe *pool.FutureError
	if errors.As(err, &fe) {
		fmt.Println("future", fe.Index, fe.State, errors.Is(err, context.Canceled))
	}
	// Output:
	// future 1 cancelled true
}
