package registry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/threadsystem/threadsystem/registry"
)

type DB struct{ dsn string }

type Config struct{ port int }

func TestProvideThenResolveReturnsTheValue(t *testing.T) {
	ctx := context.Background()
	db := &DB{dsn: "mem"}
	var reader io.Reader = strings.NewReader("x")
	tests := []struct {
		name    string
		provide func(*registry.Registry) error
		resolve func(*registry.Registry) (any, error)
		want    any
	}{
		{
			name:    "int value",
			provide: func(r *registry.Registry) error { return registry.Provide(r, 42) },
			resolve: func(r *registry.Registry) (any, error) { return registry.Resolve[int](ctx, r) },
			want:    42,
		},
		{
			name:    "struct value",
			provide: func(r *registry.Registry) error { return registry.Provide(r, Config{port: 8080}) },
			resolve: func(r *registry.Registry) (any, error) { return registry.Resolve[Config](ctx, r) },
			want:    Config{port: 8080},
		},
		{
			name:    "pointer is the same pointer",
			provide: func(r *registry.Registry) error { return registry.Provide(r, db) },
			resolve: func(r *registry.Registry) (any, error) { return registry.Resolve[*DB](ctx, r) },
			want:    db,
		},
		{
			name:    "interface",
			provide: func(r *registry.Registry) error { return registry.Provide(r, reader) },
			resolve: func(r *registry.Registry) (any, error) { return registry.Resolve[io.Reader](ctx, r) },
			want:    reader,
		},
		{
			name:    "nil interface",
			provide: func(r *registry.Registry) error { return registry.Provide[io.Writer](r, nil) },
			resolve: func(r *registry.Registry) (any, error) { return registry.Resolve[io.Writer](ctx, r) },
			want:    io.Writer(nil),
		},
		{
			name: "lazy pointer",
			provide: func(r *registry.Registry) error {
				return registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) { return db, nil })
			},
			resolve: func(r *registry.Registry) (any, error) { return registry.Resolve[*DB](ctx, r) },
			want:    db,
		},
		{
			name: "lazy interface",
			provide: func(r *registry.Registry) error {
				return registry.ProvideFunc(r, func(context.Context, *registry.Registry) (io.Reader, error) { return reader, nil })
			},
			resolve: func(r *registry.Registry) (any, error) { return registry.Resolve[io.Reader](ctx, r) },
			want:    reader,
		},
		{
			name: "factory resolving another service",
			provide: func(r *registry.Registry) error {
				return errors.Join(
					registry.Provide(r, Config{port: 1}),
					registry.ProvideFunc(r, func(ctx context.Context, r *registry.Registry) (*DB, error) {
						c, err := registry.Resolve[Config](ctx, r)
						return &DB{dsn: fmt.Sprint(c.port)}, err
					}))
			},
			resolve: func(r *registry.Registry) (any, error) {
				db, err := registry.Resolve[*DB](ctx, r)
				return *db, err
			},
			want: DB{dsn: "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []*registry.Registry{registry.New(), new(registry.Registry)} {
				if err := tt.provide(r); err != nil {
					t.Fatalf("provide: %v", err)
				}
				got, err := tt.resolve(r)
				if err != nil || got != tt.want {
					t.Errorf("resolve = %v, %v; want %v, nil", got, err, tt.want)
				}
			}
		})
	}
}

func TestProvideRejectsBadInput(t *testing.T) {
	factory := func(context.Context, *registry.Registry) (*DB, error) { return &DB{}, nil }
	tests := []struct {
		name    string
		provide func(r *registry.Registry) error
		want    error
		msg     string
	}{
		{
			name:    "duplicate value",
			provide: func(r *registry.Registry) error { return registry.Provide(r, &DB{}) },
			want:    registry.ErrDuplicate,
			msg:     "registry: duplicate service *registry_test.DB",
		},
		{
			name:    "duplicate factory",
			provide: func(r *registry.Registry) error { return registry.ProvideFunc(r, factory) },
			want:    registry.ErrDuplicate,
		},
		{
			name:    "duplicate transient",
			provide: func(r *registry.Registry) error { return registry.ProvideFunc(r, factory, registry.Transient()) },
			want:    registry.ErrDuplicate,
		},
		{
			name: "duplicate named",
			provide: func(r *registry.Registry) error {
				return registry.Provide(r, &DB{}, registry.Named("primary"))
			},
			want: registry.ErrDuplicate,
			msg:  `registry: duplicate service *registry_test.DB named "primary"`,
		},
		{
			name: "nil factory",
			provide: func(r *registry.Registry) error {
				return registry.ProvideFunc[*Config](r, nil)
			},
			want: registry.ErrNilFactory,
			msg:  "registry: nil factory for *registry_test.Config",
		},
		{
			name:    "transient value",
			provide: func(r *registry.Registry) error { return registry.Provide(r, Config{}, registry.Transient()) },
			want:    registry.ErrInvalidOption,
		},
		{
			name:    "nil registry",
			provide: func(*registry.Registry) error { return registry.Provide(nil, Config{}) },
			want:    registry.ErrNoRegistry,
		},
		{
			name:    "nil registry factory",
			provide: func(*registry.Registry) error { return registry.ProvideFunc(nil, factory) },
			want:    registry.ErrNoRegistry,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := registry.New()
			first := &DB{dsn: "first"}
			if err := errors.Join(registry.Provide(r, first), registry.Provide(r, &DB{}, registry.Named("primary"))); err != nil {
				t.Fatal(err)
			}
			err := tt.provide(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message = %q, want %q", err, tt.msg)
			}
			if got, err := registry.Resolve[*DB](context.Background(), r); got != first || err != nil {
				t.Errorf("first registration lost: Resolve = %v, %v", got, err)
			}
		})
	}
}
