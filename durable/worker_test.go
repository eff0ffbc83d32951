package durable_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/retry"
)

type email struct {
	To string `json:"to"`
}

func TestSuccessIsRecordedWithResult(t *testing.T) {
	e := newEnv(t)
	got := make(chan string, 1)
	e.worker(func(w *durable.Worker) {
		if err := durable.HandleResult(w, "greet", func(ctx context.Context, m email) (string, error) {
			info, _ := durable.FromContext(ctx)
			got <- m.To + " " + info.ID
			return "hello " + m.To, nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	id := e.enqueue("greet", email{To: "ann"})
	if s := <-got; s != "ann "+id {
		t.Errorf("handler saw %q, want %q", s, "ann "+id)
	}
	r := e.wait(id, durable.Succeeded)
	if string(r.Result) != `"hello ann"` || r.Attempts != 1 || r.Name != "greet" || r.Queue != durable.DefaultQueue || r.FinishedAt.IsZero() || r.Payload != nil {
		t.Errorf("record %+v", r)
	}
}

func TestBatchRunsEveryJobOnce(t *testing.T) {
	e := newEnv(t)
	const n = 500
	var runs atomic.Int64
	seen := make(chan int, n)
	e.worker(func(w *durable.Worker) {
		durable.Handle(w, "n", func(ctx context.Context, i int) error {
			runs.Add(1)
			seen <- i
			return nil
		})
	})
	jobs := make([]durable.Job, n)
	for i := range jobs {
		jobs[i] = durable.Job{Name: "n", Payload: i}
	}
	ids, err := e.c.EnqueueBatch(e.ctx, jobs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]bool{}
	for range n {
		got[<-seen] = true
	}
	if len(got) != n {
		t.Fatalf("%d distinct jobs ran, want %d", len(got), n)
	}
	e.wait(ids[n-1], durable.Succeeded)
	e.wait(ids[0], durable.Succeeded)
}

func TestFailures(t *testing.T) {
	fast := retry.Policy{InitialDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	for _, tc := range []struct {
		name      string
		handler   string
		payload   any
		opts      []durable.Option
		fail      int // attempts that fail before success (-1: all)
		want      durable.State
		attempts  int
		errSubstr string
	}{
		{"retry then success", "flaky", 1, []durable.Option{durable.Backoff(fast)}, 2, durable.Succeeded, 3, "fail 2"},
		{"dead after max attempts", "flaky", 1, []durable.Option{durable.Backoff(fast), durable.MaxAttempts(2)}, -1, durable.Dead, 2, "fail 2"},
		{"permanent", "perm", 1, nil, -1, durable.Dead, 1, "no way"},
		{"panic", "panics", 1, []durable.Option{durable.Backoff(fast)}, -1, durable.Dead, 3, "boom"},
		{"unknown handler", "nobody", 1, nil, -1, durable.Dead, 1, "no handler"},
		{"bad payload", "flaky", "not a number", nil, -1, durable.Dead, 1, "does not decode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var calls atomic.Int64
			e.worker(func(w *durable.Worker) {
				durable.Handle(w, "flaky", func(ctx context.Context, _ int) error {
					n := calls.Add(1)
					if tc.fail < 0 || int(n) <= tc.fail {
						return fmt.Errorf("fail %d", n)
					}
					return nil
				})
				durable.Handle(w, "perm", func(ctx context.Context, _ int) error {
					return retry.Permanent(errors.New("no way"))
				})
				durable.Handle(w, "panics", func(ctx context.Context, _ int) error {
					panic("boom")
				})
			})
			opts := append([]durable.Option{durable.MaxAttempts(3)}, tc.opts...)
			id := e.enqueue(tc.handler, tc.payload, opts...)
			r := e.wait(id, durable.Succeeded, durable.Dead)
			if r.State != tc.want || r.Attempts != tc.attempts {
				t.Fatalf("state %s after %d attempts, want %s after %d; errors %+v", r.State, r.Attempts, tc.want, tc.attempts, r.Errors)
			}
			if len(r.Errors) != tc.attempts-btoi(r.State == durable.Succeeded) || !strings.Contains(r.Errors[len(r.Errors)-1].Error, tc.errSubstr) {
				t.Fatalf("errors %+v, want one per failed attempt, the last saying %q", r.Errors, tc.errSubstr)
			}
			for i, ae := range r.Errors {
				if ae.Attempt != i+1 || ae.At.IsZero() {
					t.Errorf("error %d: %+v", i, ae)
				}
			}
			if tc.handler == "panics" && !strings.Contains(r.Errors[0].Stack, "panic") {
				t.Errorf("panic without a stack: %+v", r.Errors[0])
			}
			if r.State == durable.Dead && r.Payload == nil {
				t.Error("dead record lost its payload")
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

var fastPolicy = retry.Policy{InitialDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
