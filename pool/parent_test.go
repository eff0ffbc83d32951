package pool_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

type parentKey string

// TestJobContextCarriesItsParent: whatever context a job was submitted
// with, the context its function gets answers Value from it first and the
// pool's base context second, reports its deadline, and ends with it; a
// parent ended while the job is queued cancels the job with its cause. A
// Job keeps no word for Background or TODO, and the others in its run state.
func TestJobContextCarriesItsParent(t *testing.T) {
	errParent := errors.New("parent gave up")
	deadline := time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name      string
		parent    func() (context.Context, context.CancelCauseFunc)
		value     any  // what ctx.Value("k") must give
		deadline  bool // the parent has one
		cancelled bool // the parent ends while the job is queued
	}{
		{"background", func() (context.Context, context.CancelCauseFunc) { return context.Background(), nil }, "base", false, false},
		{"todo", func() (context.Context, context.CancelCauseFunc) { return context.TODO(), nil }, "base", false, false},
		{"value", func() (context.Context, context.CancelCauseFunc) {
			return context.WithValue(context.Background(), parentKey("k"), "submit"), nil
		}, "submit", false, false},
		{"deadline and value", func() (context.Context, context.CancelCauseFunc) {
			ctx, cancel := context.WithDeadline(context.WithValue(context.Background(), parentKey("k"), "submit"), deadline)
			return ctx, func(error) { cancel() }
		}, "submit", true, false},
		{"cancelled while queued", func() (context.Context, context.CancelCauseFunc) {
			return context.WithCancelCause(context.Background())
		}, "base", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := context.WithValue(context.Background(), parentKey("k"), "base")
			p := newPool(t, 1, pool.WithContext(base))
			release := occupy(t, p)
			parent, cancel := tc.parent()
			if cancel != nil {
				defer cancel(nil)
			}
			var (
				got         any
				gotDeadline time.Time
				hasDeadline bool
			)
			j, err := p.Submit(parent, func(ctx context.Context) error {
				got = ctx.Value(parentKey("k"))
				gotDeadline, hasDeadline = ctx.Deadline()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.cancelled {
				cancel(errParent)
			}
			release()
			err = j.Wait(context.Background())
			if tc.cancelled {
				if !errors.Is(err, errParent) || j.State() != pool.Cancelled {
					t.Fatalf("state %v err %v, want Cancelled with the parent's cause", j.State(), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.value {
				t.Errorf("ctx.Value = %v, want %v", got, tc.value)
			}
			if hasDeadline != tc.deadline || tc.deadline && !gotDeadline.Equal(deadline) {
				t.Errorf("ctx.Deadline = %v, %v; want %v, %v", gotDeadline, hasDeadline, deadline, tc.deadline)
			}
		})
	}
}

// TestSubmitAllocations: a Submit allocates the Job alone with Background
// or TODO, and the job's context state too with any other context, as
// Submit's doc says.
func TestSubmitAllocations(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want float64
	}{
		{"background", context.Background(), 1},
		{"todo", context.TODO(), 1},
		{"value", context.WithValue(context.Background(), parentKey("k"), "v"), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, 1)
			release := occupy(t, p) // jobs stay queued: no worker allocates meanwhile
			defer release()
			fn := func(context.Context) error { return nil }
			got := testing.AllocsPerRun(200, func() {
				if _, err := p.Submit(tc.ctx, fn); err != nil {
					t.Fatal(err)
				}
			})
			if got != tc.want {
				t.Fatalf("Submit made %v allocations, want %v", got, tc.want)
			}
		})
	}
}
