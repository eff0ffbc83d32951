package pool

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// waitHooks fails t, rather than hang, if hooks that should have run have
// not: a lost hook would otherwise leave the test waiting forever.
func waitHooks(t *testing.T, hooked *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() { hooked.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a completion hook never ran")
	}
}

// gatedJob submits a job to p that ends with err once gate closes.
func gatedJob(t *testing.T, p *Pool, gate chan struct{}, err error) *Job {
	t.Helper()
	j, serr := p.Submit(context.Background(), func(context.Context) error {
		<-gate
		return err
	})
	if serr != nil {
		t.Fatal(serr)
	}
	return j
}

// TestJobOutcome: a job's Done channel is the same before and after it
// ends, is closed once it has, and its error and hooks survive its waiters
// and outcome sharing one word.
func TestJobOutcome(t *testing.T) {
	errOdd := errors.New("odd")
	for _, tc := range []struct {
		name       string
		err        error
		doneBefore bool // ask for Done before the job ends
	}{
		{"success, Done after", nil, false},
		{"success, Done before", nil, true},
		{"common error, Done after", context.Canceled, false},
		{"common error, Done before", context.Canceled, true},
		{"other error, Done after", errOdd, false},
		{"other error, Done before", errOdd, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := New(1)
			defer p.Close()
			gate := make(chan struct{})
			j := gatedJob(t, p, gate, tc.err)
			// Hooks run on the goroutine that ends the job, after Done
			// closes: hooked counts them.
			var (
				order  []int
				hooked sync.WaitGroup
			)
			hook := func(n int) {
				hooked.Add(1)
				j.whenDone(func(*Job) { order = append(order, n); hooked.Done() })
			}
			hook(1)
			var before <-chan struct{}
			if tc.doneBefore {
				before = j.Done()
				if j.Done() != before {
					t.Fatal("Done returned two channels before the end")
				}
			}
			hook(2)
			close(gate)
			if err := j.Wait(context.Background()); !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("Wait = %v, want %v", err, tc.err)
			}
			after := j.Done()
			if tc.doneBefore && after != before {
				t.Fatal("Done returned another channel after the end")
			}
			select {
			case <-after:
			default:
				t.Fatal("Done not closed after the end")
			}
			if err := j.Err(); !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("Err = %v, want %v", err, tc.err)
			}
			waitHooks(t, &hooked)
			hook(3) // at once
			if len(order) != 3 || order[0] != 1 || order[1] != 2 || order[2] != 3 {
				t.Fatalf("hooks ran as %v, want [1 2 3]", order)
			}
		})
	}
}

// TestJobOutcomeRace: waiters registering while the job ends each see it
// end exactly once, on one Done channel.
func TestJobOutcomeRace(t *testing.T) {
	p, _ := New(2)
	defer p.Close()
	for range 200 {
		gate := make(chan struct{})
		j := gatedJob(t, p, gate, nil)
		const waiters = 8
		var (
			wg     sync.WaitGroup
			hooked sync.WaitGroup // each hook, wherever it runs
			mu     sync.Mutex
			ran    int
			chans  = map[<-chan struct{}]bool{}
		)
		hooked.Add(waiters)
		for range waiters {
			wg.Go(func() {
				j.whenDone(func(*Job) {
					mu.Lock()
					ran++
					mu.Unlock()
					hooked.Done()
				})
				c := j.Done()
				<-c
				mu.Lock()
				chans[c] = true
				mu.Unlock()
			})
		}
		close(gate)
		wg.Wait()
		waitHooks(t, &hooked)
		j.whenDone(func(*Job) { ran++ }) // ended: runs here, at once
		if ran != waiters+1 {
			t.Fatalf("%d hooks ran, want %d", ran, waiters+1)
		}
		if len(chans) != 1 {
			t.Fatalf("waiters got %d Done channels, want 1", len(chans))
		}
	}
}
