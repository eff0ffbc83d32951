package pool

import (
	"sync"
	"testing"
)

// TestLockSubmitExcludes: a submit's locking (TryLock, then lockSubmit),
// spinning or not, gives the lock to one goroutine at a time against other
// submitters and a worker taking it plainly, and leaves no submitter
// counted as waiting.
func TestLockSubmitExcludes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		spin       bool
		submitters int
	}{
		{"one submitter spins", true, 1},
		{"many submitters", true, 8},
		{"no spinning", false, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pool{spinSubmit: tc.spin}
			const rounds = 2000
			inside, total := 0, 0
			var wg sync.WaitGroup
			enter := func() {
				inside++
				if inside != 1 {
					t.Errorf("%d goroutines hold the lock", inside)
				}
				total++
				inside--
			}
			for range tc.submitters {
				wg.Go(func() {
					for range rounds {
						if !p.mu.TryLock() {
							p.lockSubmit()
						}
						enter()
						p.mu.Unlock()
					}
				})
			}
			wg.Go(func() { // a worker
				for range rounds {
					p.mu.Lock()
					enter()
					p.mu.Unlock()
				}
			})
			wg.Wait()
			if want := (tc.submitters + 1) * rounds; total != want {
				t.Fatalf("%d entries, want %d", total, want)
			}
			if n := p.subWait.Load(); n != 0 {
				t.Fatalf("%d submitters still counted as waiting", n)
			}
		})
	}
}

// TestLockFreeShard: a submit that finds its shard busy takes the shard
// that is free, whichever it is, and waits on a lock only when none is;
// it always returns holding the lock of the shard it returns.
func TestLockFreeShard(t *testing.T) {
	for free := range 4 {
		p := &Pool{shards: make([]shard, 4)}
		for i := range p.shards {
			if i != free {
				p.shards[i].mu.Lock()
			}
		}
		if s, k := p.lockFreeShard(); s != &p.shards[free] || k != uint32(free) {
			t.Fatalf("shard %d free: got shard %d", free, k)
		}
		if p.shards[free].mu.TryLock() {
			t.Fatalf("shard %d returned unlocked", free)
		}
	}

	p := &Pool{shards: make([]shard, 4)}
	for i := range p.shards {
		p.shards[i].mu.Lock()
	}
	got := make(chan *shard)
	go func() {
		s, k := p.lockFreeShard()
		if s != &p.shards[k] {
			s = nil // the index must name the shard returned
		}
		got <- s
	}()
	for i := range p.shards {
		p.shards[i].mu.Unlock() // whichever it waits on, it gets one
	}
	s := <-got
	if s == nil {
		t.Fatal("returned an index that names another shard")
	}
	if s.mu.TryLock() {
		t.Fatal("returned a shard without holding its lock")
	}
}

// TestPushShardBusyShard: a submit whose shard is held goes to a free one;
// the run moves there when a worker holds the busy shard (it is taking
// each func as it lands), and stays when another submitter does.
func TestPushShardBusyShard(t *testing.T) {
	for _, tc := range []struct {
		name       string
		worker     bool
		wantCursor uint32
	}{
		{"held by a worker", true, 1},
		{"held by a submitter", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pool{shards: make([]shard, 4)}
			for i := 2; i < 4; i++ {
				p.shards[i].mu.Lock() // only shard 1 is free
			}
			busy := &p.shards[0]
			busy.mu.Lock()
			busy.draining.Store(tc.worker)
			if !p.pushShard(funcItem(func() {})) {
				t.Fatal("pushShard refused an open pool")
			}
			if n := p.shards[1].q.Len(); n != 1 {
				t.Fatalf("free shard holds %d items, want 1", n)
			}
			if got := p.cursor.Load(); got != tc.wantCursor {
				t.Fatalf("cursor = %d, want %d", got, tc.wantCursor)
			}
			if !p.shards[1].mu.TryLock() {
				t.Fatal("pushShard left the free shard locked")
			}
		})
	}
}

// TestGrabFromClearsDraining: a worker marks the shard as drained only
// while it holds the lock, whether it takes an item or finds the shard
// taken from since it looked.
func TestGrabFromClearsDraining(t *testing.T) {
	p := &Pool{shards: make([]shard, 1)}
	s := &p.shards[0]
	for range 3 { // one is left for the stale look (mode 99)
		p.pushShard(funcItem(func() {}))
	}
	w := &worker{p: p, batchCap: 1}
	for _, mode := range []int64{ownShard, steal, 99} {
		it, ok := w.grabFrom(s, mode)
		if want := mode != 99; ok != want || (ok && it.fn() == nil) {
			t.Fatalf("mode %d: took %v, want %v", mode, ok, want)
		}
		if s.draining.Load() {
			t.Fatalf("mode %d: draining still set after the lock was released", mode)
		}
	}
}
