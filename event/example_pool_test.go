package event_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/threadsystem/threadsystem/event"
	"github.com/threadsystem/threadsystem/pool"
)

// A pool's lifecycle events reach the bus through one observer line; any
// number of subscribers then watch the pool without it knowing of them.
func ExampleSubscribe_poolEvents() {
	ctx := context.Background()
	bus := event.NewBus()

	// The one line that connects the pool to the bus. Observe must not block
	// for long: the default subscription buffers 256 events.
	p, _ := pool.New(1, pool.WithObserver(pool.ObserverFunc(func(e pool.Event) { _ = event.Publish(ctx, bus, e) })))

	// One delivery goroutine, so the handler needs no lock; Close drains it.
	seen := map[string][]string{}
	event.Subscribe(bus, func(_ context.Context, e pool.Event) {
		if e.Name == "" {
			return // a worker event, or a job submitted with Go
		}
		step := e.Kind.String()
		if e.Err != nil {
			step += " (" + e.Err.Error() + ")"
		}
		seen[e.Name] = append(seen[e.Name], step)
	})

	// The single worker holds "ok" until release, so "late" is still queued
	// when it is cancelled.
	release := make(chan struct{})
	_, _ = p.Submit(ctx, func(context.Context) error { <-release; return nil }, pool.WithName("ok"))
	_, _ = p.Submit(ctx, func(context.Context) error { return errors.New("disk full") }, pool.WithName("boom"))
	late, _ := p.Submit(ctx, func(context.Context) error { return nil }, pool.WithName("late"))
	late.Cancel()
	done, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = p.Submit(done, func(context.Context) error { return nil }, pool.WithName("refused"))
	close(release)

	_ = p.Close()      // every job has ended and been reported
	_ = bus.Close(ctx) // every reported event has been handled

	for _, name := range slices.Sorted(maps.Keys(seen)) {
		fmt.Printf("%s: %s\n", name, strings.Join(seen[name], ", "))
	}
	// Output:
	// boom: submitted, started, failed (disk full)
	// late: submitted, cancelled (context canceled)
	// ok: submitted, started, succeeded
	// refused: rejected (context canceled)
}
