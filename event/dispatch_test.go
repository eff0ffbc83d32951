package event_test

import (
	"context"
	"slices"
	"testing"

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

func TestMatchCacheFollowsSubscriptions(t *testing.T) {
	b := event.NewBus()
	var got log[string]
	publish := func() {
		t.Helper()
		if err := event.Publish(context.Background(), b, user{"x"}); err != nil {
			t.Fatal(err)
		}
	}
	publish() // caches "no subscriber" for user
	unsubUser := event.Subscribe(b, func(context.Context, user) { got.add("user") }, event.Sync())
	publish()
	unsubNamed := event.Subscribe(b, func(context.Context, named) { got.add("named") }, event.Sync())
	publish()
	unsubUser()
	publish()
	unsubNamed()
	publish()
	closeBus(t, b)
	want := []string{"user", "user", "named", "named"}
	if l := got.list(); !slices.Equal(l, want) {
		t.Errorf("handlers run = %q, want %q", l, want)
	}
}
