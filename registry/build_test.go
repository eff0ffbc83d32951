package registry_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/threadsystem/threadsystem/registry"
)

type (
	A struct{}
	B struct{}
	C struct{}
	X struct{}
)

// needs returns a factory of *T that first resolves *U with opts.
func needs[T, U any](opts ...registry.Option) func(context.Context, *registry.Registry) (*T, error) {
	return func(ctx context.Context, r *registry.Registry) (*T, error) {
		if _, err := registry.Resolve[*U](ctx, r, opts...); err != nil {
			return nil, err
		}
		return new(T), nil
	}
}

func TestCycleIsSpelledOut(t *testing.T) {
	tests := []struct {
		name    string
		provide func(r *registry.Registry) error
		msg     string
	}{
		{
			name:    "self",
			provide: func(r *registry.Registry) error { return registry.ProvideFunc(r, needs[A, A]()) },
			msg:     "registry: cycle: *registry_test.A -> *registry_test.A",
		},
		{
			name: "two",
			provide: func(r *registry.Registry) error {
				return errors.Join(registry.ProvideFunc(r, needs[A, B]()), registry.ProvideFunc(r, needs[B, A]()))
			},
			msg: "registry: cycle: *registry_test.A -> *registry_test.B -> *registry_test.A",
		},
		{
			name: "three",
			provide: func(r *registry.Registry) error {
				return errors.Join(registry.ProvideFunc(r, needs[A, B]()), registry.ProvideFunc(r, needs[B, C]()),
					registry.ProvideFunc(r, needs[C, A]()))
			},
			msg: "registry: cycle: *registry_test.A -> *registry_test.B -> *registry_test.C -> *registry_test.A",
		},
		{
			name: "entered below the root",
			provide: func(r *registry.Registry) error {
				return errors.Join(registry.ProvideFunc(r, needs[X, A]()), registry.ProvideFunc(r, needs[A, B]()),
					registry.ProvideFunc(r, needs[B, A]()))
			},
			msg: "registry: cycle: *registry_test.A -> *registry_test.B -> *registry_test.A",
		},
		{
			name: "named",
			provide: func(r *registry.Registry) error {
				return errors.Join(registry.ProvideFunc(r, needs[A, B](registry.Named("b"))),
					registry.ProvideFunc(r, needs[B, A](), registry.Named("b")))
			},
			msg: `registry: cycle: *registry_test.A -> *registry_test.B named "b" -> *registry_test.A`,
		},
		{
			name: "through a transient",
			provide: func(r *registry.Registry) error {
				return errors.Join(registry.ProvideFunc(r, needs[A, B]()),
					registry.ProvideFunc(r, needs[B, A](), registry.Transient()))
			},
			msg: "registry: cycle: *registry_test.A -> *registry_test.B -> *registry_test.A",
		},
		{
			name: "transients only",
			provide: func(r *registry.Registry) error {
				return errors.Join(registry.ProvideFunc(r, needs[A, B](), registry.Transient()),
					registry.ProvideFunc(r, needs[B, A](), registry.Transient()))
			},
			msg: "registry: cycle: *registry_test.A -> *registry_test.B -> *registry_test.A",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := registry.New()
			if err := tt.provide(r); err != nil {
				t.Fatal(err)
			}
			// Resolve the first service twice: a cycle poisons nothing.
			for range 2 {
				resolve := registry.Resolve[*A]
				if tt.name == "entered below the root" {
					resolve = func(ctx context.Context, r *registry.Registry, _ ...registry.Option) (*A, error) {
						_, err := registry.Resolve[*X](ctx, r)
						return nil, err
					}
				}
				_, err := resolve(context.Background(), r)
				if !errors.Is(err, registry.ErrCycle) {
					t.Fatalf("err = %v, want ErrCycle", err)
				}
				if err.Error() != tt.msg {
					t.Errorf("message = %q\n            want %q", err, tt.msg)
				}
			}
		})
	}
}

// gated returns a factory of *T that waits for gate, then resolves *U.
func gated[T, U any](gate <-chan struct{}) func(context.Context, *registry.Registry) (*T, error) {
	return func(ctx context.Context, r *registry.Registry) (*T, error) {
		<-gate
		if _, err := registry.Resolve[*U](ctx, r); err != nil {
			return nil, err
		}
		return new(T), nil
	}
}

