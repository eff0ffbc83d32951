package cron_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/threadsystem/threadsystem/cron"
)

// TestParseErrors checks that each kind of bad spec gives a *ParseError
// naming the field and the problem, matching ErrSyntax.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		spec, field, msg string
	}{
		{"", "", "cron: empty spec"},
		{"   ", "", "cron: empty spec"},
		{"* * * *", "", "cron: expected 5 or 6 fields, found 4"},
		{"* * * * * * *", "", "cron: expected 5 or 6 fields, found 7"},
		{"0 25 * * *", "hour", `cron: field "hour": 25 out of range 0-23`},
		{"60 * * * *", "minute", `cron: field "minute": 60 out of range 0-59`},
		{"60 * * * * *", "second", `cron: field "second": 60 out of range 0-59`},
		{"* * 0 * *", "day of month", `cron: field "day of month": 0 out of range 1-31`},
		{"* * 32 * *", "day of month", `cron: field "day of month": 32 out of range 1-31`},
		{"* * * 13 *", "month", `cron: field "month": 13 out of range 1-12`},
		{"* * * * 8", "day of week", `cron: field "day of week": 8 out of range 0-7`},
		{"* 99999999999999999999 * * *", "hour", `cron: field "hour": 99999999999999999999 out of range 0-23`},
		{"* * * FOO *", "month", `cron: field "month": unknown name "FOO" in "FOO"`},
		{"* * * jan-foo *", "month", `cron: field "month": unknown name "foo" in "jan-foo"`},
		{"* * * * MONDAY", "day of week", `cron: field "day of week": unknown name "MONDAY" in "MONDAY"`},
		{"x * * * *", "minute", `cron: field "minute": bad value "x" in "x"`},
		{"*/0 * * * *", "minute", `cron: field "minute": bad step "0" in "*/0": want a positive number`},
		{"*/-1 * * * *", "minute", `cron: field "minute": bad step "-1" in "*/-1": want a positive number`},
		{"*/ * * * *", "minute", `cron: field "minute": bad step "" in "*/": want a positive number`},
		{"1/2/3 * * * *", "minute", `cron: field "minute": too many slashes in "1/2/3"`},
		{"1-2-3 * * * *", "minute", `cron: field "minute": too many hyphens in "1-2-3"`},
		{"-5 * * * *", "minute", `cron: field "minute": missing value in "-5"`},
		{"30-10 * * * *", "minute", `cron: field "minute": range start 30 beyond end 10 in "30-10"`},
		{"* * * * FRI-MON", "day of week", `cron: field "day of week": range start 5 beyond end 1 in "FRI-MON"`},
		{"1,,2 * * * *", "minute", `cron: field "minute": empty item in list "1,,2"`},
		{"@every", "", `cron: @every: bad duration "": time: invalid duration ""`},
		{"@every x", "", `cron: @every: bad duration "x": time: invalid duration "x"`},
		{"@every 0s", "", "cron: @every: duration 0s is not positive"},
		{"@every -5m", "", "cron: @every: duration -5m0s is not positive"},
		{"@fortnightly", "", `cron: unknown descriptor "@fortnightly"`},
		{"@daily extra", "", `cron: unknown descriptor "@daily extra"`},
		{"CRON_TZ=Mars/Olympus 0 * * * *", "", `cron: time zone "Mars/Olympus": unknown time zone Mars/Olympus`},
		{"CRON_TZ=", "", "cron: no schedule after CRON_TZ="},
		{"TZ=UTC", "", "cron: no schedule after TZ=UTC"},
		{"CRON_TZ= 0 * * * *", "", "cron: empty time zone name after CRON_TZ="},
		{"0 L * * *", "hour", `cron: field "hour": "L" is only allowed in the day-of-month and day-of-week fields`},
		{"0 0 * L *", "month", `cron: field "month": "L" is only allowed in the day-of-month and day-of-week fields`},
		{"5W * * * *", "minute", `cron: field "minute": "W" is only allowed in the day-of-month field`},
		{"0 0 * * 5W", "day of week", `cron: field "day of week": "W" is only allowed in the day-of-month field`},
		{"0 0 * * LW", "day of week", `cron: field "day of week": "W" is only allowed in the day-of-month field`},
		{"0 0 * * L", "day of week", `cron: field "day of week": "L" in the day-of-week field needs a weekday before it, as in 5L or FRIL`},
		{"0 0 * * L-2", "day of week", `cron: field "day of week": "L-n" is only allowed in the day-of-month field`},
		{"0 0 5L * *", "day of month", `cron: field "day of month": "5L": nL (last given weekday) belongs in the day-of-week field; use L or L-n here`},
		{"0 0 L-31 * *", "day of month", `cron: field "day of month": offset in "L-31" out of range 0-30`},
		{"0 0 L-x * *", "day of month", `cron: field "day of month": offset in "L-x" out of range 0-30`},
		{"0 0 32W * *", "day of month", `cron: field "day of month": 32 out of range 1-31`},
		{"0 0 1#2 * *", "day of month", `cron: field "day of month": "#" is only allowed in the day-of-week field`},
		{"0 1#2 * * *", "hour", `cron: field "hour": "#" is only allowed in the day-of-week field`},
		{"0 0 * * 1#6", "day of week", `cron: field "day of week": occurrence "6" in "1#6" out of range 1-5`},
		{"0 0 * * 1#0", "day of week", `cron: field "day of week": occurrence "0" in "1#0" out of range 1-5`},
		{"0 0 * * 8#1", "day of week", `cron: field "day of week": 8 out of range 0-7`},
		{"0 0 * * 8L", "day of week", `cron: field "day of week": 8 out of range 0-7`},
	}
	for _, tt := range tests {
		s, err := cron.Parse(tt.spec)
		if err == nil {
			t.Errorf("Parse(%q) = %v, nil; want error %q", tt.spec, s, tt.msg)
			continue
		}
		if s != nil {
			t.Errorf("Parse(%q) returned schedule %v with error", tt.spec, s)
		}
		if got := err.Error(); got != tt.msg {
			t.Errorf("Parse(%q) error:\n got %s\nwant %s", tt.spec, got, tt.msg)
		}
		if !errors.Is(err, cron.ErrSyntax) {
			t.Errorf("Parse(%q) error %v does not match ErrSyntax", tt.spec, err)
		}
		var pe *cron.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error %T is not a *ParseError", tt.spec, err)
			continue
		}
		if pe.Field != tt.field || pe.Spec != tt.spec {
			t.Errorf("Parse(%q): Field %q Spec %q, want %q %q", tt.spec, pe.Field, pe.Spec, tt.field, tt.spec)
		}
	}
}

// TestParseErrorWrapsCause checks that the cause of a zone or duration error
// is reachable with errors.As.
func TestParseErrorWrapsCause(t *testing.T) {
	_, err := cron.Parse("@every 5x")
	var pe *cron.ParseError
	if !errors.As(err, &pe) || pe.Err == nil || !strings.Contains(pe.Err.Error(), "time: unknown unit") {
		t.Errorf("Parse(@every 5x) = %v, want a *ParseError wrapping the time.ParseDuration error", err)
	}
}
