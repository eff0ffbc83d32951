package event_test

import (
	"context"
	"fmt"

	"github.com/threadsystem/threadsystem/event"
)

type OrderPlaced struct{ ID int }

type Shipped struct{ ID int }

// Stringer-like interface the examples subscribe to.
type Describer interface{ Describe() string }

func (o OrderPlaced) Describe() string { return fmt.Sprintf("order %d placed", o.ID) }
func (s Shipped) Describe() string     { return fmt.Sprintf("order %d shipped", s.ID) }

func Example() {
	ctx := context.Background()
	b := event.NewBus()
	event.Subscribe(b, func(_ context.Context, e OrderPlaced) {
		fmt.Println("placed", e.ID)
	})
	for id := range 3 {
		if err := event.Publish(ctx, b, OrderPlaced{ID: id}); err != nil {
			fmt.Println(err)
		}
	}
	// Close delivers what was published, in order for each subscriber.
	if err := b.Close(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println(event.Publish(ctx, b, OrderPlaced{ID: 9}))
	// Output:
	// placed 0
	// placed 1
	// placed 2
	// event: bus closed
}

func ExampleSubscribe_interface() {
	ctx := context.Background()
	b := event.NewBus()
	// Every event whose type implements Describer reaches this handler.
	event.Subscribe(b, func(_ context.Context, d Describer) {
		fmt.Println(d.Describe())
	})
	_ = event.Publish(ctx, b, OrderPlaced{ID: 1})
	_ = event.Publish(ctx, b, Shipped{ID: 1})
	_ = event.Publish(ctx, b, "not a Describer")
	_ = b.Close(ctx)
	// Output:
	// order 1 placed
	// order 1 shipped
}

func ExampleOnce() {
	ctx := context.Background()
	b := event.NewBus()
	event.Subscribe(b, func(_ context.Context, e Shipped) {
		fmt.Println("first shipment:", e.ID)
	}, event.Once())
	for id := range 3 {
		_ = event.Publish(ctx, b, Shipped{ID: id})
	}
	_ = b.Close(ctx)
	fmt.Println("subscribers left:", b.Stats().Subscribers)
	// Output:
	// first shipment: 0
	// subscribers left: 0
}

func ExampleSync() {
	ctx := context.Background()
	b := event.NewBus()
	defer b.Close(ctx)
	total := 0
	unsubscribe := event.Subscribe(b, func(_ context.Context, n int) {
		total += n // runs in Publish's goroutine: no race, no wait
	}, event.Sync())
	_ = event.Publish(ctx, b, 2)
	_ = event.Publish(ctx, b, 3)
	fmt.Println("total after two publishes:", total)
	unsubscribe()
	_ = event.Publish(ctx, b, 100)
	fmt.Println("total after unsubscribe:", total)
	// Output:
	// total after two publishes: 5
	// total after unsubscribe: 5
}

func ExamplePublishedAt() {
	ctx := context.Background()
	b := event.NewBus()
	event.Subscribe(b, func(ctx context.Context, e OrderPlaced) {
		fmt.Println("has publish time:", !event.PublishedAt(ctx).IsZero())
	}, event.Sync())
	_ = event.Publish(ctx, b, OrderPlaced{ID: 1})
	_ = b.Close(ctx)
	// Output:
	// has publish time: true
}
