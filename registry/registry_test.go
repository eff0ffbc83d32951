package registry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/threadsystem/threadsystem/registry"
)

// closeLog records the order in which services are closed.
type closeLog struct {
	mu    sync.Mutex
	names []string
}

func (l *closeLog) add(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.names = append(l.names, name)
}

func (l *closeLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.names)
}

// plainCloser is an io.Closer.
type plainCloser struct {
	name string
	log  *closeLog
	err  error
}

func (c *plainCloser) Close() error {
	c.log.add(c.name)
	return c.err
}

// ctxCloser has the context form of Close and records the ctx it got.
type ctxCloser struct {
	name string
	log  *closeLog
	got  context.Context
}

func (c *ctxCloser) Close(ctx context.Context) error {
	c.log.add(c.name)
	c.got = ctx
	return nil
}

type ctxKey struct{}

func TestCloseReverseOrderOfCreation(t *testing.T) {
	ctx := context.Background()
	log := &closeLog{}
	errA, errB := errors.New("a failed"), errors.New("b failed")
	r := registry.New()
	lazy := func(name string, err error) func(context.Context, *registry.Registry) (*plainCloser, error) {
		return func(context.Context, *registry.Registry) (*plainCloser, error) {
			return &plainCloser{name: name, log: log, err: err}, nil
		}
	}
	err := errors.Join(
		registry.Provide(r, &plainCloser{name: "a", log: log, err: errA}, registry.Named("a")),
		registry.ProvideFunc(r, lazy("b", errB), registry.Named("b")),
		// c's factory builds b, so b is created before c.
		registry.ProvideFunc(r, func(ctx context.Context, r *registry.Registry) (*plainCloser, error) {
			if _, err := registry.Resolve[*plainCloser](ctx, r, registry.Named("b")); err != nil {
				return nil, err
			}
			return &plainCloser{name: "c", log: log}, nil
		}, registry.Named("c")),
		registry.ProvideFunc(r, lazy("never built", nil), registry.Named("never")),
		registry.ProvideFunc(r, lazy("transient", nil), registry.Named("transient"), registry.Transient()),
		registry.Provide(r, &plainCloser{name: "d", log: log}, registry.Named("d")),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"c", "transient"} {
		if _, err := registry.Resolve[*plainCloser](ctx, r, registry.Named(name)); err != nil {
			t.Fatal(err)
		}
	}
	err = r.Close(ctx)
	if want := []string{"c", "b", "d", "a"}; !slices.Equal(log.get(), want) {
		t.Errorf("close order = %v, want %v", log.get(), want)
	}
	if !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Errorf("Close err = %v, want errors a and b joined", err)
	}
	want := `registry: closing *registry_test.plainCloser named "b": b failed` + "\n" +
		`registry: closing *registry_test.plainCloser named "a": a failed`
	if err == nil || err.Error() != want {
		t.Errorf("Close message = %q\n              want %q", err, want)
	}
	if err := r.Close(ctx); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if got := len(log.get()); got != 4 {
		t.Errorf("second Close closed again: %d closes, want 4", got)
	}
}

