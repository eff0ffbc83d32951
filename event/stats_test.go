package event_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/threadsystem/threadsystem/event"
)

func TestStatsReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		release := make(chan struct{})
		block := func(context.Context, int) { <-release }
		event.Subscribe(b, func(context.Context, int) {}, event.Sync())
		event.Subscribe(b, func(context.Context, int) { panic("x") }, event.Sync())
		event.Subscribe(b, block, event.WithBuffer(1), event.WithFullPolicy(event.Drop))
		event.Subscribe(b, block, event.WithBuffer(1), event.WithFullPolicy(event.Fail))
		gone := event.Subscribe(b, block, event.WithBuffer(8))
		event.Subscribe(b, func(context.Context, string) {}) // matches nothing published
		var errs int
		for i := range 5 {
			if err := event.Publish(context.Background(), b, i); errors.Is(err, event.ErrFull) {
				errs++
			} else if err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		if got := b.Stats(); got.Pending != 2+2+5 || got.Subscribers != 6 {
			t.Errorf("while blocked: Stats() = %+v, want 9 pending, 6 subscribers", got)
		}
		gone() // 1 running, 4 buffered: dropped
		close(release)
		closeBus(t, b)
		if errs != 3 {
			t.Errorf("Publish returned ErrFull %d times, want 3", errs)
		}
		got := b.Stats()
		tests := []struct {
			name      string
			got, want uint64
		}{
			{"Published", got.Published, 5},
			{"Matched", got.Matched, 25},
			{"Delivered", got.Delivered, 5 + 2 + 2 + 1},
			{"Failed", got.Failed, 5},
			{"Dropped", got.Dropped, 3 + 4},
			{"Rejected", got.Rejected, 3},
			{"Abandoned", got.Abandoned, 0},
			{"Pending", got.Pending, 0},
			{"Matched - outcomes", got.Matched - (got.Delivered + got.Failed + got.Dropped + got.Rejected + got.Abandoned), 0},
		}
		for _, tt := range tests {
			if tt.got != tt.want {
				t.Errorf("Stats().%s = %d, want %d", tt.name, tt.got, tt.want)
			}
		}
		if got.Subscribers != 5 {
			t.Errorf("Stats().Subscribers = %d, want 5", got.Subscribers)
		}
	})
}
