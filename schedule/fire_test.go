package schedule

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestMissedFirings drives fire directly with a clock that has run ahead of
// the entry, as when the process was suspended or the scheduler starved,
// which the public API cannot stage inside a bubble.
func TestMissedFirings(t *testing.T) {
	tests := []struct {
		name     string
		cron     bool
		policy   Misfire
		late     time.Duration // how far past the due firing the scheduler gets to it
		wantRuns int
		wantOut  Outcome
		wantNext time.Duration // after the due firing
	}{
		{"late, not missed, run once", false, MissedRunOnce, 500 * time.Millisecond, 1, None, time.Second},
		{"late, not missed, skip", false, MissedSkip, 500 * time.Millisecond, 1, None, time.Second},
		{"three missed, run once", false, MissedRunOnce, 2500 * time.Millisecond, 1, None, 3 * time.Second},
		{"three missed, skip", false, MissedSkip, 2500 * time.Millisecond, 0, Missed, 3 * time.Second},
		{"cron missed, run once", true, MissedRunOnce, 2500 * time.Millisecond, 1, None, 3 * time.Second},
		{"cron missed, skip", true, MissedSkip, 2500 * time.Millisecond, 0, Missed, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, err := pool.New(1)
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				s := New(p)
				defer s.Close()
				fn := func(context.Context) error { return nil }
				var e *Entry
				if tt.cron {
					e, err = s.Cron("* * * * * *", fn, tt.policy)
				} else {
					e, err = s.Every(time.Second, fn, tt.policy)
				}
				if err != nil {
					t.Fatal(err)
				}
				s.mu.Lock()
				due := e.due
				s.fire(e, due+int64(tt.late))
				runs, out, next := int(e.runs), e.outcome, time.Duration(e.due-due)
				s.mu.Unlock()
				synctest.Wait()
				if runs != tt.wantRuns || next != tt.wantNext {
					t.Errorf("runs %d, next firing %v after the due one; want %d, %v", runs, next, tt.wantRuns, tt.wantNext)
				}
				if tt.wantOut != None && out != tt.wantOut {
					t.Errorf("outcome %v, want %v", out, tt.wantOut)
				}
			})
		})
	}
}

// TestHeapOrder checks that the heap yields slots by key, equal keys in
// creation order (across the wrap of the 32-bit sequence too), that compact
// drops exactly the stale slots, and that the heap gives back its capacity
// as it drains.
func TestHeapOrder(t *testing.T) {
	var h entryHeap
	keys := []int64{5, 3, 9, 1, 7, 3, 8, 2, 3}
	const w = 1 << 32 // the three entries of key 3 straddle the wrap of seq
	ids := []uint64{1, w - 2, 3, 4, 5, w - 1, 7, 8, w + 1}
	es := make([]*Entry, len(keys))
	for i, k := range keys {
		es[i] = &Entry{id: ids[i], index: int32(i)}
		h.push(es[i], k, es[i].index)
	}
	es[2].index = 20 // 9 -> 0: a new slot, the old one stale
	h.push(es[2], 0, 20)
	es[4].index = -1 // 7 leaves
	h.compact()
	if len(h) != len(keys)-1 {
		t.Fatalf("compact left %d slots, want %d", len(h), len(keys)-1)
	}
	var got []int64
	var gotIDs []uint64
	for len(h) > 0 {
		got = append(got, h[0].key)
		gotIDs = append(gotIDs, h[0].e.id)
		h.pop()
	}
	want := []int64{0, 1, 2, 3, 3, 3, 5, 8}
	wantIDs := []uint64{3, 4, 8, w - 2, w - 1, w + 1, 1, 7}
	if !slices.Equal(got, want) || !slices.Equal(gotIDs, wantIDs) {
		t.Fatalf("keys %v ids %v, want %v %v", got, gotIDs, want, wantIDs)
	}

	for i := range 100_000 {
		h.push(&Entry{id: uint64(i)}, int64(i), 0)
	}
	for len(h) > 0 {
		h.pop()
	}
	if c := cap(h); c > heapReserve {
		t.Errorf("cap %d after draining 100,000 entries, want at most %d", c, heapReserve)
	}
}
