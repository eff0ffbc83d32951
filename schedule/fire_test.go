package schedule

import (
	"context"
	"math"
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

// TestHeapTakeDue checks the bulk take of a burst: below a sixteenth due
// (or in a small heap) it changes nothing; above, it returns exactly the
// live due slots in firing order, drops the stale ones, and leaves a valid
// heap of the rest. Compact of a heap with no live slot leaves it empty.
func TestHeapTakeDue(t *testing.T) {
	build := func(n int, key func(i int) int64, stale func(i int) bool) entryHeap {
		var h entryHeap
		for i := range n {
			e := &Entry{id: uint64(i + 1), index: int32(i)}
			h.push(e, key(i), e.index)
			if stale(i) {
				e.index = -1
			}
		}
		return h
	}
	never := func(int) bool { return false }
	tests := []struct {
		name      string
		n         int
		key       func(int) int64
		stale     func(int) bool
		now       int64
		wantOK    bool
		wantDue   int
		wantStale int
	}{
		{"small heap", 1000, func(int) int64 { return 0 }, never, 0, false, 0, 0},
		{"few due", 10_000, func(i int) int64 { return int64(i) }, never, 100, false, 0, 0},
		{"all due at one instant", 10_000, func(int) int64 { return 5 }, never, 5, true, 10_000, 0},
		{"half due, some stale", 10_000, func(i int) int64 { return int64(i % 2) }, func(i int) bool { return i%10 == 0 }, 0, true, 4000, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := build(tt.n, tt.key, tt.stale)
			due, stale, ok := h.takeDue(tt.now, nil)
			if ok != tt.wantOK || len(due) != tt.wantDue || stale != tt.wantStale {
				t.Fatalf("takeDue = %d due, %d stale, %v; want %d, %d, %v", len(due), stale, ok, tt.wantDue, tt.wantStale, tt.wantOK)
			}
			if !ok {
				if len(h) != tt.n {
					t.Fatalf("len %d after a refused take, want %d", len(h), tt.n)
				}
				return
			}
			for i := 1; i < len(due); i++ {
				if !due[i-1].before(&due[i]) {
					t.Fatalf("due[%d] (key %d id %d) not before due[%d] (key %d id %d)", i-1, due[i-1].key, due[i-1].e.id, i, due[i].key, due[i].e.id)
				}
			}
			for _, sl := range due {
				if sl.key > tt.now || !sl.live() {
					t.Fatalf("took key %d live %v at now %d", sl.key, sl.live(), tt.now)
				}
			}
			last := int64(math.MinInt64)
			for len(h) > 0 {
				if h[0].key <= tt.now || h[0].key < last {
					t.Fatalf("left key %d after %d at now %d", h[0].key, last, tt.now)
				}
				last = h[0].key
				h.pop()
			}
		})
	}

	h := build(100, func(i int) int64 { return int64(i) }, func(int) bool { return true })
	h.compact()
	if len(h) != 0 {
		t.Fatalf("compact of stale slots left %d", len(h))
	}
}
