package pool_test

import (
	"context"
	"errors"
	"testing"

	"github.com/threadsystem/threadsystem/pool"
)

func TestTypedRoutesByKey(t *testing.T) {
	tp, err := pool.NewTyped([]pool.Key[string]{
		{Key: "cpu", Workers: 2},
		{Key: "io", Workers: 1, Options: []pool.Option{pool.WithQueueSize(10)}},
	}, pool.WithName("svc"))
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	// Block the only io worker: cpu jobs must not wait for it.
	gate, started := make(chan struct{}), make(chan struct{})
	io, _ := tp.Submit(context.Background(), "io", func(context.Context) error { close(started); <-gate; return nil })
	<-started
	for range 20 {
		j, err := tp.Submit(context.Background(), "cpu", nop)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if io.State() != pool.Running {
		t.Fatalf("io job %v", io.State())
	}
	close(gate)
	tp.Wait(context.Background())
	s := tp.Stats()
	if s.ByKey["cpu"].Succeeded != 20 || s.ByKey["io"].Succeeded != 1 || s.Total.Succeeded != 21 || s.Total.Workers != 3 {
		t.Fatalf("stats: cpu %+v io %+v total %+v", s.ByKey["cpu"], s.ByKey["io"], s.Total)
	}
	if p, ok := tp.Pool("io"); !ok || p.Name() != "svc/io" {
		t.Fatalf("Pool(io) = %v %v", p, ok)
	}
	if _, err := tp.Submit(context.Background(), "gpu", nop); !errors.Is(err, pool.ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}
	if err := tp.Go("gpu", func() {}); !errors.Is(err, pool.ErrUnknownKey) {
		t.Fatalf("unknown key Go: %v", err)
	}
}

// TestTypedBorrowing: a key that borrows runs on a lender's idle worker
// when its own are busy; one that does not, waits.
func TestTypedBorrowing(t *testing.T) {
	tp, err := pool.NewTyped([]pool.Key[string]{
		{Key: "cpu", Workers: 1, Borrow: true},
		{Key: "batch", Workers: 1},
		{Key: "io", Workers: 1, Lend: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	tp.Wait(context.Background()) // every worker parked: io's is idle
	cpu, _ := tp.Pool("cpu")
	release := occupy(t, cpu)
	defer release()
	j, _ := tp.Submit(context.Background(), "cpu", nop)
	if err := j.Wait(context.Background()); err != nil {
		t.Fatalf("borrowed job: %v", err)
	}
	if s := tp.Stats(); s.ByKey["io"].Succeeded != 1 {
		t.Fatalf("the borrowed job did not run on io's worker: %+v", s.ByKey["io"])
	}
	batch, _ := tp.Pool("batch")
	releaseBatch := occupy(t, batch)
	k, _ := tp.Submit(context.Background(), "batch", nop)
	if k.State() != pool.Queued {
		t.Fatalf("a key without Borrow ran elsewhere: %v", k.State())
	}
	releaseBatch()
	k.Wait(context.Background())
}

func TestNewTypedValidates(t *testing.T) {
	for _, tt := range []struct {
		name string
		keys []pool.Key[int]
	}{
		{"no keys", nil},
		{"duplicate", []pool.Key[int]{{Key: 1, Workers: 1}, {Key: 1, Workers: 1}}},
		{"zero workers", []pool.Key[int]{{Key: 1, Workers: 1}, {Key: 2, Workers: 0}}},
	} {
		if _, err := pool.NewTyped(tt.keys); !errors.Is(err, pool.ErrInvalidOption) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
