package event_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/threadsystem/threadsystem/event"
)

type ctxKey struct{}

func TestSyncRunsBeforePublishReturnsWithItsContext(t *testing.T) {
	b := event.NewBus()
	defer closeBus(t, b)
	var got any
	event.Subscribe(b, func(ctx context.Context, _ int) { got = ctx.Value(ctxKey{}) }, event.Sync())
	ctx := context.WithValue(context.Background(), ctxKey{}, "v")
	if err := event.Publish(ctx, b, 1); err != nil {
		t.Fatal(err)
	}
	if got != "v" {
		t.Errorf("after Publish, handler saw ctx value %v, want %q (handler must have run, with Publish's ctx)", got, "v")
	}
}

func TestAsyncPublishDoesNotWaitForHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		release := make(chan struct{})
		var errs log[error]
		event.Subscribe(b, func(ctx context.Context, _ int) {
			<-release
			errs.add(ctx.Err())
		})
		ctx, cancel := context.WithCancel(context.Background())
		if err := event.Publish(ctx, b, 1); err != nil {
			t.Fatal(err)
		}
		cancel() // the handler's ctx is the bus's, not Publish's
		synctest.Wait()
		if n := errs.len(); n != 0 {
			t.Fatalf("handler finished before release: Publish waited for it")
		}
		close(release)
		closeBus(t, b)
		if got := errs.list(); len(got) != 1 || got[0] != nil {
			t.Errorf("handler ctx.Err() = %v, want [nil]", got)
		}
	})
}

func TestPublishAfterCloseReturnsErrClosed(t *testing.T) {
	tests := []struct {
		name string
		sub  func(*event.Bus, *log[int])
	}{
		{"no subscribers", func(*event.Bus, *log[int]) {}},
		{"async", func(b *event.Bus, l *log[int]) { event.Subscribe(b, func(_ context.Context, v int) { l.add(v) }) }},
		{"sync", func(b *event.Bus, l *log[int]) {
			event.Subscribe(b, func(_ context.Context, v int) { l.add(v) }, event.Sync())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := event.NewBus()
			var got log[int]
			tt.sub(b, &got)
			closeBus(t, b)
			if err := event.Publish(context.Background(), b, 1); !errors.Is(err, event.ErrClosed) {
				t.Errorf("Publish after Close = %v, want ErrClosed", err)
			}
			if n := got.len(); n != 0 {
				t.Errorf("handler ran %d times after Close", n)
			}
			if s := b.Stats(); s.Published != 0 || s.Matched != 0 {
				t.Errorf("Stats() = %+v, want nothing published", s)
			}
		})
	}
}

func TestPublishJoinsErrorsAndStillDeliversToOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		release := make(chan struct{})
		block := func(context.Context, int) { <-release }
		var got log[int]
		event.Subscribe(b, block, event.WithBuffer(1), event.WithFullPolicy(event.Fail), event.WithName("a"))
		event.Subscribe(b, block, event.WithBuffer(1), event.WithFullPolicy(event.Fail), event.WithName("b"))
		event.Subscribe(b, func(_ context.Context, v int) { got.add(v) }, event.Sync())
		for i := range 2 {
			if err := event.Publish(context.Background(), b, i); err != nil {
				t.Fatalf("Publish(%d) = %v", i, err)
			}
			synctest.Wait()
		}
		err := event.Publish(context.Background(), b, 2)
		if !errors.Is(err, event.ErrFull) {
			t.Errorf("Publish to two full subscribers = %v, want ErrFull", err)
		}
		for _, name := range []string{"(subscriber a)", "(subscriber b)"} {
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		}
		close(release)
		closeBus(t, b)
		if l := got.list(); !slices.Equal(l, []int{0, 1, 2}) {
			t.Errorf("sync subscriber got %v, want [0 1 2]", l)
		}
	})
}
