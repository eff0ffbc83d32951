package registry_test

import (
	"context"
	"testing"

	"github.com/threadsystem/threadsystem/registry"
)

// benchRegistry holds a built lazy singleton, a named value and a transient
// among a few dozen other services.
func benchRegistry(tb testing.TB) *registry.Registry {
	tb.Helper()
	r := registry.New()
	for i := range 32 {
		if err := registry.Provide(r, i, registry.Named(string(rune('a'+i)))); err != nil {
			tb.Fatal(err)
		}
	}
	err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) { return &DB{}, nil })
	if err == nil {
		err = registry.Provide(r, &DB{}, registry.Named("primary"))
	}
	if err == nil {
		err = registry.ProvideFunc(r, func(context.Context, *registry.Registry) (Config, error) {
			return Config{port: 1}, nil
		}, registry.Transient())
	}
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := registry.Resolve[*DB](context.Background(), r); err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestResolveBuiltSingletonDoesNotAllocate(t *testing.T) {
	r := benchRegistry(t)
	ctx := context.Background()
	tests := []struct {
		name string
		opts []registry.Option
	}{
		{name: "unnamed"},
		{name: "named", opts: []registry.Option{registry.Named("primary")}},
	}
	for _, tt := range tests {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := registry.Resolve[*DB](ctx, r, tt.opts...); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Resolve, want 0", tt.name, allocs)
		}
	}
}

func BenchmarkResolveSingleton(b *testing.B) {
	r := benchRegistry(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := registry.Resolve[*DB](ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveNamed(b *testing.B) {
	r := benchRegistry(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := registry.Resolve[*DB](ctx, r, registry.Named("primary")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveTransient(b *testing.B) {
	r := benchRegistry(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := registry.Resolve[Config](ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveFrom(b *testing.B) {
	ctx := registry.NewContext(context.Background(), benchRegistry(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := registry.ResolveFrom[*DB](ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveParallel(b *testing.B) {
	r := benchRegistry(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := registry.Resolve[*DB](ctx, r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
