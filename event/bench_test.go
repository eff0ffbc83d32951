package event_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/threadsystem/threadsystem/event"
)

// BenchmarkPublishSync measures Publish with 1 and 4 Sync subscribers of
// the exact type (which do not ask PublishedAt, so Publish reads no clock),
// one that asks PublishedAt, one of an interface type and none.
func BenchmarkPublishSync(b *testing.B) {
	ctx := context.Background()
	for _, subs := range []int{1, 4} {
		b.Run(fmt.Sprintf("exact/subs=%d", subs), func(b *testing.B) {
			bus := event.NewBus()
			var n int
			for range subs {
				event.Subscribe(bus, func(_ context.Context, v int) { n += v }, event.Sync())
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = event.Publish(ctx, bus, 1)
			}
			closeBus(b, bus)
			if n != subs*b.N {
				b.Fatalf("delivered %d of %d events", n, subs*b.N)
			}
		})
	}
	b.Run("exact/subs=1/asks PublishedAt", func(b *testing.B) {
		bus := event.NewBus()
		var n int64
		event.Subscribe(bus, func(ctx context.Context, v int) { n += event.PublishedAt(ctx).UnixNano() & 1 }, event.Sync())
		b.ReportAllocs()
		for b.Loop() {
			_ = event.Publish(ctx, bus, 1)
		}
		closeBus(b, bus)
	})
	b.Run("interface", func(b *testing.B) {
		bus := event.NewBus()
		var n int
		event.Subscribe(bus, func(_ context.Context, d Describer) { n++ }, event.Sync())
		e := &Shipped{ID: 1} // a pointer boxes without allocating
		b.ReportAllocs()
		for b.Loop() {
			_ = event.Publish(ctx, bus, e)
		}
		closeBus(b, bus)
	})
	b.Run("no subscriber", func(b *testing.B) {
		bus := event.NewBus()
		event.Subscribe(bus, func(context.Context, string) {}, event.Sync())
		b.ReportAllocs()
		for b.Loop() {
			_ = event.Publish(ctx, bus, 1)
		}
		closeBus(b, bus)
	})
	b.Run("parallel", func(b *testing.B) {
		bus := event.NewBus()
		var n atomic.Int64
		event.Subscribe(bus, func(_ context.Context, v int) { n.Add(int64(v)) }, event.Sync())
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = event.Publish(ctx, bus, 1)
			}
		})
		closeBus(b, bus)
	})
}

// BenchmarkPublishAsync measures publish-to-delivery throughput for one
// asynchronous subscriber with the Block policy: the 256-event buffer
// bounds how far publishing runs ahead of delivery, so ns/op is the
// delivery rate to within that many events (Close drains them untimed).
func BenchmarkPublishAsync(b *testing.B) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts []event.SubscribeOption
	}{
		{"ordered", nil},
		{"concurrent4", []event.SubscribeOption{event.Concurrent(4)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			bus := event.NewBus()
			var n atomic.Int64
			event.Subscribe(bus, func(_ context.Context, v int) { n.Add(int64(v)) }, tc.opts...)
			b.ReportAllocs()
			for b.Loop() {
				_ = event.Publish(ctx, bus, 1)
			}
			closeBus(b, bus)
			if got := n.Load(); got != int64(b.N) {
				b.Fatalf("delivered %d of %d events", got, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
