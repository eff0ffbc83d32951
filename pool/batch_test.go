package pool

import "testing"

// TestGoBatchSize: a worker taking Go funcs from the locked queue holds at
// most maxBatch-1 behind the one it runs, and no more than a quarter of
// its share of the queue, so that other workers always find work left.
func TestGoBatchSize(t *testing.T) {
	for _, tc := range []struct {
		queued, live, wantHeld int
	}{
		{1000, 1, maxBatch - 1},
		{1000, 2, maxBatch - 1},
		{200, 1, 49}, // a quarter of the 199 left behind the one it runs
		{200, 2, 24},
		{40, 4, 2},
		{3, 1, 0},
	} {
		p := &Pool{batch: maxBatch, live: tc.live, top: -1}
		lvl := Normal.level()
		for range tc.queued {
			p.levels[lvl].PushBack(funcItem(func() {}))
		}
		p.queued, p.top = tc.queued, lvl
		w := &worker{p: p}
		p.mu.Lock()
		_, ok := p.popLocked(w)
		p.mu.Unlock()
		if !ok {
			t.Fatalf("%+v: nothing popped", tc)
		}
		if w.heldN != tc.wantHeld {
			t.Errorf("queued %d, %d workers: held %d, want %d", tc.queued, tc.live, w.heldN, tc.wantHeld)
		}
		if left := p.levels[lvl].Len(); left != tc.queued-1-tc.wantHeld || p.queued != left {
			t.Errorf("queued %d, %d workers: %d left in the ring, %d counted", tc.queued, tc.live, left, p.queued)
		}
	}
}
