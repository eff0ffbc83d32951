package schedule_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/schedule"
)

func TestEntriesFireAtTheirTimes(t *testing.T) {
	tests := []struct {
		name string
		add  func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error)
		want []time.Duration
	}{
		{"After", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.After(5*time.Second, fn)
		}, secs(5)},
		{"After zero runs now", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.After(0, fn)
		}, secs(0)},
		{"At", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.At(time.Now().Add(7*time.Second), fn)
		}, secs(7)},
		{"At in the past runs now", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.At(time.Now().Add(-time.Hour), fn)
		}, secs(0)},
		{"Every", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Every(2*time.Second, fn, schedule.MaxRuns(3))
		}, secs(2, 4, 6)},
		{"Cron seconds", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Cron("*/10 * * * * *", fn, schedule.MaxRuns(3))
		}, secs(10, 20, 30)},
		{"Cron every", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Cron("@every 3s", fn, schedule.MaxRuns(2))
		}, secs(3, 6)},
		{"Cron minutes", func(s *schedule.Scheduler, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Cron("*/15 * * * *", fn, schedule.MaxRuns(2))
		}, secs(15*60, 30*60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, s := setup(t, 2)
				rec := newRecorder()
				e, err := tt.add(s, rec.fn(0))
				if err != nil {
					t.Fatal(err)
				}
				<-e.Done()
				if got := rec.times(); !slices.Equal(got, tt.want) {
					t.Errorf("runs at %v, want %v", got, tt.want)
				}
				if e.Runs() != len(tt.want) || e.Outcome() != schedule.Succeeded || e.LastErr() != nil {
					t.Errorf("Runs %d Outcome %v LastErr %v, want %d succeeded nil", e.Runs(), e.Outcome(), e.LastErr(), len(tt.want))
				}
				if !e.Next().IsZero() {
					t.Errorf("Next after the end = %v, want zero", e.Next())
				}
				if s.Len() != 0 {
					t.Errorf("Len = %d after every entry ended", s.Len())
				}
			})
		})
	}
}

func TestNextAndLastRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 1)
		start := time.Now()
		e, err := s.Every(time.Minute, func(context.Context) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if got, want := e.Next(), start.Add(time.Minute); !got.Equal(want) {
			t.Errorf("Next = %v, want %v", got, want)
		}
		if !e.LastRun().IsZero() || e.Outcome() != schedule.None {
			t.Errorf("before the first run: LastRun %v Outcome %v", e.LastRun(), e.Outcome())
		}
		time.Sleep(90 * time.Second)
		synctest.Wait()
		if got, want := e.LastRun(), start.Add(time.Minute); !got.Equal(want) {
			t.Errorf("LastRun = %v, want %v", got, want)
		}
		if got, want := e.Next(), start.Add(2*time.Minute); !got.Equal(want) {
			t.Errorf("Next = %v, want %v", got, want)
		}
		if e.ID() == 0 {
			t.Error("ID is 0")
		}
	})
}

// TestFarFutureIsNotLost checks that times beyond the clock's range stay
// scheduled instead of overflowing into the past or vanishing.
func TestFarFutureIsNotLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 1)
		ran := false
		fn := func(context.Context) error { ran = true; return nil }
		var entries []*schedule.Entry
		for _, add := range []func() (*schedule.Entry, error){
			func() (*schedule.Entry, error) { return s.After(time.Duration(1<<63-1), fn) },
			func() (*schedule.Entry, error) { return s.Every(time.Duration(1<<63-1), fn) },
			func() (*schedule.Entry, error) { return s.At(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), fn) },
		} {
			e, err := add()
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, e)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		for i, e := range entries {
			if isDone(e) || e.Next().IsZero() {
				t.Errorf("entry %d: done %v, Next %v; want still waiting", i, isDone(e), e.Next())
			}
		}
		if ran {
			t.Error("a far-future entry ran")
		}
	})
}
