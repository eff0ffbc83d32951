package cron_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// TestNextActivations checks the next few activations of specs in UTC: month
// ends, leap years, the L, W and # extensions, the day-of-month/day-of-week
// rule, names, steps and descriptors.
func TestNextActivations(t *testing.T) {
	tests := []struct {
		name, spec, from string
		want             []string
	}{
		{"last day", "0 0 L * *", "2024-01-15T00:00:00Z",
			[]string{"2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"}},
		{"last day non-leap Feb", "0 0 L 2 *", "2023-01-01T00:00:00Z",
			[]string{"2023-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"}},
		{"L-3", "0 0 L-3 * *", "2024-02-01T00:00:00Z",
			[]string{"2024-02-26T00:00:00Z", "2024-03-28T00:00:00Z", "2024-04-27T00:00:00Z"}},
		{"L and a day", "0 0 1,L * *", "2024-04-02T00:00:00Z",
			[]string{"2024-04-30T00:00:00Z", "2024-05-01T00:00:00Z", "2024-05-31T00:00:00Z"}},
		{"LW", "0 0 LW * *", "2024-03-01T00:00:00Z",
			[]string{"2024-03-29T00:00:00Z", "2024-04-30T00:00:00Z", "2024-05-31T00:00:00Z", "2024-06-28T00:00:00Z"}},
		{"1W on Saturday moves to Monday 3rd", "0 0 1W * *", "2024-05-15T00:00:00Z",
			[]string{"2024-06-03T00:00:00Z", "2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z", "2024-09-02T00:00:00Z"}},
		{"31W on Sunday moves to Friday 29th", "0 0 31W * *", "2024-03-01T00:00:00Z",
			[]string{"2024-03-29T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z", "2024-08-30T00:00:00Z"}},
		{"15W both ways", "0 0 15W * *", "2024-06-01T00:00:00Z",
			[]string{"2024-06-14T00:00:00Z", "2024-07-15T00:00:00Z", "2024-08-15T00:00:00Z", "2024-09-16T00:00:00Z"}},
		{"last Friday", "0 0 * * 5L", "2024-01-01T00:00:00Z",
			[]string{"2024-01-26T00:00:00Z", "2024-02-23T00:00:00Z", "2024-03-29T00:00:00Z", "2024-04-26T00:00:00Z"}},
		{"last Friday by name", "0 0 * * fril", "2024-01-01T00:00:00Z",
			[]string{"2024-01-26T00:00:00Z", "2024-02-23T00:00:00Z"}},
		{"second Monday", "0 0 * * MON#2", "2024-01-01T00:00:00Z",
			[]string{"2024-01-08T00:00:00Z", "2024-02-12T00:00:00Z", "2024-03-11T00:00:00Z"}},
		{"second Monday numeric", "0 0 * * 1#2", "2024-01-01T00:00:00Z",
			[]string{"2024-01-08T00:00:00Z", "2024-02-12T00:00:00Z"}},
		{"fifth Friday skips short months", "0 0 * * 5#5", "2024-01-01T00:00:00Z",
			[]string{"2024-03-29T00:00:00Z", "2024-05-31T00:00:00Z", "2024-08-30T00:00:00Z"}},
		{"dom or dow when both restricted", "0 0 13 * 5", "2024-10-01T00:00:00Z",
			[]string{"2024-10-04T00:00:00Z", "2024-10-11T00:00:00Z", "2024-10-13T00:00:00Z", "2024-10-18T00:00:00Z"}},
		{"stepped dom is restricted", "0 0 */2 * 1", "2024-07-01T00:00:00Z",
			[]string{"2024-07-03T00:00:00Z", "2024-07-05T00:00:00Z", "2024-07-07T00:00:00Z", "2024-07-08T00:00:00Z", "2024-07-09T00:00:00Z"}},
		{"dow only when dom is ?", "0 0 ? * MON", "2024-07-01T00:00:00Z",
			[]string{"2024-07-08T00:00:00Z", "2024-07-15T00:00:00Z"}},
		{"Feb 29 from a non-leap year", "0 0 29 2 *", "2023-03-01T00:00:00Z",
			[]string{"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"}},
		{"Feb 30 never fires", "0 0 30 2 *", "2024-01-01T00:00:00Z", []string{"zero"}},
		{"31st skips short months", "0 0 31 * *", "2024-01-31T00:00:00Z",
			[]string{"2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z", "2024-08-31T00:00:00Z"}},
		{"year rollover", "0 0 1 1 *", "2024-12-31T23:59:59Z", []string{"2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
		{"seconds field", "*/20 * * * * *", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T00:00:20Z", "2024-01-01T00:00:40Z", "2024-01-01T00:01:00Z"}},
		{"six fields with weekdays", "0 30 9 * * MON-FRI", "2024-01-05T10:00:00Z",
			[]string{"2024-01-08T09:30:00Z", "2024-01-09T09:30:00Z"}},
		{"month names any case", "0 12 1 jan,Jul *", "2024-02-01T00:00:00Z",
			[]string{"2024-07-01T12:00:00Z", "2025-01-01T12:00:00Z"}},
		{"7 is Sunday", "0 0 * * 7", "2024-01-01T00:00:00Z", []string{"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"}},
		{"range to 7", "0 0 * * 5-7", "2024-01-01T00:00:00Z",
			[]string{"2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z", "2024-01-12T00:00:00Z"}},
		{"N/step runs to the end", "5/20 * * * *", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T00:05:00Z", "2024-01-01T00:25:00Z", "2024-01-01T00:45:00Z", "2024-01-01T01:05:00Z"}},
		{"range with step", "0 8-18/5 * * *", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T08:00:00Z", "2024-01-01T13:00:00Z", "2024-01-01T18:00:00Z", "2024-01-02T08:00:00Z"}},
		{"@yearly", "@yearly", "2024-05-05T00:00:00Z", []string{"2025-01-01T00:00:00Z"}},
		{"@annually", "@annually", "2024-05-05T00:00:00Z", []string{"2025-01-01T00:00:00Z"}},
		{"@monthly", "@monthly", "2024-05-05T00:00:00Z", []string{"2024-06-01T00:00:00Z"}},
		{"@weekly", "@weekly", "2024-05-05T00:00:00Z", []string{"2024-05-12T00:00:00Z"}},
		{"@daily", "@daily", "2024-05-05T00:00:00Z", []string{"2024-05-06T00:00:00Z"}},
		{"@midnight", "@midnight", "2024-05-05T00:00:00Z", []string{"2024-05-06T00:00:00Z"}},
		{"@hourly", "@hourly", "2024-05-05T00:00:00Z", []string{"2024-05-05T01:00:00Z", "2024-05-05T02:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.spec)
			got := nextN(s, mustTime(t, tt.from, nil), len(tt.want))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Parse(%q).Next from %s:\n got %v\nwant %v", tt.spec, tt.from, got, tt.want)
			}
		})
	}
}

// TestNextIsStrictlyAfter checks that Next never returns t itself, with and
// without a sub-second part, and that it returns whole seconds.
func TestNextIsStrictlyAfter(t *testing.T) {
	s := mustParse(t, "* * * * * *")
	base := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		from time.Time
		want time.Time
	}{
		{base, base.Add(time.Second)},
		{base.Add(500 * time.Millisecond), base.Add(time.Second)},
		{base.Add(-time.Nanosecond), base},
	}
	for _, tt := range tests {
		if got := s.Next(tt.from); !got.Equal(tt.want) {
			t.Errorf("Next(%s) = %s, want %s", tt.from.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano), tt.want.Format(time.RFC3339Nano))
		}
	}
}

// TestNextKeepsLocation checks that Next answers in t's location, whatever
// the schedule's zone.
func TestNextKeepsLocation(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	paris := mustZone(t, "Europe/Paris")
	tests := []struct {
		spec string
		from time.Time
		want string
	}{
		{"0 9 * * *", time.Date(2024, 1, 1, 0, 0, 0, 0, paris), "2024-01-01T09:00:00+01:00"},
		{"CRON_TZ=Asia/Tokyo 0 9 * * *", time.Date(2024, 1, 1, 0, 0, 0, 0, paris), "2024-01-01T01:00:00+01:00"},
		{"TZ=Europe/Paris 0 9 * * *", time.Date(2024, 1, 1, 0, 0, 0, 0, tokyo), "2024-01-01T17:00:00+09:00"},
		{"CRON_TZ=UTC 0 9 * * *", time.Date(2024, 1, 1, 0, 0, 0, 0, tokyo), "2024-01-01T18:00:00+09:00"},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.spec).Next(tt.from)
		if got.Format(time.RFC3339) != tt.want || got.Location() != tt.from.Location() {
			t.Errorf("Parse(%q).Next(%s) = %s in %s, want %s in %s", tt.spec, tt.from, got, got.Location(), tt.want, tt.from.Location())
		}
	}
}

// TestNextNeverFiresIsQuick checks that schedules with no activation give the
// zero time, and that a rare one is found near the five-year horizon.
func TestNextNeverFiresIsQuick(t *testing.T) {
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		spec string
		want time.Time
	}{
		{"0 0 30 2 *", time.Time{}},
		{"0 0 31 4,6,9,11 *", time.Time{}},
		// A fifth Monday in February needs Feb 29 on a Monday: 2016, then 2044.
		{"0 0 * 2 MON#5", time.Time{}},
		// Feb 29 on a Friday with both fields restricted is an OR: any Friday.
		{"0 0 29 2 FRI", time.Date(2025, 2, 7, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.spec).Next(from)
		if !got.Equal(tt.want) {
			t.Errorf("Parse(%q).Next(%s) = %s, want %s", tt.spec, from, got, tt.want)
		}
	}
}

// TestNextHorizonIsFiveYears checks the search bound: an activation in the
// fifth calendar year after t is found, one in the sixth is not.
func TestNextHorizonIsFiveYears(t *testing.T) {
	s := mustParse(t, "0 0 29 2 *")
	tests := []struct {
		from time.Time
		want time.Time
	}{
		{time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{time.Date(2095, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2096, 2, 29, 0, 0, 0, 0, time.UTC)},
		// 2100 is not a leap year: the next Feb 29 after 2096 is in 2104.
		{time.Date(2097, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}},
		{time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2104, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := s.Next(tt.from); !got.Equal(tt.want) {
			t.Errorf("Next(%s) = %s, want %s", tt.from, got, tt.want)
		}
	}
}

// TestNextDrivesTimer runs a schedule against the fake clock of a synctest
// bubble: sleeping until each Next lands exactly on the activations.
func TestNextDrivesTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mustParse(t, "*/15 * * * *")
		var fired []string
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 3 {
				next := s.Next(time.Now())
				time.Sleep(time.Until(next))
				fired = append(fired, time.Now().UTC().Format("15:04:05"))
			}
		}()
		<-done
		want := []string{"00:15:00", "00:30:00", "00:45:00"}
		if !slices.Equal(fired, want) {
			t.Errorf("fired at %v, want %v", fired, want)
		}
	})
}

