package schedule

import (
	"context"
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

func TestHeapOrder(t *testing.T) {
	var h entryHeap
	keys := []int64{5, 3, 9, 1, 7, 3, 8, 2}
	es := make([]*Entry, len(keys))
	for i, k := range keys {
		es[i] = &Entry{key: k, id: uint64(i + 1), index: -1}
		h.push(es[i])
	}
	es[2].key = 0 // 9 -> 0
	h.fix(es[2])
	h.remove(es[4]) // 7
	var got []int64
	for len(h) > 0 {
		got = append(got, h[0].key)
		h.remove(h[0])
	}
	want := []int64{0, 1, 2, 3, 3, 5, 8}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
