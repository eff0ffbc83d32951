package retry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

// newBreaker returns a breaker for c, failing the test on error, and a
// function returning the state changes seen so far.
func newBreaker(t *testing.T, c retry.BreakerConfig) (*retry.Breaker, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var changes []string
	c.OnStateChange = func(from, to retry.BreakerState) {
		mu.Lock()
		changes = append(changes, from.String()+">"+to.String())
		mu.Unlock()
	}
	b, err := retry.NewBreaker(c)
	if err != nil {
		t.Fatalf("NewBreaker(%+v): %v", c, err)
	}
	return b, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(changes)
	}
}

// call makes one call through b that returns err, failing the test if b
// rejects it.
func call(t *testing.T, b *retry.Breaker, err error) {
	t.Helper()
	done, aerr := b.Allow()
	if aerr != nil {
		t.Fatalf("Allow() = %v in state %v, want it allowed", aerr, b.State())
	}
	done(err)
}

// trip opens b with failures, failing the test if that takes more than n.
func trip(t *testing.T, b *retry.Breaker, n int) {
	t.Helper()
	for range n {
		call(t, b, errBoom)
		if b.State() == retry.Open {
			return
		}
	}
	t.Fatalf("still %v after %d failures", b.State(), n)
}

func TestBreakerTripsAtConsecutiveFailures(t *testing.T) {
	tests := []struct {
		name      string
		threshold int
		want      int // failures that trip it
	}{
		{"default 5", 0, 5},
		{"one", 1, 1},
		{"three", 3, 3},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			b, changes := newBreaker(t, retry.BreakerConfig{FailureThreshold: tt.threshold})
			// A success in between restarts the run.
			for range tt.want - 1 {
				call(t, b, errBoom)
			}
			call(t, b, nil)
			for i := 1; i < tt.want; i++ {
				call(t, b, errBoom)
				if s := b.State(); s != retry.Closed {
					t.Fatalf("%s: %v after %d consecutive failures, want closed until %d", tt.name, s, i, tt.want)
				}
			}
			call(t, b, errBoom)
			if s := b.State(); s != retry.Open {
				t.Fatalf("%s: %v after %d consecutive failures, want open", tt.name, s, tt.want)
			}
			if done, err := b.Allow(); done != nil || !errors.Is(err, retry.ErrOpen) {
				t.Errorf("%s: open Allow() = %v, %v; want nil, ErrOpen", tt.name, done != nil, err)
			}
			if got := changes(); !slices.Equal(got, []string{"closed>open"}) {
				t.Errorf("%s: state changes %v, want [closed>open]", tt.name, got)
			}
		})
	}
}

func TestBreakerTripsOnFailureRatio(t *testing.T) {
	type step struct {
		wait    time.Duration // before the results
		ok, bad int
	}
	cfg := retry.BreakerConfig{FailureThreshold: -1, FailureRatio: 0.5, MinRequests: 10, Window: 10 * time.Second, Buckets: 10}
	tests := []struct {
		name     string
		steps    []step
		wantOpen bool
	}{
		{"below min requests", []step{{0, 0, 9}}, false},
		{"min requests reached", []step{{0, 0, 10}}, true},
		{"ratio below", []step{{0, 6, 4}, {0, 6, 4}}, false},
		{"ratio reached", []step{{0, 5, 4}, {0, 0, 1}}, true},
		{"old results leave the window", []step{{0, 0, 9}, {11 * time.Second, 5, 0}, {0, 0, 4}}, false},
		{"results inside the window count", []step{{0, 0, 9}, {8 * time.Second, 0, 1}}, true},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			b, _ := newBreaker(t, cfg)
			for _, s := range tt.steps {
				time.Sleep(s.wait)
				for range s.ok {
					call(t, b, nil)
				}
				for range s.bad {
					call(t, b, errBoom)
				}
			}
			if got := b.State() == retry.Open; got != tt.wantOpen {
				t.Errorf("%s: open = %v (counts %+v), want %v", tt.name, got, b.Counts(), tt.wantOpen)
			}
		})
	}
}

func TestBreakerCountsWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newBreaker(t, retry.BreakerConfig{FailureThreshold: 100, Window: 4 * time.Second, Buckets: 4})
		call(t, b, nil)
		call(t, b, errBoom)
		time.Sleep(2 * time.Second)
		call(t, b, errBoom)
		want := retry.Counts{Requests: 3, Successes: 1, Failures: 2, ConsecutiveFailures: 2}
		if got := b.Counts(); got != want {
			t.Errorf("Counts() = %+v, want %+v", got, want)
		}
		time.Sleep(2 * time.Second) // the first bucket leaves the window
		want = retry.Counts{Requests: 1, Failures: 1, ConsecutiveFailures: 2}
		if got := b.Counts(); got != want {
			t.Errorf("4s later, Counts() = %+v, want %+v", got, want)
		}
	})
}

func TestBreakerHalfOpensAfterTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, changes := newBreaker(t, retry.BreakerConfig{FailureThreshold: 1, OpenTimeout: time.Minute})
		trip(t, b, 1)
		time.Sleep(time.Minute - time.Nanosecond)
		if _, err := b.Allow(); !errors.Is(err, retry.ErrOpen) || b.State() != retry.Open {
			t.Fatalf("1ns before OpenTimeout: Allow() = %v, state %v; want ErrOpen, open", err, b.State())
		}
		time.Sleep(time.Nanosecond)
		if s := b.State(); s != retry.HalfOpen {
			t.Fatalf("at OpenTimeout: state %v, want half-open", s)
		}
		if got := changes(); !slices.Equal(got, []string{"closed>open", "open>half-open"}) {
			t.Errorf("state changes %v, want [closed>open open>half-open]", got)
		}
	})
}

func TestBreakerProbeLimitUnderConcurrency(t *testing.T) {
	for _, probes := range []int{1, 3, 7} {
		synctest.Test(t, func(t *testing.T) {
			b, _ := newBreaker(t, retry.BreakerConfig{FailureThreshold: 1, OpenTimeout: time.Second, HalfOpenProbes: probes, SuccessThreshold: 100})
			trip(t, b, 1)
			time.Sleep(time.Second)
			start := make(chan struct{})
			var allowed, rejected atomic.Int32
			var wg sync.WaitGroup
			dones := make(chan func(error), 50)
			for range 50 {
				wg.Go(func() {
					<-start
					done, err := b.Allow()
					switch {
					case err == nil:
						allowed.Add(1)
						dones <- done
					case errors.Is(err, retry.ErrOpen) && strings.Contains(err.Error(), "half-open"):
						rejected.Add(1)
					default:
						t.Errorf("Allow() = %v, want nil or the half-open ErrOpen", err)
					}
				})
			}
			close(start)
			wg.Wait()
			if allowed.Load() != int32(probes) || rejected.Load() != int32(50-probes) {
				t.Fatalf("HalfOpenProbes %d: %d allowed, %d rejected of 50; want exactly %d allowed", probes, allowed.Load(), rejected.Load(), probes)
			}
			// A finished probe frees its slot for exactly one more.
			(<-dones)(nil)
			if _, err := b.Allow(); err != nil {
				t.Errorf("HalfOpenProbes %d: Allow() = %v after a probe finished, want its slot", probes, err)
			}
			if _, err := b.Allow(); err == nil {
				t.Errorf("HalfOpenProbes %d: a slot freed once was taken twice", probes)
			}
		})
	}
}

func TestBreakerHalfOpenOutcome(t *testing.T) {
	tests := []struct {
		name      string
		successes int
		results   []error
		want      retry.BreakerState
		changes   []string
	}{
		{"failure reopens", 1, []error{errBoom}, retry.Open, []string{"closed>open", "open>half-open", "half-open>open"}},
		{"success closes", 1, []error{nil}, retry.Closed, []string{"closed>open", "open>half-open", "half-open>closed"}},
		{"needs three successes", 3, []error{nil, nil}, retry.HalfOpen, []string{"closed>open", "open>half-open"}},
		{"three successes close", 3, []error{nil, nil, nil}, retry.Closed, []string{"closed>open", "open>half-open", "half-open>closed"}},
		{"late failure reopens", 3, []error{nil, nil, errBoom}, retry.Open, []string{"closed>open", "open>half-open", "half-open>open"}},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			b, changes := newBreaker(t, retry.BreakerConfig{FailureThreshold: 1, OpenTimeout: time.Second, SuccessThreshold: tt.successes})
			trip(t, b, 1)
			time.Sleep(time.Second)
			for _, err := range tt.results {
				call(t, b, err)
			}
			if s := b.State(); s != tt.want || !slices.Equal(changes(), tt.changes) {
				t.Errorf("%s: state %v after %v, changes %v; want %v, %v", tt.name, s, tt.results, changes(), tt.want, tt.changes)
			}
			if tt.want == retry.Open {
				time.Sleep(time.Second - time.Nanosecond)
				if s := b.State(); s != retry.Open {
					t.Errorf("%s: reopened breaker is %v before a new OpenTimeout, want open", tt.name, s)
				}
			}
		})
	}
}

