package registry_test

import (
	"context"
	"errors"
	"testing"

	"github.com/threadsystem/threadsystem/registry"
)

func TestResolveFromUsesTheContextRegistry(t *testing.T) {
	r := registry.New()
	db := &DB{dsn: "ctx"}
	if err := registry.Provide(r, db, registry.Named("primary")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ctx  context.Context
		opts []registry.Option
		want *DB
		err  error
		msg  string
	}{
		{name: "carried", ctx: registry.NewContext(context.Background(), r), opts: []registry.Option{registry.Named("primary")}, want: db},
		{name: "wrong name", ctx: registry.NewContext(context.Background(), r), err: registry.ErrNotFound},
		{name: "absent", ctx: context.Background(), err: registry.ErrNoRegistry, opts: []registry.Option{registry.Named("primary")},
			msg: `registry: no registry in context: resolving *registry_test.DB named "primary"`},
		{name: "nil registry", ctx: registry.NewContext(context.Background(), nil), err: registry.ErrNoRegistry},
		{name: "nil ctx", ctx: nil, err: registry.ErrNoRegistry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := registry.ResolveFrom[*DB](tt.ctx, tt.opts...)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("ResolveFrom = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message = %q, want %q", err, tt.msg)
			}
		})
	}
}

func TestFromContext(t *testing.T) {
	r := registry.New()
	var nilCtx context.Context
	tests := []struct {
		name   string
		ctx    context.Context
		want   *registry.Registry
		wantOK bool
	}{
		{name: "carried", ctx: registry.NewContext(context.Background(), r), want: r, wantOK: true},
		{name: "inner wins", ctx: registry.NewContext(registry.NewContext(context.Background(), registry.New()), r), want: r, wantOK: true},
		{name: "absent", ctx: context.Background()},
		{name: "nil registry", ctx: registry.NewContext(context.Background(), nil)},
		{name: "nil ctx"},
		{name: "nil ctx given to NewContext", ctx: registry.NewContext(nilCtx, r), want: r, wantOK: true},
	}
	for _, tt := range tests {
		if got, ok := registry.FromContext(tt.ctx); got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: FromContext = %p, %v; want %p, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}
