package cron_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// Reference predicates, written with the time package and without the
// package's own arithmetic.

func lastDay(t time.Time) int { return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day() }

func isWeekday(t time.Time) bool { return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday }

// nearestWeekdayRef is the Monday-to-Friday day of t's month closest to day q.
func nearestWeekdayRef(t time.Time, q int) int {
	best, bestDist := 0, 99
	for d := 1; d <= lastDay(t); d++ {
		day := time.Date(t.Year(), t.Month(), d, 0, 0, 0, 0, time.UTC)
		if dist := max(d-q, q-d); isWeekday(day) && dist < bestDist {
			best, bestDist = d, dist
		}
	}
	return best
}

func lastWeekdayRef(t time.Time) int {
	for d := lastDay(t); ; d-- {
		if isWeekday(time.Date(t.Year(), t.Month(), d, 0, 0, 0, 0, time.UTC)) {
			return d
		}
	}
}

func at(h, m int) func(time.Time) bool {
	return func(t time.Time) bool { return t.Hour() == h && t.Minute() == m && t.Second() == 0 }
}

// TestNextMatchesBruteForce compares the activations Next reports with a
// plain scan that tests every step of a span against a reference predicate:
// Next must neither skip an activation nor invent one.
func TestNextMatchesBruteForce(t *testing.T) {
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	const days = 3 * 366 // includes 29 Feb 2024
	tests := []struct {
		spec  string
		step  time.Duration
		span  time.Duration
		match func(time.Time) bool
	}{
		{"0 0 L * *", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			return at(0, 0)(t) && t.Day() == lastDay(t)
		}},
		{"0 6 L-2 * *", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			return at(6, 0)(t) && t.Day() == lastDay(t)-2
		}},
		{"0 12 LW * *", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			return at(12, 0)(t) && t.Day() == lastWeekdayRef(t)
		}},
		{"0 9 1W,15W,31W * *", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			d := t.Day()
			return at(9, 0)(t) && (d == nearestWeekdayRef(t, 1) || d == nearestWeekdayRef(t, 15) ||
				(lastDay(t) == 31 && d == nearestWeekdayRef(t, 31)))
		}},
		{"0 0 * * 5L", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			return at(0, 0)(t) && t.Weekday() == time.Friday && t.Day()+7 > lastDay(t)
		}},
		{"0 8 * * 1#2,SUN#5", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			n := (t.Day()-1)/7 + 1
			return at(8, 0)(t) && (t.Weekday() == time.Monday && n == 2 || t.Weekday() == time.Sunday && n == 5)
		}},
		{"0 0 13 * FRI", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			return at(0, 0)(t) && (t.Day() == 13 || t.Weekday() == time.Friday)
		}},
		{"0 0 29 2 *", time.Hour, days * 24 * time.Hour, func(t time.Time) bool {
			return at(0, 0)(t) && t.Month() == time.February && t.Day() == 29
		}},
		{"*/7 9-17 * * 1-5", time.Minute, 10 * 24 * time.Hour, func(t time.Time) bool {
			return t.Second() == 0 && t.Minute()%7 == 0 && t.Hour() >= 9 && t.Hour() <= 17 && isWeekday(t)
		}},
		{"15 */3 */10 * *", time.Minute, 62 * 24 * time.Hour, func(t time.Time) bool {
			return t.Second() == 0 && t.Minute() == 15 && t.Hour()%3 == 0 && (t.Day()-1)%10 == 0
		}},
		{"*/13 59 23 L * *", time.Second, 2 * 24 * time.Hour, func(t time.Time) bool {
			return t.Second()%13 == 0 && t.Minute() == 59 && t.Hour() == 23 && t.Day() == lastDay(t)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s := mustParse(t, tt.spec)
			from := start
			if tt.step == time.Second {
				from = time.Date(2023, 1, 30, 12, 0, 0, 0, time.UTC) // around a month end
			}
			end := from.Add(tt.span)
			var want, got []time.Time
			for c := from.Add(tt.step); !c.After(end); c = c.Add(tt.step) {
				if tt.match(c) {
					want = append(want, c)
				}
			}
			for c := s.Next(from); !c.IsZero() && !c.After(end); c = s.Next(c) {
				got = append(got, c)
			}
			if len(want) == 0 {
				t.Fatalf("reference found no activation: bad test")
			}
			if !slices.EqualFunc(got, want, time.Time.Equal) {
				i := 0
				for i < min(len(got), len(want)) && got[i].Equal(want[i]) {
					i++
				}
				t.Errorf("Parse(%q): %d activations, brute force %d; first difference at index %d: got %v, want %v",
					tt.spec, len(got), len(want), i, got[i:min(i+3, len(got))], want[i:min(i+3, len(want))])
			}
		})
	}
}

// TestNextProperties checks, for many specs, zones and start times, that
// Next(t) is after t, on a whole second, in t's location, and that asking
// from any earlier point between t and Next(t) gives the same answer (no
// activation skipped).
func TestNextProperties(t *testing.T) {
	specs := []string{
		"* * * * * *", "*/7 * * * *", "30 2 * * *", "30 1 * * *", "0 */2 * * *", "@hourly",
		"0 0 L * *", "0 0 LW * *", "0 0 1W * *", "0 0 * * 5L", "0 0 * * MON#1", "0 0 13 * 5",
		"0 0 29 2 *", "15 3 * 3,10,11 SUN", "CRON_TZ=Australia/Lord_Howe */15 1-2 * * *",
	}
	zones := []string{"UTC", "America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "America/Havana"}
	rng := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, spec := range specs {
		s := mustParse(t, spec)
		for _, zone := range zones {
			loc := mustZone(t, zone)
			for range 40 {
				from := time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9)).In(loc)
				checkNext(t, spec, s, from, rng)
			}
		}
	}
}

func checkNext(t *testing.T, spec string, s cron.Schedule, from time.Time, rng *rand.Rand) {
	t.Helper()
	next := s.Next(from)
	if next.IsZero() {
		return
	}
	switch {
	case !next.After(from):
		t.Errorf("Parse(%q).Next(%s) = %s, not after", spec, from, next)
	case next.Nanosecond() != 0:
		t.Errorf("Parse(%q).Next(%s) = %s, not a whole second", spec, from, next)
	case next.Location() != from.Location():
		t.Errorf("Parse(%q).Next(%s) in %s, want %s", spec, from, next.Location(), from.Location())
	}
	mid := from.Add(time.Duration(rng.Int64N(int64(next.Sub(from)))))
	if again := s.Next(mid); !again.Equal(next) {
		t.Errorf("Parse(%q): Next(%s) = %s but Next(%s) = %s", spec, from, next, mid, again)
	}
	if again := s.Next(next.Add(-time.Second)); !again.Equal(next) {
		t.Errorf("Parse(%q): Next(%s) = %s but Next(1s before) = %s", spec, from, next, again)
	}
}
