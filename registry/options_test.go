package registry_test

import (
	"context"
	"errors"
	"testing"

	"github.com/threadsystem/threadsystem/registry"
)

func TestNamedInstancesAreDistinct(t *testing.T) {
	ctx := context.Background()
	r := registry.New()
	primary, replica, plain := &DB{dsn: "p"}, &DB{dsn: "r"}, &DB{dsn: ""}
	if err := errors.Join(
		registry.Provide(r, primary, registry.Named("primary")),
		registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) { return replica, nil }, registry.Named("replica")),
		registry.Provide(r, plain),
	); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opts []registry.Option
		want *DB
	}{
		{opts: []registry.Option{registry.Named("primary")}, want: primary},
		{opts: []registry.Option{registry.Named("replica")}, want: replica},
		{opts: nil, want: plain},
		{opts: []registry.Option{registry.Named("")}, want: plain},
		{opts: []registry.Option{registry.Named("replica"), registry.Named("primary")}, want: primary},
		{opts: []registry.Option{{}}, want: plain},
	}
	for _, tt := range tests {
		got, err := registry.Resolve[*DB](ctx, r, tt.opts...)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%v) = %v, %v; want %v", tt.opts, got, err, tt.want)
		}
	}
}
