package schedule

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestClosedPoolRefusesACollectedChunk: a chunk of runs the loop collected
// and the pool, closed meanwhile, refuses is undone run by run: each entry
// records Rejected with pool.ErrClosed, counts no run and ends.
func TestClosedPoolRefusesACollectedChunk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(1)
		if err != nil {
			t.Fatal(err)
		}
		s := New(p)
		defer s.Close()
		ran := false
		fn := func(context.Context) error { ran = true; return nil }
		es := make([]*Entry, 5)
		for i := range es {
			if es[i], err = s.After(time.Hour, fn); err != nil {
				t.Fatal(err)
			}
		}
		s.lock()
		now := es[len(es)-1].due
		s.beginPass(len(es))
		for _, e := range es {
			s.unheap(e) // as the loop takes it out
			s.fire(e, now)
		}
		if s.pend == nil || len(s.pend.runs) != len(es) {
			t.Fatalf("pass collected %v, want one chunk of %d", s.pend, len(es))
		}
		p.Close()
		s.endPass(now)
		s.unlock()
		for i, e := range es {
			if !isEnded(e) || e.Outcome() != Rejected || !errors.Is(e.LastErr(), pool.ErrClosed) || e.Runs() != 0 || !e.LastRun().IsZero() {
				t.Errorf("entry %d: ended %v Outcome %v LastErr %v Runs %d LastRun %v; want ended, rejected, ErrClosed, 0, zero",
					i, isEnded(e), e.Outcome(), e.LastErr(), e.Runs(), e.LastRun())
			}
		}
		if s.Len() != 0 || ran {
			t.Errorf("Len %d, ran %v; want 0, false", s.Len(), ran)
		}
	})
}

func isEnded(e *Entry) bool {
	select {
	case <-e.Done():
		return true
	default:
		return false
	}
}
