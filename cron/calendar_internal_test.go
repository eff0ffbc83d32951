package cron

import (
	"testing"
	"time"
)

// TestCalendarMatchesTimePackage checks the day arithmetic against the time
// package over a wide span, negative years included.
func TestCalendarMatchesTimePackage(t *testing.T) {
	for z := int64(-800_000); z <= 800_000; z += 97 {
		tm := time.Unix(z*86400, 0).UTC()
		y, m, d := civilFromDays(z)
		if y != int64(tm.Year()) || m != int(tm.Month()) || d != tm.Day() {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", z, y, m, d, tm.Format(time.DateOnly))
		}
		if back := daysFromCivil(y, m, d); back != z {
			t.Fatalf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, back, z)
		}
		if wd := weekday(z); wd != int(tm.Weekday()) {
			t.Fatalf("weekday(%d) = %d, want %d", z, wd, tm.Weekday())
		}
		if n := daysIn(y, m); n != time.Date(int(y), time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
			t.Fatalf("daysIn(%d, %d) = %d", y, m, n)
		}
	}
}