func TestCloseBothCloserForms(t *testing.T) {
	ctx := context.WithValue(context.Background(), ctxKey{}, "marker")
	withCtx := &ctxCloser{name: "ctx"}
	tests := []struct {
		name    string
		provide func(r *registry.Registry, log *closeLog) error
		want    []string
		check   func(t *testing.T)
	}{
		{
			name: "io.Closer",
			provide: func(r *registry.Registry, log *closeLog) error {
				return registry.Provide(r, &plainCloser{name: "io", log: log})
			},
			want: []string{"io"},
		},
		{
			name: "Close(ctx) gets the ctx",
			provide: func(r *registry.Registry, log *closeLog) error {
				withCtx.log = log
				return registry.Provide(r, withCtx)
			},
			want: []string{"ctx"},
			check: func(t *testing.T) {
				if withCtx.got == nil || withCtx.got.Value(ctxKey{}) != "marker" {
					t.Errorf("Close got ctx %v, want the one given to Registry.Close", withCtx.got)
				}
			},
		},
		{
			name: "io.Closer as interface",
			provide: func(r *registry.Registry, log *closeLog) error {
				return registry.Provide[io.Closer](r, &plainCloser{name: "iface", log: log})
			},
			want: []string{"iface"},
		},
		{
			name: "lazy Close(ctx)",
			provide: func(r *registry.Registry, log *closeLog) error {
				err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*ctxCloser, error) {
					return &ctxCloser{name: "lazy", log: log}, nil
				})
				_, rerr := registry.Resolve[*ctxCloser](ctx, r)
				return errors.Join(err, rerr)
			},
			want: []string{"lazy"},
		},
		{
			name:    "not a closer",
			provide: func(r *registry.Registry, _ *closeLog) error { return registry.Provide(r, strings.NewReader("x")) },
		},
		{
			name:    "nil interface",
			provide: func(r *registry.Registry, _ *closeLog) error { return registry.Provide[io.Closer](r, nil) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := registry.New()
			log := &closeLog{}
			if err := tt.provide(r, log); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if got := log.get(); !slices.Equal(got, tt.want) {
				t.Errorf("closed %v, want %v", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
}

func TestAfterCloseEverythingFails(t *testing.T) {
	ctx := context.Background()
	r := registry.New()
	factory := func(context.Context, *registry.Registry) (*A, error) { return &A{}, nil }
	err := errors.Join(registry.Provide(r, &DB{}), registry.ProvideFunc(r, factory),
		registry.ProvideFunc(r, factory, registry.Named("transient"), registry.Transient()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := registry.Resolve[*A](ctx, r, registry.Named("transient")); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		msg  string
	}{
		{name: "Provide", call: func() error { return registry.Provide(r, &C{}) }, msg: "registry: closed: providing *registry_test.C"},
		{name: "ProvideFunc", call: func() error { return registry.ProvideFunc(r, factory, registry.Named("x")) }},
		{name: "Resolve provided", call: func() error { return resolveErr[*DB](ctx, r) }, msg: "registry: closed: resolving *registry_test.DB"},
		{name: "Resolve unbuilt", call: func() error { return resolveErr[*A](ctx, r) }},
		{name: "Resolve transient", call: func() error {
			_, err := registry.Resolve[*A](ctx, r, registry.Named("transient"))
			return err
		}},
		{name: "Resolve missing", call: func() error { return resolveErr[*X](ctx, r) }},
		{name: "ResolveFrom", call: func() error { _, err := registry.ResolveFrom[*DB](registry.NewContext(ctx, r)); return err }},
		{name: "Close again", call: func() error {
			if err := r.Close(ctx); err != nil {
				return err
			}
			return registry.ErrClosed
		}},
	}
	for _, tt := range tests {
		err := tt.call()
		if !errors.Is(err, registry.ErrClosed) {
			t.Errorf("%s after Close: err = %v, want ErrClosed", tt.name, err)
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("%s after Close: message = %q, want %q", tt.name, err, tt.msg)
		}
	}
	if err := (*registry.Registry)(nil).Close(ctx); err != nil {
		t.Errorf("nil Registry Close = %v, want nil", err)
	}
}

// TestCloseDuringBuildClosesTheBuiltValue starts Close while a build and a
// waiter are in flight: the build must close what it made and fail with
// ErrClosed, and so must the waiter.
func TestCloseDuringBuildClosesTheBuiltValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New()
		log := &closeLog{}
		release := make(chan struct{})
		err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*plainCloser, error) {
			<-release
			return &plainCloser{name: "late", log: log, err: errBoom}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		wg.Go(func() { _, errs[0] = registry.Resolve[*plainCloser](context.Background(), r) })
		synctest.Wait()
		wg.Go(func() { _, errs[1] = registry.Resolve[*plainCloser](context.Background(), r) })
		synctest.Wait()
		if err := r.Close(context.Background()); err != nil {
			t.Fatalf("Close = %v, want nil (nothing built yet)", err)
		}
		close(release)
		wg.Wait()
		if got := log.get(); !slices.Equal(got, []string{"late"}) {
			t.Errorf("closed %v, want [late]", got)
		}
		if !errors.Is(errs[0], registry.ErrClosed) || !errors.Is(errs[0], errBoom) {
			t.Errorf("builder err = %v, want ErrClosed joined with the close error", errs[0])
		}
		if !errors.Is(errs[1], registry.ErrClosed) {
			t.Errorf("waiter err = %v, want ErrClosed", errs[1])
		}
	})
}

// TestCloseRacingBuildsLeaksNothing races Close with many first builds on
// real goroutines: every value built is closed exactly once, and every
// Resolve either returns it or fails with ErrClosed.
func TestCloseRacingBuildsLeaksNothing(t *testing.T) {
	const services, resolvers = 8, 4
	for round := range 20 {
		r := registry.New()
		var built, closed atomic.Int64
		for i := range services {
			err := registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*countCloser, error) {
				built.Add(1)
				return &countCloser{closed: &closed}, nil
			}, registry.Named(fmt.Sprint(i)))
			if err != nil {
				t.Fatal(err)
			}
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		var bad atomic.Value
		for i := range services * resolvers {
			wg.Go(func() {
				<-start
				_, err := registry.Resolve[*countCloser](context.Background(), r, registry.Named(fmt.Sprint(i%services)))
				if err != nil && !errors.Is(err, registry.ErrClosed) {
					bad.Store(err)
				}
			})
		}
		wg.Go(func() {
			<-start
			if err := r.Close(context.Background()); err != nil {
				bad.Store(err)
			}
		})
		close(start)
		wg.Wait()
		if err := bad.Load(); err != nil {
			t.Fatalf("round %d: unexpected error %v", round, err)
		}
		if b, c := built.Load(), closed.Load(); b != c || b > services {
			t.Fatalf("round %d: built %d, closed %d; want equal and at most %d", round, b, c, services)
		}
	}
}

type countCloser struct{ closed *atomic.Int64 }

func (c *countCloser) Close() error {
	c.closed.Add(1)
	return nil
}
