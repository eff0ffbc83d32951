package cron_test

import (
	"slices"
	"testing"
	"time"
)

// TestParseEquivalents checks that spellings which should mean the same
// schedule fire at the same times.
func TestParseEquivalents(t *testing.T) {
	tests := []struct{ a, b string }{
		{"@yearly", "0 0 1 1 *"},
		{"@annually", "0 0 0 1 1 ?"},
		{"@monthly", "0 0 1 * *"},
		{"@weekly", "0 0 * * SUN"},
		{"@daily", "0 0 * * *"},
		{"@midnight", "0 0 0 * * *"},
		{"@hourly", "0 * * * *"},
		{"@DAILY", "@daily"},
		{"0 0 * * 0", "0 0 * * 7"},
		{"0 0 * * mon-fri", "0 0 * * 1-5"},
		{"0 0 * jan-mar *", "0 0 * 1,2,3 *"},
		{"0 0 ? * ?", "0 0 * * *"},
		{"*/15 * * * *", "0,15,30,45 * * * *"},
		{"0 12 * * *", "0 0 12 * * *"},
		{"0 0 L-0 * *", "0 0 L * *"},
		{"0 0 * * 0#1", "0 0 * * 7#1"},
		{"0 0 * * SUNL", "0 0 * * 7L"},
		{"\t0  12 *\t* *  ", "0 12 * * *"},
		{"1/20 * * * * *", "1-59/20 * * * * *"},
		{"0 0 * * */2", "0 0 * * 0,2,4,6"},
	}
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		a, b := mustParse(t, tt.a), mustParse(t, tt.b)
		if ga, gb := nextN(a, from, 20), nextN(b, from, 20); !slices.Equal(ga, gb) {
			t.Errorf("%q and %q differ:\n %v\n %v", tt.a, tt.b, ga, gb)
		}
	}
}
