package schedule

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// BenchmarkFire measures one firing: the heap update, the overlap check and
// the TrySubmit of a trivial run, on an entry among 100,000 waiting ones.
func BenchmarkFire(b *testing.B) {
	p, err := pool.New(runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	s := New(p)
	defer s.Close()
	nop := func(context.Context) error { return nil }
	for range 100_000 {
		s.After(time.Hour, nop)
	}
	e, err := s.Every(time.Hour, nop, AllowOverlap)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.mu.Lock()
		now := e.due
		s.fire(e, now)
		s.mu.Unlock()
	}
}
