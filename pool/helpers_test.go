package pool_test

import (
	"context"
	"testing"

	"github.com/threadsystem/threadsystem/pool"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newPool makes a pool and closes it when the test ends.
func newPool(t testing.TB, workers int, opts ...pool.Option) *pool.Pool {
	t.Helper()
	p, err := pool.New(workers, opts...)
	if err != nil {
		t.Fatalf("New(%d): %v", workers, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// occupy fills every worker of p with a job that blocks until the returned
// release func is called, and waits until all of them are running.
func occupy(t testing.TB, p *pool.Pool) (release func()) {
	t.Helper()
	gate := make(chan struct{})
	running := make(chan struct{}, p.Workers())
	for range p.Workers() {
		if _, err := p.Submit(context.Background(), func(context.Context) error {
			running <- struct{}{}
			<-gate
			return nil
		}, pool.WithPriority(pool.Highest)); err != nil {
			t.Fatalf("occupy: %v", err)
		}
	}
	for range p.Workers() {
		<-running
	}
	var released bool
	return func() {
		if !released {
			released = true
			close(gate)
		}
	}
}

// reconcile checks the Stats invariant of an idle or closed pool.
func reconcile(t testing.TB, p *pool.Pool) pool.Stats {
	t.Helper()
	s := p.Stats()
	sum := uint64(s.Pending) + uint64(s.Queued) + uint64(s.Running) + s.Succeeded + s.Failed + s.Cancelled + s.Skipped
	if s.Submitted != sum {
		t.Fatalf("Stats do not reconcile: submitted %d != pending %d + queued %d + running %d + succeeded %d + failed %d + cancelled %d + skipped %d",
			s.Submitted, s.Pending, s.Queued, s.Running, s.Succeeded, s.Failed, s.Cancelled, s.Skipped)
	}
	return s
}
