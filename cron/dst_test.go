package cron_test

import (
	"slices"
	"testing"
)

// TestDaylightSaving checks the documented rules in zones that jump both ways:
// a fixed-hour job in the spring-forward gap fires once at the end of the
// gap, and in the repeated fall-back hour once at the first occurrence; a job
// with "*", "?" or "/" in its hour field follows real time (nothing in the
// gap, both occurrences of the repeated hour).
func TestDaylightSaving(t *testing.T) {
	tests := []struct {
		name, zone, spec, from string
		want                   []string
	}{
		// New York: 2024-03-10 02:00 EST -> 03:00 EDT; 2024-11-03 02:00 EDT -> 01:00 EST.
		{"NY gap fixed", "America/New_York", "30 2 * * *", "2024-03-09T12:00:00-05:00",
			[]string{"2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00"}},
		{"NY gap fixed, several times", "America/New_York", "*/20 2 * * *", "2024-03-10T00:00:00-05:00",
			[]string{"2024-03-10T03:00:00-04:00", "2024-03-11T02:00:00-04:00", "2024-03-11T02:20:00-04:00"}},
		{"NY gap fixed, then after the gap", "America/New_York", "30 2,3 * * *", "2024-03-10T00:00:00-05:00",
			[]string{"2024-03-10T03:00:00-04:00", "2024-03-10T03:30:00-04:00", "2024-03-11T02:30:00-04:00"}},
		{"NY gap fixed, from the last second before", "America/New_York", "0 2 * * *", "2024-03-10T01:59:59-05:00",
			[]string{"2024-03-10T03:00:00-04:00"}},
		{"NY gap fixed, from the end of the gap", "America/New_York", "30 2 * * *", "2024-03-10T03:00:00-04:00",
			[]string{"2024-03-11T02:30:00-04:00"}},
		{"NY gap interval", "America/New_York", "30 * * * *", "2024-03-10T01:00:00-05:00",
			[]string{"2024-03-10T01:30:00-05:00", "2024-03-10T03:30:00-04:00", "2024-03-10T04:30:00-04:00"}},
		{"NY gap stepped hour", "America/New_York", "0 */2 * * *", "2024-03-10T00:30:00-05:00",
			[]string{"2024-03-10T04:00:00-04:00", "2024-03-10T06:00:00-04:00"}},
		{"NY repeat fixed", "America/New_York", "30 1 * * *", "2024-11-02T12:00:00-04:00",
			[]string{"2024-11-03T01:30:00-04:00", "2024-11-04T01:30:00-05:00"}},
		{"NY repeat fixed, from inside the second hour", "America/New_York", "30 1 * * *", "2024-11-03T01:15:00-05:00",
			[]string{"2024-11-04T01:30:00-05:00"}},
		{"NY repeat fixed, every minute of the hour", "America/New_York", "*/30 1 * * *", "2024-11-03T00:00:00-04:00",
			[]string{"2024-11-03T01:00:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-04T01:00:00-05:00"}},
		{"NY repeat interval", "America/New_York", "30 * * * *", "2024-11-03T00:00:00-04:00",
			[]string{"2024-11-03T00:30:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00", "2024-11-03T02:30:00-05:00"}},
		{"NY repeat @hourly", "America/New_York", "@hourly", "2024-11-03T00:30:00-04:00",
			[]string{"2024-11-03T01:00:00-04:00", "2024-11-03T01:00:00-05:00", "2024-11-03T02:00:00-05:00"}},
		{"NY hour after the repeat", "America/New_York", "0 2 * * *", "2024-11-03T00:00:00-04:00",
			[]string{"2024-11-03T02:00:00-05:00", "2024-11-04T02:00:00-05:00"}},
		// London: 2024-03-31 01:00 GMT -> 02:00 BST; 2024-10-27 02:00 BST -> 01:00 GMT.
		{"London gap fixed", "Europe/London", "30 1 * * *", "2024-03-30T12:00:00Z",
			[]string{"2024-03-31T02:00:00+01:00", "2024-04-01T01:30:00+01:00"}},
		{"London gap interval", "Europe/London", "15,45 * * * *", "2024-03-31T00:30:00Z",
			[]string{"2024-03-31T00:45:00Z", "2024-03-31T02:15:00+01:00"}},
		{"London repeat fixed", "Europe/London", "30 1 * * *", "2024-10-26T12:00:00+01:00",
			[]string{"2024-10-27T01:30:00+01:00", "2024-10-28T01:30:00Z"}},
		{"London repeat interval", "Europe/London", "*/30 * * * *", "2024-10-27T00:45:00+01:00",
			[]string{"2024-10-27T01:00:00+01:00", "2024-10-27T01:30:00+01:00", "2024-10-27T01:00:00Z", "2024-10-27T01:30:00Z", "2024-10-27T02:00:00Z"}},
		// Sydney: 2024-04-07 03:00 AEDT -> 02:00 AEST; 2024-10-06 02:00 AEST -> 03:00 AEDT.
		{"Sydney repeat fixed", "Australia/Sydney", "30 2 * * *", "2024-04-06T12:00:00+11:00",
			[]string{"2024-04-07T02:30:00+11:00", "2024-04-08T02:30:00+10:00"}},
		{"Sydney repeat interval", "Australia/Sydney", "0 * * * *", "2024-04-07T01:30:00+11:00",
			[]string{"2024-04-07T02:00:00+11:00", "2024-04-07T02:00:00+10:00", "2024-04-07T03:00:00+10:00"}},
		{"Sydney gap fixed", "Australia/Sydney", "30 2 * * *", "2024-10-05T12:00:00+10:00",
			[]string{"2024-10-06T03:00:00+11:00", "2024-10-07T02:30:00+11:00"}},
		{"Sydney gap interval", "Australia/Sydney", "*/20 * * * *", "2024-10-06T01:30:00+10:00",
			[]string{"2024-10-06T01:40:00+10:00", "2024-10-06T03:00:00+11:00", "2024-10-06T03:20:00+11:00"}},
		// Berlin: 2024-03-31 02:00 CET -> 03:00 CEST; 2024-10-27 03:00 CEST -> 02:00 CET.
		{"Berlin gap fixed", "Europe/Berlin", "30 2 * * *", "2024-03-30T12:00:00+01:00",
			[]string{"2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00"}},
		{"Berlin repeat fixed", "Europe/Berlin", "30 2 * * *", "2024-10-26T12:00:00+02:00",
			[]string{"2024-10-27T02:30:00+02:00", "2024-10-28T02:30:00+01:00"}},
		// Lord Howe moves by 30 minutes: 2024-04-07 02:00 +11 -> 01:30 +10:30;
		// 2024-10-06 02:00 +10:30 -> 02:30 +11.
		{"Lord Howe repeat fixed", "Australia/Lord_Howe", "45 1 * * *", "2024-04-06T12:00:00+11:00",
			[]string{"2024-04-07T01:45:00+11:00", "2024-04-08T01:45:00+10:30"}},
		{"Lord Howe repeat interval", "Australia/Lord_Howe", "*/15 * * * *", "2024-04-07T01:20:00+11:00",
			[]string{"2024-04-07T01:30:00+11:00", "2024-04-07T01:45:00+11:00", "2024-04-07T01:30:00+10:30", "2024-04-07T01:45:00+10:30", "2024-04-07T02:00:00+10:30"}},
		{"Lord Howe gap fixed", "Australia/Lord_Howe", "15 2 * * *", "2024-10-05T12:00:00+10:30",
			[]string{"2024-10-06T02:30:00+11:00", "2024-10-07T02:15:00+11:00"}},
		// @every counts elapsed time.
		{"NY @every across the gap", "America/New_York", "@every 1h", "2024-03-10T01:30:00-05:00",
			[]string{"2024-03-10T03:30:00-04:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustZone(t, tt.zone)
			got := nextN(mustParse(t, tt.spec), mustTime(t, tt.from, loc), len(tt.want))
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: Parse(%q).Next from %s:\n got %v\nwant %v", tt.zone, tt.spec, tt.from, got, tt.want)
			}
		})
	}
}

