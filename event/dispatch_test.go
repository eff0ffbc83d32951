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

// typed subscribes a counter to events of type E and publishes a zero E.
type typed struct {
	name      string
	subscribe func(*event.Bus, *log[string], []event.SubscribeOption)
	publish   func(*event.Bus) error
}

func typedRow[E any](name string) typed {
	return typed{
		name: name,
		subscribe: func(b *event.Bus, got *log[string], opts []event.SubscribeOption) {
			event.Subscribe(b, func(context.Context, E) { got.add(name) }, opts...)
		},
		publish: func(b *event.Bus) error {
			var e E
			return event.Publish(context.Background(), b, e)
		},
	}
}

// TestPublishManyTypesReachTheirSubscribers publishes more types than the
// short list of recent match lists holds, so the later ones go through the
// map: each event must still reach its own type's subscriber only.
func TestPublishManyTypesReachTheirSubscribers(t *testing.T) {
	rows := []typed{
		typedRow[int]("int"), typedRow[int8]("int8"), typedRow[int16]("int16"),
		typedRow[int32]("int32"), typedRow[int64]("int64"), typedRow[uint]("uint"),
		typedRow[uint8]("uint8"), typedRow[uint16]("uint16"), typedRow[uint32]("uint32"),
		typedRow[uint64]("uint64"), typedRow[float32]("float32"), typedRow[float64]("float64"),
		typedRow[string]("string"), typedRow[bool]("bool"),
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := event.NewBus()
			var got log[string]
			for _, r := range rows {
				r.subscribe(b, &got, m.opts)
			}
			var want []string
			for round := range 3 { // the first builds each list, later ones find it
				for _, r := range rows {
					if err := r.publish(b); err != nil {
						t.Fatalf("round %d: Publish[%s] = %v", round, r.name, err)
					}
					want = append(want, r.name)
				}
			}
			closeBus(t, b)
			l := got.list()
			slices.Sort(l)
			slices.Sort(want)
			if !slices.Equal(l, want) {
				t.Errorf("handlers run = %q, want %q", l, want)
			}
		})
	}
}
