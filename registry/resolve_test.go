package registry_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/threadsystem/threadsystem/registry"
)

func TestResolveErrors(t *testing.T) {
	ctx := context.Background()
	r := registry.New()
	if err := registry.Provide(r, &DB{}, registry.Named("replica")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		resolve func() error
		want    error
		msg     string
	}{
		{
			name:    "missing named",
			resolve: func() error { _, err := registry.Resolve[*DB](ctx, r, registry.Named("primary")); return err },
			want:    registry.ErrNotFound,
			msg:     `registry: no service *registry_test.DB named "primary"`,
		},
		{
			name:    "missing unnamed",
			resolve: func() error { _, err := registry.Resolve[*DB](ctx, r); return err },
			want:    registry.ErrNotFound,
			msg:     `registry: no service *registry_test.DB`,
		},
		{
			name:    "missing value type",
			resolve: func() error { _, err := registry.Resolve[map[string]int](ctx, r); return err },
			want:    registry.ErrNotFound,
			msg:     `registry: no service map[string]int`,
		},
		{
			name:    "empty registry",
			resolve: func() error { _, err := registry.Resolve[*DB](ctx, new(registry.Registry)); return err },
			want:    registry.ErrNotFound,
		},
		{
			name:    "nil registry",
			resolve: func() error { _, err := registry.Resolve[*DB](ctx, nil); return err },
			want:    registry.ErrNoRegistry,
			msg:     `registry: no registry: resolving *registry_test.DB`,
		},
		{
			name: "transient option",
			resolve: func() error {
				_, err := registry.Resolve[*DB](ctx, r, registry.Named("replica"), registry.Transient())
				return err
			},
			want: registry.ErrInvalidOption,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.resolve()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message = %q, want %q", err, tt.msg)
			}
		})
	}
}

func TestLifetimeCountsBuilds(t *testing.T) {
	tests := []struct {
		name       string
		opts       []registry.Option
		wantBuilds int64
		wantSame   bool
	}{
		{name: "singleton builds once", wantBuilds: 1, wantSame: true},
		{name: "named singleton builds once", opts: []registry.Option{registry.Named("n")}, wantBuilds: 1, wantSame: true},
		{name: "transient builds each time", opts: []registry.Option{registry.Transient()}, wantBuilds: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := registry.New()
			var builds atomic.Int64
			err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) {
				builds.Add(1)
				return &DB{}, nil
			}, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			var named []registry.Option
			for _, o := range tt.opts {
				if o != registry.Transient() {
					named = append(named, o)
				}
			}
			first, _ := registry.Resolve[*DB](context.Background(), r, named...)
			for range 4 {
				got, err := registry.Resolve[*DB](context.Background(), r, named...)
				if err != nil {
					t.Fatal(err)
				}
				if (got == first) != tt.wantSame {
					t.Errorf("same value each time = %v, want %v", got == first, tt.wantSame)
				}
			}
			if n := builds.Load(); n != tt.wantBuilds {
				t.Errorf("builds = %d, want %d", n, tt.wantBuilds)
			}
		})
	}
}

// TestConcurrentResolvesBuildOnce holds the first build open until all 16
// goroutines are inside Resolve, so they really race for it.
func TestConcurrentResolvesBuildOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 16
		r := registry.New()
		var builds atomic.Int64
		release := make(chan struct{})
		err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) {
			builds.Add(1)
			<-release
			return &DB{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		got := make([]*DB, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				got[i], errs[i] = registry.Resolve[*DB](context.Background(), r)
			})
		}
		close(start)
		synctest.Wait() // one goroutine is in the factory, the others wait for it
		close(release)
		wg.Wait()
		if b := builds.Load(); b != 1 {
			t.Errorf("builds = %d, want 1", b)
		}
		for i := range n {
			if errs[i] != nil || got[i] != got[0] || got[i] == nil {
				t.Errorf("goroutine %d got %p, %v; want %p, nil", i, got[i], errs[i], got[0])
			}
		}
	})
}

var errBoom = errors.New("boom")

