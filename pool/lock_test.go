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
		if s := p.lockFreeShard(); s != &p.shards[free] {
			t.Fatalf("shard %d free: got another", free)
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
	go func() { got <- p.lockFreeShard() }()
	for i := range p.shards {
		p.shards[i].mu.Unlock() // whichever it waits on, it gets one
	}
	s := <-got
	if s.mu.TryLock() {
		t.Fatal("returned a shard without holding its lock")
	}
}
