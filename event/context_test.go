package event_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/event"
)

func TestPublishedAt(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := event.NewBus()
				type seen struct{ at, derived, handled time.Time }
				var got log[seen]
				event.Subscribe(b, func(ctx context.Context, _ int) {
					derived := context.WithValue(ctx, ctxKey{}, 1)
					got.add(seen{event.PublishedAt(ctx), event.PublishedAt(derived), time.Now()})
					time.Sleep(time.Minute) // later events are handled late
				}, m.opts...)
				var want []time.Time
				for i := range 3 {
					want = append(want, time.Now())
					if err := event.Publish(context.Background(), b, i); err != nil {
						t.Fatal(err)
					}
					if !m.sync() {
						time.Sleep(time.Second)
					}
				}
				closeBus(t, b)
				l := got.list()
				if len(l) != 3 {
					t.Fatalf("handled %d events, want 3", len(l))
				}
				for i, s := range l {
					if !s.at.Equal(want[i]) || !s.derived.Equal(want[i]) {
						t.Errorf("event %d: PublishedAt = %v (derived ctx %v), want %v (handled at %v)", i, s.at, s.derived, want[i], s.handled)
					}
				}
			})
		})
	}
}

func TestPublishedAtOutsideHandlerIsZero(t *testing.T) {
	if got := event.PublishedAt(context.Background()); !got.IsZero() {
		t.Errorf("PublishedAt(Background) = %v, want zero", got)
	}
}
