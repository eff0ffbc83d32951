package pool_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

func ExampleCall() {
	p, _ := pool.New(2)
	defer p.Close()
	ctx := context.Background()

	f, err := pool.Call(ctx, p, func(context.Context) (int, error) { return 6 * 7, nil })
	if err != nil {
		panic(err)
	}
	v, err := f.Await(ctx)
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExampleFuture_Done() {
	p, _ := pool.New(1)
	defer p.Close()
	f, _ := pool.Call(context.Background(), p, func(ctx context.Context) (string, error) {
		return "ready", nil
	})
	select {
	case <-f.Done():
		v, _ := f.Await(context.Background())
		fmt.Println(v)
	case <-time.After(time.Minute):
		fmt.Println("timed out")
	}
	// Output: ready
}

func ExampleMap() {
	p, _ := pool.New(4)
	defer p.Close()
	words := []string{"go", "pool", "future"}
	upper, err := pool.Map(context.Background(), p, words, func(_ context.Context, w string) (string, error) {
		return strings.ToUpper(w), nil
	})
	fmt.Println(upper, err)
	// Output: [GO POOL FUTURE] <nil>
}

func ExampleStream() {
	p, _ := pool.New(4)
	defer p.Close()
	numbers := slices.Values([]int{1, 2, 3, 4, 5})
	var squares []int
	// At most two jobs in flight; results arrive as they complete.
	for v, err := range pool.Stream(context.Background(), p, numbers, 2, func(_ context.Context, n int) (int, error) {
		return n * n, nil
	}) {
		if err != nil {
			panic(err)
		}
		squares = append(squares, v)
	}
	slices.Sort(squares)
	fmt.Println(squares)
	// Output: [1 4 9 16 25]
}

func ExamplePool_Group() {
	p, _ := pool.New(4)
	defer p.Close()
	g := p.Group(context.Background(), pool.FailFast())
	for _, host := range []string{"a", "b", "bad", "c"} {
		g.Go(func(ctx context.Context) error {
			if host == "bad" {
				return errors.New("host bad unreachable")
			}
			return nil
		})
	}
	fmt.Println(g.Wait())
	// Output: host bad unreachable
}

func ExampleAfter() {
	p, _ := pool.New(2)
	defer p.Close()
	ctx := context.Background()
	var log []string
	fetch, _ := p.Submit(ctx, func(context.Context) error { log = append(log, "fetch"); return nil })
	parse, _ := p.Submit(ctx, func(context.Context) error { log = append(log, "parse"); return nil }, pool.After(fetch))
	store, _ := p.Submit(ctx, func(context.Context) error { log = append(log, "store"); return nil }, pool.After(parse))
	store.Wait(ctx)
	fmt.Println(log)

	broken, _ := p.Submit(ctx, func(context.Context) error { return errors.New("no network") }, pool.WithName("download"))
	skipped, _ := p.Submit(ctx, func(context.Context) error { return nil }, pool.After(broken))
	fmt.Println(skipped.Wait(ctx), skipped.State())
	// Output:
	// [fetch parse store]
	// pool: skipped: dependency download failed: no network skipped
}

func ExampleWithRetry() {
	p, _ := pool.New(1)
	defer p.Close()
	calls := 0
	job, _ := p.Submit(context.Background(), func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("flaky")
		}
		return nil
	}, pool.WithRetry(retry.Policy{MaxAttempts: 5, InitialDelay: time.Millisecond}))
	fmt.Println(job.Wait(context.Background()), job.Attempts())
	// Output: <nil> 3
}