// TestCycleAcrossGoroutinesFailsInsteadOfDeadlocking starts the builds of a
// cycle on different goroutines, so that each build would wait for the next
// one forever; the last wait must be refused with ErrCycle and every
// goroutine must end. In a synctest bubble a deadlock fails the test at once.
func TestCycleAcrossGoroutinesFailsInsteadOfDeadlocking(t *testing.T) {
	tests := []struct {
		name    string
		provide func(r *registry.Registry, gates []chan struct{}) error
		resolve []func(context.Context, *registry.Registry) error
		msg     string
	}{
		{
			name: "two",
			provide: func(r *registry.Registry, g []chan struct{}) error {
				return errors.Join(registry.ProvideFunc(r, gated[A, B](g[0])), registry.ProvideFunc(r, gated[B, A](g[1])))
			},
			resolve: []func(context.Context, *registry.Registry) error{resolveErr[*A], resolveErr[*B]},
			msg:     "registry: cycle: *registry_test.B -> *registry_test.A -> *registry_test.B",
		},
		{
			name: "three",
			provide: func(r *registry.Registry, g []chan struct{}) error {
				return errors.Join(registry.ProvideFunc(r, gated[A, B](g[0])), registry.ProvideFunc(r, gated[B, C](g[1])),
					registry.ProvideFunc(r, gated[C, A](g[2])))
			},
			resolve: []func(context.Context, *registry.Registry) error{resolveErr[*A], resolveErr[*B], resolveErr[*C]},
			msg:     "registry: cycle: *registry_test.C -> *registry_test.A -> *registry_test.B -> *registry_test.C",
		},
		{
			name: "inside a deeper build",
			provide: func(r *registry.Registry, g []chan struct{}) error {
				// X needs A needs B; B (on the other goroutine) needs X.
				return errors.Join(registry.ProvideFunc(r, needs[X, A]()), registry.ProvideFunc(r, gated[A, B](g[0])),
					registry.ProvideFunc(r, gated[B, X](g[1])))
			},
			resolve: []func(context.Context, *registry.Registry) error{resolveErr[*X], resolveErr[*B]},
			msg:     "registry: cycle: *registry_test.B -> *registry_test.X -> *registry_test.A -> *registry_test.B",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := registry.New()
				gates := make([]chan struct{}, len(tt.resolve))
				for i := range gates {
					gates[i] = make(chan struct{})
				}
				if err := tt.provide(r, gates); err != nil {
					t.Fatal(err)
				}
				errs := make([]error, len(tt.resolve))
				var wg sync.WaitGroup
				for i, resolve := range tt.resolve {
					wg.Go(func() { errs[i] = resolve(context.Background(), r) })
				}
				synctest.Wait() // every build is running, held at its gate
				for _, g := range gates {
					close(g)
					synctest.Wait()
				}
				wg.Wait()
				for i, err := range errs {
					if !errors.Is(err, registry.ErrCycle) || err.Error() != tt.msg {
						t.Errorf("goroutine %d: err = %v\n                want %s", i, err, tt.msg)
					}
				}
			})
		})
	}
}

func resolveErr[T any](ctx context.Context, r *registry.Registry) error {
	_, err := registry.Resolve[T](ctx, r)
	return err
}

// TestWaitingOnAnotherBuildIsNoCycle: a factory that needs a service another
// goroutine is building waits for it, however the builds nest.
func TestWaitingOnAnotherBuildIsNoCycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New()
		gate := make(chan struct{})
		// A and C both need B; B needs X. C is built while A waits on B.
		err := errors.Join(registry.ProvideFunc(r, needs[A, B]()), registry.ProvideFunc(r, gated[B, X](gate)),
			registry.ProvideFunc(r, needs[C, B]()), registry.Provide(r, &X{}))
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 3)
		var wg sync.WaitGroup
		wg.Go(func() { errs[0] = resolveErr[*B](context.Background(), r) })
		synctest.Wait()
		wg.Go(func() { errs[1] = resolveErr[*A](context.Background(), r) })
		wg.Go(func() { errs[2] = resolveErr[*C](context.Background(), r) })
		synctest.Wait()
		close(gate)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
	})
}

func TestFactoryErrorFromNestedResolveIsPassedOn(t *testing.T) {
	r := registry.New()
	err := errors.Join(registry.ProvideFunc(r, needs[A, B]()),
		registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*B, error) { return nil, errBoom }),
		registry.ProvideFunc(r, needs[C, X]()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		resolve func(context.Context, *registry.Registry) error
		want    error
		msg     string
	}{
		{resolve: resolveErr[*A], want: errBoom, msg: "registry: building *registry_test.B: boom"},
		{resolve: resolveErr[*C], want: registry.ErrNotFound,
			msg: "registry: building *registry_test.C: registry: no service *registry_test.X"},
	}
	for _, tt := range tests {
		err := tt.resolve(context.Background(), r)
		if !errors.Is(err, tt.want) || err.Error() != tt.msg {
			t.Errorf("err = %v, want %q", err, tt.msg)
		}
	}
}
