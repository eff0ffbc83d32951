package cron_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// FuzzParse checks that no input makes Parse panic; that every error is a
// *ParseError for that input, matching ErrSyntax, with the "cron: " prefix;
// and, for the schedules that parse, that String gives back the trimmed spec
// and parses to the same activations, that a five-field spec means the same
// as with a leading "0" seconds field, and that Next from a few fixed times
// ends, returns the zero time or a time strictly after its argument in its
// location, skips no activation (Next of one second before the result is the
// result) and moves forward when chained.
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
			checkParseError(t, spec, err)
			return
		}
		checkNexts(t, spec, s, froms)
		str := s.(fmt.Stringer).String()
		if sp, ok := s.(*cron.SpecSchedule); ok && str != strings.TrimSpace(spec) {
			t.Fatalf("Parse(%q).String() = %q, want the trimmed spec", spec, sp)
		}
		again, err := cron.Parse(str)
		if err != nil {
			t.Fatalf("Parse(%q) works but its String %q does not parse: %v", spec, str, err)
		}
		sameActivations(t, spec, str, s, again, froms)
		if fields := strings.Fields(spec); len(fields) == 5 && !strings.Contains(spec, "=") && !strings.HasPrefix(fields[0], "@") {
			withSeconds := "0 " + strings.Join(fields, " ")
			s6, err := cron.Parse(withSeconds)
			if err != nil {
				t.Fatalf("Parse(%q) works but Parse(%q) fails: %v", spec, withSeconds, err)
			}
			sameActivations(t, spec, withSeconds, s, s6, froms)
		}
	})
}

// checkParseError fails t unless err is the *ParseError Parse must return
// for spec.
func checkParseError(t *testing.T, spec string, err error) {
	t.Helper()
	var pe *cron.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, cron.ErrSyntax) {
		t.Fatalf("Parse(%q) error %v (%T) is not a *ParseError matching ErrSyntax", spec, err, err)
	}
	if pe.Spec != spec || pe.Err == nil || !strings.HasPrefix(err.Error(), "cron: ") {
		t.Fatalf("Parse(%q): ParseError{Spec: %q, Field: %q, Err: %v}, message %q", spec, pe.Spec, pe.Field, pe.Err, err)
	}
}

// checkNexts runs checkNext (see property_test.go) from each of froms for a
// *SpecSchedule (an Every counts from its argument, see FuzzEvery), and
// checks that Next chained from each result moves forward.
func checkNexts(t *testing.T, spec string, s cron.Schedule, froms []time.Time) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	_, fields := s.(*cron.SpecSchedule)
	for _, from := range froms {
		if fields {
			checkNext(t, spec, s, from, rng)
		}
		if next := s.Next(from); !next.IsZero() {
			if after := s.Next(next); !after.IsZero() && !after.After(next) {
				t.Fatalf("Parse(%q): Next(%s) = %s, not after it", spec, next, after)
			}
		}
	}
}

// sameActivations fails t unless a (parsed from sa) and b (from sb) give the
// same Next from each of froms.
func sameActivations(t *testing.T, sa, sb string, a, b cron.Schedule, froms []time.Time) {
	t.Helper()
	for _, from := range froms {
		if na, nb := a.Next(from), b.Next(from); !na.Equal(nb) {
			t.Fatalf("Next(%s): %q gives %s, %q gives %s", from, sa, na, sb, nb)
		}
	}
}

// FuzzEvery checks "@every" against time.ParseDuration: the spec parses
// exactly when the duration does and is positive; the Every it gives has the
// duration, rounded down to whole seconds and at least one second, as its
// Interval; its String parses back to the same interval; and Next from any
// time is the time rounded down to a second plus the interval.
func FuzzEvery(f *testing.F) {
	for _, d := range []string{"1s", "90s", "1h30m", "100ms", "1ns", "0s", "-1s", "1.5s", "2562047h",
		"9999999999h", "1e3s", "", " ", "1s ", "x", "+1s", "1us", "1µs", ".5m", "1h-1s"} {
		f.Add(d, int64(1_700_000_000), int64(999_999_999))
	}
	f.Add("1m", int64(-62135596800), int64(0)) // year 1
	f.Fuzz(func(t *testing.T, dur string, sec, nsec int64) {
		spec := "@every " + dur
		s, err := cron.Parse(spec)
		d, derr := time.ParseDuration(strings.TrimSpace(dur))
		if derr != nil || d <= 0 {
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error (ParseDuration: %v, %v)", spec, s, d, derr)
			}
			checkParseError(t, spec, err)
			return
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v, though ParseDuration gives %v", spec, err, d)
		}
		e, ok := s.(cron.Every)
		want := max(d.Truncate(time.Second), time.Second)
		if !ok || e.Interval() != want {
			t.Fatalf("Parse(%q) = %#v, want an Every with interval %v", spec, s, want)
		}
		again, err := cron.Parse(e.String())
		if err != nil || again.(cron.Every).Interval() != want {
			t.Fatalf("Parse(%q) of the String of %q = %v, %v; want interval %v", e.String(), spec, again, err, want)
		}
		from := time.Unix(sec, nsec%1e9)
		next := e.Next(from)
		if got := next.Sub(from.Truncate(time.Second)); got != want || !next.After(from) {
			t.Fatalf("Parse(%q).Next(%s) = %s, %v after the whole second, want %v", spec, from, next, got, want)
		}
	})
}