func TestBreakerIgnoresResultsFromAnEarlierState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, changes := newBreaker(t, retry.BreakerConfig{FailureThreshold: 2, OpenTimeout: time.Second})
		oldOK, _ := b.Allow()
		oldBad, _ := b.Allow()
		trip(t, b, 2)
		time.Sleep(time.Second)
		probe, err := b.Allow()
		if err != nil {
			t.Fatalf("probe Allow() = %v", err)
		}
		oldOK(nil) // allowed while closed: must not close the half-open breaker
		oldBad(errBoom)
		if s, c := b.State(), b.Counts(); s != retry.HalfOpen || c != (retry.Counts{}) {
			t.Fatalf("after stale results: state %v, counts %+v; want half-open with zero counts", s, c)
		}
		if _, err := b.Allow(); err == nil {
			t.Fatalf("stale results freed the probe slot")
		}
		probe(nil)
		if s := b.State(); s != retry.Closed || !slices.Equal(changes(), []string{"closed>open", "open>half-open", "half-open>closed"}) {
			t.Errorf("state %v, changes %v; want closed after the real probe", s, changes())
		}
	})
}

func TestBreakerOnStateChangeMayCallBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *retry.Breaker
		var seen []string
		b, _ = retry.NewBreaker(retry.BreakerConfig{FailureThreshold: 1, OpenTimeout: time.Second,
			OnStateChange: func(from, to retry.BreakerState) {
				seen = append(seen, fmt.Sprintf("%v>%v (State %v)", from, to, b.State()))
			}})
		trip(t, b, 1)
		want := []string{"closed>open (State open)"}
		if !slices.Equal(seen, want) {
			t.Errorf("hook saw %v, want %v", seen, want)
		}
	})
}

func TestBreakerSlowHookKeepsOrderAndBlocksNoOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		var mu sync.Mutex
		var seen []string
		b, _ := retry.NewBreaker(retry.BreakerConfig{FailureThreshold: 1, OpenTimeout: time.Second,
			OnStateChange: func(from, to retry.BreakerState) {
				if len(seen) == 0 {
					close(entered)
					<-release
				}
				mu.Lock()
				seen = append(seen, from.String()+">"+to.String())
				mu.Unlock()
			}})
		go func() { // trips the breaker, then sits in the hook
			done, _ := b.Allow()
			done(errBoom)
		}()
		<-entered
		// Two more changes while the first is still being delivered; this
		// goroutine must not wait for the hook.
		time.Sleep(time.Second)
		probe, err := b.Allow()
		if err != nil {
			t.Fatalf("probe Allow() = %v", err)
		}
		probe(errBoom)
		if s := b.State(); s != retry.Open {
			t.Fatalf("state %v, want open", s)
		}
		close(release)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if want := []string{"closed>open", "open>half-open", "half-open>open"}; !slices.Equal(seen, want) {
			t.Errorf("hook saw %v, want %v in order", seen, want)
		}
	})
}

func TestBreakerOnStateChangePanicKeepsDelivering(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen []string
		b, _ := retry.NewBreaker(retry.BreakerConfig{FailureThreshold: 1, OpenTimeout: time.Second,
			OnStateChange: func(from, to retry.BreakerState) {
				seen = append(seen, to.String())
				if to == retry.Open {
					panic("hook")
				}
			}})
		func() {
			defer func() {
				if r := recover(); r != "hook" {
					t.Errorf("recovered %v, want the hook's panic", r)
				}
			}()
			done, _ := b.Allow()
			done(errBoom)
		}()
		time.Sleep(time.Second)
		b.State()
		if !slices.Equal(seen, []string{"open", "half-open"}) {
			t.Errorf("hook saw %v, want [open half-open]", seen)
		}
	})
}

func TestBreakerDo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newBreaker(t, retry.BreakerConfig{FailureThreshold: 2})
		if err := b.Do(t.Context(), func(context.Context) error { return errBoom }); err != errBoom {
			t.Errorf("Do = %v, want fn's error", err)
		}
		ended, cancel := context.WithCancel(t.Context())
		cancel()
		ran := false
		if err := b.Do(ended, func(context.Context) error { ran = true; return nil }); err != context.Canceled || ran {
			t.Errorf("Do with an ended ctx = %v, ran %v; want context.Canceled without running", err, ran)
		}
		func() {
			defer func() { _ = recover() }()
			_ = b.Do(t.Context(), func(context.Context) error { panic("boom") })
		}()
		if s := b.State(); s != retry.Open {
			t.Errorf("after a failure and a panic: %v, want open (a panic counts as a failure)", s)
		}
		if err := b.Do(t.Context(), func(context.Context) error { ran = true; return nil }); !errors.Is(err, retry.ErrOpen) || ran {
			t.Errorf("open Do = %v, ran %v; want ErrOpen without running", err, ran)
		}
	})
}

func TestBreakerIsFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newBreaker(t, retry.BreakerConfig{FailureThreshold: 1,
			IsFailure: func(err error) bool { return err != nil && !errors.Is(err, context.Canceled) }})
		call(t, b, context.Canceled)
		if c := b.Counts(); b.State() != retry.Closed || c.Successes != 1 {
			t.Errorf("a non-failure error gave state %v, counts %+v; want closed with 1 success", b.State(), c)
		}
		call(t, b, errBoom)
		if s := b.State(); s != retry.Open {
			t.Errorf("state %v after a failure, want open", s)
		}
	})
}

func TestBreakerZeroValueUsesDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b retry.Breaker
		for i := range 4 {
			call(t, &b, errBoom)
			if b.State() != retry.Closed {
				t.Fatalf("zero Breaker opened after %d failures, want 5", i+1)
			}
		}
		call(t, &b, errBoom)
		time.Sleep(30*time.Second - time.Nanosecond)
		if s := b.State(); s != retry.Open {
			t.Fatalf("zero Breaker: %v 1ns before 30s, want open", s)
		}
		time.Sleep(time.Nanosecond)
		if s := b.State(); s != retry.HalfOpen {
			t.Errorf("zero Breaker: %v after 30s, want half-open", s)
		}
	})
}

func TestBreakerHammeredStaysConsistent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var changes []string
		b, err := retry.NewBreaker(retry.BreakerConfig{
			FailureThreshold: 4, FailureRatio: 0.6, MinRequests: 8, Window: time.Second, Buckets: 4,
			OpenTimeout: 50 * time.Millisecond, HalfOpenProbes: 3, SuccessThreshold: 2,
			OnStateChange: func(from, to retry.BreakerState) {
				mu.Lock()
				changes = append(changes, from.String()+">"+to.String())
				mu.Unlock()
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				for i := range 300 {
					done, err := b.Allow()
					if err != nil {
						if !errors.Is(err, retry.ErrOpen) {
							t.Errorf("Allow() = %v", err)
						}
						time.Sleep(10 * time.Millisecond)
						continue
					}
					time.Sleep(time.Millisecond)
					// The dependency is down for 100ms, then up for 100ms
					// with a few failures, and so on: the breaker cycles.
					var res error
					if down := time.Now().UnixMilli()/100%2 == 0; down || (g+i)%7 == 0 {
						res = errBoom
					}
					done(res)
				}
			})
		}
		wg.Wait()
		final, c := b.State(), b.Counts()
		mu.Lock()
		defer mu.Unlock()
		legal := map[string]bool{"closed>open": true, "open>half-open": true, "half-open>open": true, "half-open>closed": true}
		prev := "closed"
		for i, c := range changes {
			from, to, _ := strings.Cut(c, ">")
			if !legal[c] || from != prev {
				t.Fatalf("change %d %q is illegal or does not follow %q: %v", i, c, prev, changes)
			}
			prev = to
		}
		if prev != final.String() {
			t.Errorf("last change ends in %s, State() = %v", prev, final)
		}
		if len(changes) < 10 || !slices.Contains(changes, "half-open>closed") || !slices.Contains(changes, "half-open>open") {
			t.Errorf("only %d changes (%v): the test did not cycle through every state", len(changes), changes)
		}
		if c.Requests != c.Successes+c.Failures || c.ConsecutiveFailures > 0 && c.ConsecutiveSuccesses > 0 {
			t.Errorf("inconsistent counts %+v", c)
		}
	})
}

func BenchmarkBreakerAllow(b *testing.B) {
	br, err := retry.NewBreaker(retry.BreakerConfig{FailureRatio: 0.5})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("closed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			done, err := br.Allow()
			if err != nil {
				b.Fatal(err)
			}
			done(nil)
		}
	})
	b.Run("closed-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				done, err := br.Allow()
				if err != nil {
					b.Fatal(err)
				}
				done(nil)
			}
		})
	})
	open, _ := retry.NewBreaker(retry.BreakerConfig{FailureThreshold: 1, OpenTimeout: time.Hour})
	if done, err := open.Allow(); err == nil {
		done(errBoom)
	}
	b.Run("open-reject", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := open.Allow(); err == nil {
				b.Fatal("allowed while open")
			}
		}
	})
}
