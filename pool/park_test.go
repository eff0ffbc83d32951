package pool

import (
	"runtime"
	"testing"
	"time"
)

// TestParkWhileSpinnerLooks: an idle worker that finds Go funcs it cannot
// take (their shard is busy) parks when a spinner is counted, rather than
// loop for them against the submitter; once nobody spins, a submit's
// wake-up brings a worker to them.
func TestParkWhileSpinnerLooks(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(fastLaneProcs))
	p, err := New(2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if len(p.shards) != 2 {
		t.Fatalf("%d shards, want 2", len(p.shards))
	}
	p.oldestFirst.Store(false) // the oldest-first scan waits on a busy shard's lock
	if !eventually(func() bool { return p.nidle.Load() == 2 }) {
		t.Fatal("the workers never parked")
	}

	p.nspin.Store(1) // a spinner, as far as the others can tell
	p.mu.Lock()
	w := p.popIdleLocked()
	p.mu.Unlock()
	busy := &p.shards[(w.home+1)%2] // not w's own, whose lock it would wait on
	ran := make(chan struct{})
	busy.mu.Lock()
	busy.q.PushBack(funcItem(func() { close(ran) }))
	busy.pushed++ // as pushShard counts it, so that Stats adds up
	busy.full.Store(true)
	w.wake <- struct{}{}

	// Not Fatal: the shard must be let go for Close to finish.
	if !eventually(func() bool { return p.nidle.Load() == 2 }) {
		t.Error("the woken worker looped instead of parking")
	}
	select {
	case <-ran:
		t.Error("the func ran while its shard was held")
	default:
	}

	busy.mu.Unlock()
	p.nspin.Store(0) // the spinner stops, and a submit finds it gone
	p.wakeSpinner()
	select {
	case <-ran:
	case <-time.After(5 * time.Second): // a guard, not a wait: it runs at once
		t.Fatal("the func never ran")
	}
}

// eventually polls cond until it holds, and gives up after a guard of
// seconds: it waits on other goroutines' progress, not on time.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// TestIdleStep: a fast-lane worker with nothing to take parks, looks again
// or retires according to what is left and who looks for it.
func TestIdleStep(t *testing.T) {
	for _, tc := range []struct {
		name            string
		funcs, spinner  bool
		closed, pending bool
		want            idleStep
	}{
		{"nothing left", false, false, false, false, park},
		{"nothing left, a spinner", false, true, false, false, park},
		{"funcs, nobody spins", true, false, false, false, lookAgain},
		{"funcs, a spinner looks", true, true, false, false, park},
		{"closed with funcs, a spinner looks", true, true, true, false, lookAgain},
		{"closed with funcs", true, false, true, false, lookAgain},
		{"closed and drained", false, false, true, false, retire},
		{"closed, jobs pending", false, false, true, true, park},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pool{shards: make([]shard, 2), closed: tc.closed}
			p.shards[1].full.Store(tc.funcs)
			if tc.spinner {
				p.nspin.Store(1)
			}
			if tc.pending {
				p.pending = 1
			}
			if got := p.idleStepLocked(); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}