// TestDaylightSavingScheduleZone checks that CRON_TZ applies the rules in the
// schedule's zone while answering in the argument's location.
func TestDaylightSavingScheduleZone(t *testing.T) {
	tests := []struct {
		spec, from string
		want       []string
	}{
		{"CRON_TZ=Europe/Berlin 30 2 * * *", "2024-03-30T12:00:00Z",
			[]string{"2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z"}},
		{"CRON_TZ=America/New_York 30 1 * * *", "2024-11-02T12:00:00Z",
			[]string{"2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"}},
		{"TZ=America/New_York 30 * * * *", "2024-11-03T05:00:00Z",
			[]string{"2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z", "2024-11-03T07:30:00Z"}},
	}
	for _, tt := range tests {
		got := nextN(mustParse(t, tt.spec), mustTime(t, tt.from, nil), len(tt.want))
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q).Next from %s:\n got %v\nwant %v", tt.spec, tt.from, got, tt.want)
		}
	}
}

// TestDaylightSavingFarFuture checks zones past the end of their transition
// table, where Go extends the rules (and where time.ZoneBounds misreports
// the end of a leap year, golang/go#81583).
func TestDaylightSavingFarFuture(t *testing.T) {
	tests := []struct {
		zone, spec, from string
		want             []string
	}{
		{"America/New_York", "0 0 29 2 *", "2040-02-29T00:00:00-05:00",
			[]string{"2044-02-29T00:00:00-05:00"}},
		{"America/New_York", "0 12 31 12 *", "2040-12-30T12:00:00-05:00",
			[]string{"2040-12-31T12:00:00-05:00", "2041-12-31T12:00:00-05:00"}},
		{"Europe/Warsaw", "0 * * * *", "2040-12-31T22:30:00+01:00",
			[]string{"2040-12-31T23:00:00+01:00", "2041-01-01T00:00:00+01:00"}},
		{"America/New_York", "30 2 * * *", "2044-03-12T12:00:00-05:00",
			[]string{"2044-03-13T03:00:00-04:00", "2044-03-14T02:30:00-04:00"}},
	}
	for _, tt := range tests {
		loc := mustZone(t, tt.zone)
		got := nextN(mustParse(t, tt.spec), mustTime(t, tt.from, loc), len(tt.want))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Parse(%q).Next from %s:\n got %v\nwant %v", tt.zone, tt.spec, tt.from, got, tt.want)
		}
	}
}