func TestFactoryErrorIsNotKept(t *testing.T) {
	r := registry.New()
	var builds atomic.Int64
	err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) {
		if builds.Add(1) == 1 {
			return nil, errBoom
		}
		return &DB{dsn: "second"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = registry.Resolve[*DB](context.Background(), r)
	if !errors.Is(err, errBoom) || err.Error() != "registry: building *registry_test.DB: boom" {
		t.Fatalf("first Resolve err = %v, want the factory's error wrapped", err)
	}
	db, err := registry.Resolve[*DB](context.Background(), r)
	if err != nil || db.dsn != "second" {
		t.Fatalf("second Resolve = %v, %v; want the second build", db, err)
	}
	if _, err := registry.Resolve[*DB](context.Background(), r); err != nil || builds.Load() != 2 {
		t.Errorf("third Resolve: err %v, builds %d; want nil, 2", err, builds.Load())
	}
}

// TestWaitersOnAFailedBuild: resolvers waiting on a build share its error,
// unless it failed because the builder's own context ended; then they retry.
func TestWaitersOnAFailedBuild(t *testing.T) {
	tests := []struct {
		name        string
		cancel      bool // cancel the builder's ctx
		wantBuilds  int64
		wantErr     error
		wantWaitErr error
	}{
		{name: "error shared", wantBuilds: 1, wantErr: errBoom, wantWaitErr: errBoom},
		{name: "builder cancelled, waiter retries", cancel: true, wantBuilds: 2, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := registry.New()
				var builds atomic.Int64
				release := make(chan struct{})
				err := registry.ProvideFunc(r, func(ctx context.Context, _ *registry.Registry) (*DB, error) {
					if builds.Add(1) > 1 {
						return &DB{}, nil
					}
					<-release
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					return nil, errBoom
				})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var builderErr, waitErr error
				var wg sync.WaitGroup
				wg.Go(func() { _, builderErr = registry.Resolve[*DB](ctx, r) })
				synctest.Wait()
				wg.Go(func() { _, waitErr = registry.Resolve[*DB](context.Background(), r) })
				synctest.Wait()
				if tt.cancel {
					cancel()
				}
				close(release)
				wg.Wait()
				if !errors.Is(builderErr, tt.wantErr) {
					t.Errorf("builder err = %v, want %v", builderErr, tt.wantErr)
				}
				if !errors.Is(waitErr, tt.wantWaitErr) || (waitErr == nil) != (tt.wantWaitErr == nil) {
					t.Errorf("waiter err = %v, want %v", waitErr, tt.wantWaitErr)
				}
				if b := builds.Load(); b != tt.wantBuilds {
					t.Errorf("builds = %d, want %d", b, tt.wantBuilds)
				}
			})
		})
	}
}

func TestWaiterStopsWhenItsContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New()
		release := make(chan struct{})
		err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) {
			<-release
			return &DB{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = registry.Resolve[*DB](context.Background(), r) })
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		var waitErr error
		wg.Go(func() { _, waitErr = registry.Resolve[*DB](ctx, r) })
		synctest.Wait()
		cancel()
		synctest.Wait()
		if !errors.Is(waitErr, context.Canceled) {
			t.Errorf("waiter err = %v, want context.Canceled", waitErr)
		}
		close(release)
		wg.Wait()
		if _, err := registry.Resolve[*DB](ctx, r); err != nil {
			t.Errorf("built singleton with an ended ctx: err = %v, want nil", err)
		}
	})
}

func TestFactoryPanicFreesTheWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New()
		var builds atomic.Int64
		release := make(chan struct{})
		err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*DB, error) {
			if builds.Add(1) == 1 {
				<-release
				panic("factory bug")
			}
			return &DB{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var recovered any
		var waitErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			defer func() { recovered = recover() }()
			_, _ = registry.Resolve[*DB](context.Background(), r)
		})
		synctest.Wait()
		wg.Go(func() { _, waitErr = registry.Resolve[*DB](context.Background(), r) })
		synctest.Wait()
		close(release)
		wg.Wait()
		if recovered != "factory bug" {
			t.Errorf("builder recovered %v, want the factory's panic", recovered)
		}
		if waitErr == nil || waitErr.Error() != "registry: building *registry_test.DB: factory panicked or called runtime.Goexit" {
			t.Errorf("waiter err = %v", waitErr)
		}
		if _, err := registry.Resolve[*DB](context.Background(), r); err != nil || builds.Load() != 2 {
			t.Errorf("Resolve after panic: err %v, builds %d; want nil, 2", err, builds.Load())
		}
	})
}
