package schedule_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/schedule"
)

// TestCronAcrossDST runs a daily 02:30 job over New York's spring-forward
// and fall-back days and checks each run against the cron package's rules.
func TestCronAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		spec  string
		start time.Time
		runs  int
	}{
		{"spring forward", "30 2 * * *", time.Date(2000, 4, 1, 0, 0, 0, 0, ny), 3},
		{"fall back", "30 1 * * *", time.Date(2000, 10, 28, 0, 0, 0, 0, ny), 3},
		{"hourly over the gap", "0 * * * *", time.Date(2000, 4, 2, 0, 30, 0, 0, ny), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, s := setup(t, 1)
				sched, err := cron.Parse(tt.spec)
				if err != nil {
					t.Fatal(err)
				}
				var want []time.Time
				for at := tt.start; len(want) < tt.runs; {
					at = sched.Next(at)
					want = append(want, at)
				}
				var got []time.Time
				e, err := s.Cron(tt.spec, func(context.Context) error {
					got = append(got, time.Now())
					return nil
				}, schedule.InLocation(ny), schedule.StartAt(tt.start), schedule.MaxRuns(tt.runs))
				if err != nil {
					t.Fatal(err)
				}
				<-e.Done()
				if len(got) != len(want) {
					t.Fatalf("runs at %v, want %v", got, want)
				}
				for i := range got {
					if !got[i].Equal(want[i]) {
						t.Errorf("run %d at %v, want %v", i, got[i].In(ny), want[i])
					}
				}
			})
		})
	}
}

// TestCronZonePrecedence checks that CRON_TZ beats InLocation, which beats
// the scheduler's WithLocation.
func TestCronZonePrecedence(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	tests := []struct {
		name   string
		spec   string
		opts   []schedule.EntryOption
		wantAt time.Duration // after the bubble's midnight UTC start
	}{
		{"scheduler zone (UTC)", "0 12 * * *", nil, 12 * time.Hour},
		{"InLocation", "0 12 * * *", []schedule.EntryOption{schedule.InLocation(tokyo)}, 3 * time.Hour}, // 12:00 JST = 03:00 UTC
		{"CRON_TZ wins", "CRON_TZ=America/New_York 0 12 * * *", []schedule.EntryOption{schedule.InLocation(tokyo)}, 17 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, s := setup(t, 1)
				start := time.Now()
				e, err := s.Cron(tt.spec, nop, tt.opts...)
				if err != nil {
					t.Fatal(err)
				}
				if got := e.Next().Sub(start); got != tt.wantAt {
					t.Errorf("first firing %v after start, want %v", got, tt.wantAt)
				}
			})
		})
	}
}
