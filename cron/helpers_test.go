package cron_test

import (
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// mustParse parses spec or fails the test.
func mustParse(t testing.TB, spec string) cron.Schedule {
	t.Helper()
	s, err := cron.Parse(spec)
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	return s
}

// mustTime parses an RFC 3339 time and moves it to loc (nil: keep UTC).
func mustTime(t testing.TB, s string, loc *time.Location) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time.Parse(%q): %v", s, err)
	}
	if loc != nil {
		tm = tm.In(loc)
	}
	return tm
}

// mustZone loads a zone or fails the test.
func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// nextN returns the next n activations of s after from, formatted as
// RFC 3339, stopping early at a zero time (shown as "zero").
func nextN(s cron.Schedule, from time.Time, n int) []string {
	var out []string
	for range n {
		from = s.Next(from)
		if from.IsZero() {
			return append(out, "zero")
		}
		out = append(out, from.Format(time.RFC3339))
	}
	return out
}
