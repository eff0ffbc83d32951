package cron_test

import (
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

// TestParseTimeZonePrefixes checks CRON_TZ= and TZ=: the schedule runs in
// that zone whatever the argument's location.
func TestParseTimeZonePrefixes(t *testing.T) {
	from := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		spec string
		want string
	}{
		{"CRON_TZ=America/New_York 0 9 * * *", "2024-06-01T13:00:00Z"},
		{"TZ=America/New_York 0 9 * * *", "2024-06-01T13:00:00Z"},
		{"CRON_TZ=Asia/Kolkata 0 9 * * *", "2024-06-01T03:30:00Z"},
		{"CRON_TZ=Asia/Tokyo @daily", "2024-06-01T15:00:00Z"},
		{"CRON_TZ=Asia/Tokyo\t@every 1h", "2024-06-01T01:00:00Z"},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.spec).Next(from).Format(time.RFC3339); got != tt.want {
			t.Errorf("Parse(%q).Next(%s) = %s, want %s", tt.spec, from, got, tt.want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for _, spec := range []string{"*/5 * * * *", "0 30 9 * * MON-FRI", "0 0 L,15W * *", "CRON_TZ=UTC 0 0 * * 5L"} {
		b.Run(spec, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cron.Parse(spec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
