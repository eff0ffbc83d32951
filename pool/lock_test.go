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
