package cron_test

import (
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// TestEveryParse checks what "@every" turns into: whole seconds, at least one.
func TestEveryParse(t *testing.T) {
	tests := []struct {
		spec     string
		interval time.Duration
		str      string
	}{
		{"@every 90s", 90 * time.Second, "@every 1m30s"},
		{"@every 1h30m", 90 * time.Minute, "@every 1h30m0s"},
		{"@every 1500ms", time.Second, "@every 1s"},
		{"@every 100ms", time.Second, "@every 1s"},
		{"@every 1ns", time.Second, "@every 1s"},
		{"@every   2m  ", 2 * time.Minute, "@every 2m0s"},
		{"@EVERY 5s", 5 * time.Second, "@every 5s"},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.spec)
		e, ok := s.(cron.Every)
		if !ok {
			t.Errorf("Parse(%q) = %T, want cron.Every", tt.spec, s)
			continue
		}
		if e.Interval() != tt.interval || e.String() != tt.str {
			t.Errorf("Parse(%q): Interval %s String %q, want %s %q", tt.spec, e.Interval(), e.String(), tt.interval, tt.str)
		}
	}
}

// TestEveryNext checks that Every adds its interval to t rounded down to the
// second, keeps t's location, and that the zero value acts as one second.
func TestEveryNext(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	base := time.Date(2024, 1, 1, 10, 0, 0, 0, paris)
	tests := []struct {
		every cron.Every
		from  time.Time
		want  time.Time
	}{
		{cron.Every(90 * time.Second), base, base.Add(90 * time.Second)},
		{cron.Every(90 * time.Second), base.Add(300 * time.Millisecond), base.Add(90 * time.Second)},
		{cron.Every(0), base.Add(999 * time.Millisecond), base.Add(time.Second)},
		{cron.Every(-time.Hour), base, base.Add(time.Second)},
		{cron.Every(2500 * time.Millisecond), base, base.Add(2 * time.Second)},
	}
	for _, tt := range tests {
		got := tt.every.Next(tt.from)
		if !got.Equal(tt.want) || got.Location() != paris {
			t.Errorf("%v.Next(%s) = %s, want %s in %s", tt.every, tt.from.Format(time.RFC3339Nano), got, tt.want, paris)
		}
	}
}

func BenchmarkEveryNext(b *testing.B) {
	e := cron.Every(time.Minute)
	from := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		e.Next(from)
	}
}
