package cron_test

import (
	"errors"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// FuzzParse checks that no input makes Parse panic, that every error matches
// ErrSyntax, and that for parsed schedules Next from a few fixed times ends
// and returns the zero time or a time strictly after its argument, in its
// location.
func FuzzParse(f *testing.F) {
	for _, spec := range []string{
		// valid
		"* * * * *", "* * * * * *", "0 0 * * *", "*/15 * * * *", "0 30 9 * * MON-FRI",
		"5/20 * * * *", "0 8-18/5 * * *", "0 0 ? * MON", "0 12 1 jan,Jul *", "0 0 * * 7",
		"0 0 L * *", "0 0 L-3 * *", "0 0 LW * *", "0 0 1W * *", "0 0 31W * *", "0 0 1,L,15W * *",
		"0 0 * * 5L", "0 0 * * FRIL", "0 0 * * MON#2", "0 0 * * 1#5,7L", "0 0 13 * 5",
		"0 0 29 2 *", "0 0 30 2 *", "@yearly", "@annually", "@monthly", "@weekly", "@daily",
		"@midnight", "@hourly", "@every 90s", "@every 1h30m", "@every 100ms",
		"CRON_TZ=America/New_York 30 2 * * *", "TZ=Europe/London 30 1 * * *",
		"CRON_TZ=Australia/Lord_Howe */15 * * * *", "CRON_TZ=Asia/Tokyo @daily",
		// invalid
		"", " ", "* * * *", "* * * * * * *", "0 25 * * *", "60 * * * *", "* * 0 * *", "* * * 13 *",
		"* * * * 8", "*/0 * * * *", "*/-1 * * * *", "1/2/3 * * * *", "1-2-3 * * * *", "-5 * * * *",
		"30-10 * * * *", "1,,2 * * * *", "@every", "@every 0s", "@every -1s", "@every x",
		"@fortnightly", "CRON_TZ=Mars/Base * * * * *", "CRON_TZ=", "TZ= * * * * *",
		"0 L * * *", "0 0 * * L", "0 0 5L * *", "0 0 L-31 * *", "0 0 32W * *", "0 0 1#2 * *",
		"0 0 * * 1#6", "0 0 * * 1#0", "0 0 * * 5W", "* 99999999999999999999 * * *",
		"*/99999999999999999 * * * *", "0 0 * * #", "0 0 W * *", "0 0 L-W * *", "#", "@", "\x00",
	} {
		f.Add(spec)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	lh, err := time.LoadLocation("Australia/Lord_Howe")
	if err != nil {
		f.Fatal(err)
	}
	froms := []time.Time{
		time.Date(2024, 2, 28, 23, 59, 59, 999, time.UTC),
		time.Date(2024, 3, 10, 1, 59, 59, 0, ny),
		time.Date(2024, 11, 3, 1, 30, 0, 0, ny),
		time.Date(2024, 4, 7, 1, 45, 0, 0, lh),
		time.Date(2040, 12, 31, 12, 0, 0, 0, ny),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := cron.Parse(spec)
		if err != nil {
			if !errors.Is(err, cron.ErrSyntax) {
				t.Fatalf("Parse(%q) error %v does not match ErrSyntax", spec, err)
			}
			return
		}
		for _, from := range froms {
			next := s.Next(from)
			if next.IsZero() {
				continue
			}
			if !next.After(from) || next.Location() != from.Location() {
				t.Fatalf("Parse(%q).Next(%s) = %s (%s)", spec, from, next, next.Location())
			}
		}
	})
}
