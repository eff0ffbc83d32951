package pool_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// offsetMax is the longest wait or run a Job keeps as an offset in its span
// word; one nanosecond more is kept whole in its run state.
const offsetMax = 1<<32 - 3

// TestTimingIsExact: Timing gives back a job's queue wait and run time to
// the nanosecond, whether they fit the span word's 32-bit offsets or are
// kept whole beside it, for a job that ran, one cancelled while queued, one
// cancelled while pending (never queued), and a retried one, whose times
// are its last attempt's.
func TestTimingIsExact(t *testing.T) {
	errOnce := errors.New("first attempt fails")
	for _, tc := range []struct {
		name      string
		how       string // "run", "cancel queued", "cancel pending", "retry"
		wait, run time.Duration
	}{
		{"at once", "run", 0, 0},
		{"short", "run", time.Millisecond, 3 * time.Millisecond},
		{"longest offsets", "run", offsetMax, offsetMax},
		{"wait past the offset", "run", offsetMax + 1, time.Millisecond},
		{"run past the offset", "run", time.Millisecond, offsetMax + 1},
		{"hours", "run", time.Hour, 2 * time.Hour},
		{"cancelled while queued", "cancel queued", time.Millisecond, 0},
		{"cancelled while queued long", "cancel queued", time.Hour, 0},
		{"cancelled while pending", "cancel pending", time.Millisecond, 0},
		{"retried", "retry", time.Second, time.Millisecond},
		{"retried, long run", "retry", time.Second, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, _ := pool.New(1)
				defer p.Close()
				t0 := time.Now()
				gate := make(chan struct{})
				var opts []pool.JobOption
				switch tc.how {
				case "run":
					p.Go(func() { time.Sleep(tc.wait) })
				case "cancel queued":
					p.Go(func() { <-gate })
				case "cancel pending":
					dep, _ := p.Submit(context.Background(), func(context.Context) error { <-gate; return nil })
					opts = append(opts, pool.After(dep))
				case "retry":
					opts = append(opts, pool.WithRetry(retry.Policy{MaxAttempts: 2, InitialDelay: tc.wait}))
				}
				attempts := 0
				j, err := p.Submit(context.Background(), func(context.Context) error {
					if attempts++; tc.how == "retry" && attempts == 1 {
						time.Sleep(tc.run)
						return errOnce
					}
					time.Sleep(tc.run)
					return nil
				}, opts...)
				if err != nil {
					t.Fatal(err)
				}
				if tc.how == "cancel queued" || tc.how == "cancel pending" {
					time.Sleep(tc.wait)
					j.Cancel()
					close(gate)
				}
				j.Wait(context.Background())
				q, s, f := j.Timing()

				var wantQ, wantS, wantF time.Time
				switch tc.how {
				case "run":
					wantQ, wantS, wantF = t0, t0.Add(tc.wait), t0.Add(tc.wait+tc.run)
				case "cancel queued":
					wantQ, wantF = t0, t0.Add(tc.wait)
				case "cancel pending":
					wantF = t0.Add(tc.wait)
				case "retry":
					// The first attempt runs tc.run, fails, and waits
					// tc.wait to be queued again.
					again := t0.Add(tc.run + tc.wait)
					wantQ, wantS, wantF = again, again, again.Add(tc.run)
				}
				if !q.Equal(wantQ) || !s.Equal(wantS) || !f.Equal(wantF) {
					t.Fatalf("Timing = %v, %v, %v\nwant       %v, %v, %v", q, s, f, wantQ, wantS, wantF)
				}
			})
		})
	}
}
