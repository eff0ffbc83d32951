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

func TestPublishDispatchesByStaticType(t *testing.T) {
	u := user{"ann"}
	tests := []struct {
		name    string
		publish func(context.Context, *event.Bus) error
		want    []string
	}{
		{"concrete", func(ctx context.Context, b *event.Bus) error { return event.Publish(ctx, b, u) }, []string{"any", "named", "user"}},
		{"pointer", func(ctx context.Context, b *event.Bus) error { return event.Publish(ctx, b, &u) }, []string{"*user", "any", "named"}},
		{"other type", func(ctx context.Context, b *event.Bus) error { return event.Publish(ctx, b, order{1}) }, []string{"any", "order"}},
		{"interface static type", func(ctx context.Context, b *event.Bus) error { return event.Publish[named](ctx, b, u) }, []string{"any", "named"}},
		{"nil interface", func(ctx context.Context, b *event.Bus) error { return event.Publish[error](ctx, b, nil) }, []string{"any", "error"}},
		{"no typed subscriber", func(ctx context.Context, b *event.Bus) error { return event.Publish(ctx, b, 42) }, []string{"any"}},
	}
	for _, m := range modes {
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				b := event.NewBus()
				var got log[string]
				event.Subscribe(b, func(context.Context, user) { got.add("user") }, m.opts...)
				event.Subscribe(b, func(context.Context, *user) { got.add("*user") }, m.opts...)
				event.Subscribe(b, func(context.Context, order) { got.add("order") }, m.opts...)
				event.Subscribe(b, func(context.Context, named) { got.add("named") }, m.opts...)
				event.Subscribe(b, func(context.Context, error) { got.add("error") }, m.opts...)
				event.Subscribe(b, func(context.Context, any) { got.add("any") }, m.opts...)
				// Twice, so the second goes through the cached match list.
				for range 2 {
					if err := tt.publish(context.Background(), b); err != nil {
						t.Fatalf("Publish = %v", err)
					}
				}
				closeBus(t, b)
				want := append(slices.Clone(tt.want), tt.want...)
				slices.Sort(want)
				list := got.list()
				slices.Sort(list)
				if !slices.Equal(list, want) {
					t.Errorf("handlers run = %q, want %q", list, want)
				}
			})
		}
	}
}

func TestPublishPassesValueToInterfaceSubscriber(t *testing.T) {
	b := event.NewBus()
	var got log[string]
	event.Subscribe(b, func(_ context.Context, n named) { got.add(n.Name()) }, event.Sync())
	event.Subscribe(b, func(_ context.Context, v any) { got.add(v.(user).name) }, event.Sync())
	if err := event.Publish(context.Background(), b, user{"bo"}); err != nil {
		t.Fatal(err)
	}
	closeBus(t, b)
	if l := got.list(); !slices.Equal(l, []string{"bo", "bo"}) {
		t.Errorf("got %q, want the published value twice", l)
	}
}

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
