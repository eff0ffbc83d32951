package schedule_test

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/schedule"
)

func TestCancel(t *testing.T) {
	tests := []struct {
		name    string
		add     func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error)
		cancel  time.Duration // when to cancel
		want    bool          // Cancel's result
		runs    int32         // runs by the end
		runTime time.Duration
	}{
		{"pending one-shot is stopped", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.After(5*time.Second, fn)
		}, 2 * time.Second, true, 0, 0},
		{"one-shot that fired", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.After(time.Second, fn)
		}, 2 * time.Second, false, 1, 0},
		{"one-shot running does not wait", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.After(time.Second, fn)
		}, 2 * time.Second, false, 1, 5 * time.Second},
		{"pending At", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.At(time.Now().Add(time.Hour), fn)
		}, time.Minute, true, 0, 0},
		{"Every stops", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Every(time.Second, fn)
		}, 3500 * time.Millisecond, true, 3, 0},
		{"FixedDelay while running", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Every(time.Second, fn, schedule.FixedDelay)
		}, 1500 * time.Millisecond, true, 1, time.Second},
		{"Cron stops", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Cron("* * * * * *", fn)
		}, 2500 * time.Millisecond, true, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, s := setup(t, 1)
				var runs atomic.Int32
				e, err := tt.add(s, func(context.Context) error {
					runs.Add(1)
					time.Sleep(tt.runTime)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(tt.cancel)
				start := time.Now()
				if got := e.Cancel(); got != tt.want {
					t.Errorf("Cancel() = %v, want %v", got, tt.want)
				}
				if time.Since(start) != 0 {
					t.Error("Cancel waited")
				}
				if e.Cancel() {
					t.Error("second Cancel() = true")
				}
				time.Sleep(time.Hour)
				synctest.Wait()
				if got := runs.Load(); got != tt.runs {
					t.Errorf("runs = %d, want %d", got, tt.runs)
				}
				if !isDone(e) || !e.Next().IsZero() {
					t.Errorf("after Cancel: done %v, Next %v", isDone(e), e.Next())
				}
			})
		})
	}
}

// TestCancelOneShotStopsIt is the Python port's bug: cancelling a one-shot
// scheduled job did not stop it.
func TestCancelOneShotStopsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 1)
		ran := false
		e, _ := s.After(time.Second, func(context.Context) error { ran = true; return nil })
		if !e.Cancel() {
			t.Fatal("Cancel() = false for a pending one-shot")
		}
		<-e.Done()
		time.Sleep(time.Minute)
		synctest.Wait()
		if ran {
			t.Error("cancelled one-shot ran")
		}
	})
}

// TestManyEntriesRandomCancels schedules 10,000 one-shots over a fake
// minute, cancels a random half at random times, and checks that each entry
// ran exactly when its Cancel did not report stopping it, on time.
func TestManyEntriesRandomCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 4)
		const n = 10_000
		r := rand.New(rand.NewPCG(1, 2))
		start := time.Now()
		type rec struct {
			e      *schedule.Entry
			due    time.Duration
			ran    atomic.Int32
			lateBy atomic.Int64
		}
		recs := make([]*rec, n)
		for i := range recs {
			rc := &rec{due: time.Duration(r.Int64N(int64(time.Minute)))}
			e, err := s.After(rc.due, func(context.Context) error {
				rc.ran.Add(1)
				rc.lateBy.Store(int64(time.Since(start) - rc.due))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			rc.e = e
			recs[i] = rc
		}
		stopped := make([]bool, n)
		for step := range 60 {
			time.Sleep(time.Second)
			for range 80 {
				i := r.IntN(n)
				if recs[i].e.Cancel() {
					stopped[i] = true
				}
			}
			_ = step
		}
		time.Sleep(time.Second)
		synctest.Wait()
		cancelled := 0
		for i, rc := range recs {
			want := int32(1)
			if stopped[i] {
				want = 0
				cancelled++
			}
			if got := rc.ran.Load(); got != want {
				t.Fatalf("entry %d: ran %d times, want %d", i, got, want)
			}
			if late := rc.lateBy.Load(); late != 0 {
				t.Fatalf("entry %d ran %v late", i, time.Duration(late))
			}
			if !isDone(rc.e) {
				t.Fatalf("entry %d not done", i)
			}
		}
		if cancelled == 0 || cancelled == n {
			t.Errorf("cancelled %d of %d: the test exercised nothing", cancelled, n)
		}
		if s.Len() != 0 {
			t.Errorf("Len = %d", s.Len())
		}
	})
}