// TestSpecScheduleAccessors checks String and Location.
func TestSpecScheduleAccessors(t *testing.T) {
	s := mustParse(t, "  CRON_TZ=Asia/Tokyo   0 9 * * *  ").(*cron.SpecSchedule)
	if got, want := s.String(), "CRON_TZ=Asia/Tokyo   0 9 * * *"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := s.Location(); got == nil || got.String() != "Asia/Tokyo" {
		t.Errorf("Location() = %v, want Asia/Tokyo", got)
	}
	if got := mustParse(t, "@daily").(*cron.SpecSchedule).Location(); got != nil {
		t.Errorf("Location() without a zone = %v, want nil", got)
	}
	var zero cron.SpecSchedule
	if got := zero.Next(time.Now()); !got.IsZero() {
		t.Errorf("zero SpecSchedule Next = %s, want zero time", got)
	}
}

func BenchmarkNext(b *testing.B) {
	ny := mustZone(b, "America/New_York")
	for _, spec := range []string{"*/5 * * * *", "0 9 * * MON-FRI", "0 0 L * *", "0 0 * * 5L", "0 0 29 2 *", "0 0 30 2 *"} {
		b.Run(spec, func(b *testing.B) {
			s := mustParse(b, spec)
			from := time.Date(2024, 3, 9, 12, 0, 0, 0, ny)
			b.ReportAllocs()
			for b.Loop() {
				s.Next(from)
			}
		})
	}
}

// TestNextConcurrent checks that one schedule serves many goroutines at once
// (run with -race) and that they all get the same answers.
func TestNextConcurrent(t *testing.T) {
	s := mustParse(t, "CRON_TZ=America/New_York 0 */2 L,15W * *")
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	want := nextN(s, from, 50)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			if got := nextN(s, from, 50); !slices.Equal(got, want) {
				errs <- fmt.Sprint(got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("concurrent Next gave %s, want %v", got, want)
	}
}
