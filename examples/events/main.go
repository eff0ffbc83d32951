// Events sends a pool's lifecycle events to an event bus with one option
// and counts them by kind in a subscriber.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/threadsystem/threadsystem/event"
	"github.com/threadsystem/threadsystem/pool"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx := context.Background()
	bus := event.NewBus()
	counts := map[pool.EventKind]int{} // touched only by the subscription's one goroutine
	var failed []string
	event.Subscribe(bus, func(_ context.Context, e pool.Event) {
		counts[e.Kind]++
		if e.Kind == pool.EventFailed {
			failed = append(failed, fmt.Sprintf("%s: %v", e.Name, e.Err))
		}
	})

	// Every lifecycle step of every job reaches the bus.
	p, err := pool.New(2, pool.WithObserver(pool.ObserverFunc(func(e pool.Event) {
		event.Publish(ctx, bus, e)
	})))
	if err != nil {
		return err
	}
	for i, fail := range []bool{false, true, false} {
		_, err := p.Submit(ctx, func(context.Context) error {
			if fail {
				return errors.New("disk full")
			}
			return nil
		}, pool.WithName(fmt.Sprintf("job-%d", i)))
		if err != nil {
			return err
		}
	}
	if err := p.Close(); err != nil { // runs every job, then returns
		return err
	}
	if err := bus.Close(ctx); err != nil { // delivers every event, then returns
		return err
	}
	for _, k := range []pool.EventKind{pool.EventSubmitted, pool.EventStarted, pool.EventSucceeded, pool.EventFailed} {
		fmt.Printf("%s: %d\n", k, counts[k])
	}
	fmt.Println("failures:", failed)
	return nil
}
