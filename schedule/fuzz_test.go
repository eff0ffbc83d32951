package schedule_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/schedule"
)

// Bits of FuzzEntryOptions' opts argument: which options the entry gets.
const (
	optMaxRuns = 1 << iota
	optJitter
	optStart
	optEnd
	optOverlap
	optMisfire
	optSpacing
)

// FuzzEntryOptions adds one entry (After, At, Every or Cron, chosen by kind)
// with fuzzed durations, counts, bounds and policies, inside a synctest
// bubble. It checks that the call fails exactly for the inputs the docs call
// invalid, with an error wrapping ErrInvalid (and the *cron.ParseError for a
// bad spec) prefixed "schedule: "; that a valid entry's first firing is its
// delay (plus at most the jitter) from now; that an entry with a few MaxRuns
// and no EndAt ends after exactly that many runs (a Cron one after at most
// that many); and that Cancel ends any entry.
func FuzzEntryOptions(f *testing.F) {
	f.Add(uint8(0), int64(time.Second), "", uint8(0), 0, int64(0), int64(0), int64(0), uint8(0))
	f.Add(uint8(2), int64(time.Minute), "", uint8(optMaxRuns|optJitter), 3, int64(time.Second), int64(0), int64(0), uint8(0))
	f.Add(uint8(2), int64(time.Second), "", uint8(optMaxRuns|optSpacing|optOverlap), 2, int64(0), int64(0), int64(0), uint8(0x11))
	f.Add(uint8(3), int64(0), "*/5 * * * * *", uint8(optMaxRuns|optMisfire), 2, int64(0), int64(0), int64(0), uint8(0x01))
	f.Add(uint8(3), int64(0), "0 0 30 2 *", uint8(0), 0, int64(0), int64(0), int64(0), uint8(0)) // never fires
	f.Add(uint8(3), int64(0), "61 * * * *", uint8(0), 0, int64(0), int64(0), int64(0), uint8(0))
	f.Add(uint8(1), int64(-time.Hour), "", uint8(optStart|optEnd), 0, int64(0), int64(time.Hour), int64(time.Minute), uint8(0))
	f.Add(uint8(0), int64(-1), "", uint8(optMaxRuns|optJitter), 0, int64(-1), int64(0), int64(0), uint8(0))
	f.Add(uint8(2), int64(0), "", uint8(optOverlap|optMisfire|optSpacing), 0, int64(0), int64(0), int64(0), uint8(0xff))
	f.Add(uint8(0), int64(math.MaxInt64), "", uint8(optMaxRuns), math.MaxInt, int64(math.MaxInt64), int64(0), int64(0), uint8(0))
	f.Fuzz(func(t *testing.T, kind uint8, d int64, spec string, opts uint8, maxRuns int, jitter, start, end int64, policies uint8) {
		overlap, misfire, spacing := schedule.Overlap(policies&3), schedule.Misfire(policies>>2&3), schedule.Spacing(policies>>4&3)
		synctest.Test(t, func(t *testing.T) {
			_, s := setup(t, 1)
			now := time.Now()
			var eopts []schedule.EntryOption
			invalid := false
			if opts&optMaxRuns != 0 {
				eopts = append(eopts, schedule.MaxRuns(maxRuns))
				invalid = invalid || maxRuns < 1
			}
			if opts&optJitter != 0 {
				eopts = append(eopts, schedule.WithJitter(time.Duration(jitter)))
				invalid = invalid || jitter < 0
			} else {
				jitter = 0
			}
			if opts&optStart != 0 {
				eopts = append(eopts, schedule.StartAt(now.Add(time.Duration(start))))
			}
			if opts&optEnd != 0 {
				eopts = append(eopts, schedule.EndAt(now.Add(time.Duration(end))))
				invalid = invalid || opts&optStart != 0 && end < start
			}
			if opts&optOverlap != 0 {
				eopts = append(eopts, overlap)
				invalid = invalid || overlap > schedule.AllowOverlap
			}
			if opts&optMisfire != 0 {
				eopts = append(eopts, misfire)
				invalid = invalid || misfire > schedule.MissedSkip
			}
			if opts&optSpacing != 0 {
				eopts = append(eopts, spacing)
				invalid = invalid || spacing > schedule.FixedDelay || kind%4 != 2
			}
			var (
				e   *schedule.Entry
				err error
			)
			switch kind % 4 {
			case 0:
				e, err = s.After(time.Duration(d), nop, eopts...)
				invalid = invalid || d < 0
			case 1:
				e, err = s.At(now.Add(time.Duration(d)), nop, eopts...)
			case 2:
				e, err = s.Every(time.Duration(d), nop, eopts...)
				invalid = invalid || d <= 0
			case 3:
				e, err = s.Cron(spec, nop, eopts...)
				if _, perr := cron.Parse(spec); perr != nil {
					invalid = true
					var pe *cron.ParseError
					if !errors.As(err, &pe) {
						t.Fatalf("Cron(%q) = %v, want it to wrap the *cron.ParseError", spec, err)
					}
				}
			}
			if (err != nil) != invalid {
				t.Fatalf("kind %d, d %v, opts %#x: err = %v, want invalid %v", kind%4, time.Duration(d), opts, err, invalid)
			}
			if err != nil {
				if e != nil || !errors.Is(err, schedule.ErrInvalid) || !strings.HasPrefix(err.Error(), "schedule: ") {
					t.Fatalf("error %q (entry %v) does not wrap ErrInvalid with the prefix", err, e)
				}
				return
			}
			checkFirstFiring(t, e, kind%4, now, time.Duration(d), time.Duration(jitter), opts)
			if opts&optMaxRuns != 0 && maxRuns <= 3 && opts&optEnd == 0 {
				select {
				case <-e.Done():
				case <-time.After(6 * 366 * 24 * time.Hour):
					t.Fatalf("entry with MaxRuns(%d) still going after 6 years: %d runs", maxRuns, e.Runs())
				}
				want := maxRuns // Every
				switch kind % 4 {
				case 0, 1:
					want = 1 // After and At fire once
				case 3:
					want = min(e.Runs(), maxRuns) // a Cron spec may stop firing
				}
				if r := e.Runs(); r != want {
					t.Fatalf("entry with MaxRuns(%d) ended after %d runs, want %d", maxRuns, r, want)
				}
			}
			e.Cancel()
			select {
			case <-e.Done():
			case <-time.After(time.Minute):
				t.Fatalf("Done not closed a minute after Cancel")
			}
		})
	})
}

// checkFirstFiring checks Next of a new entry without StartAt: After and
// Every fire d from now, At at now+d or now if that is past, each plus at most
// the jitter (one due at once may have run already); a Cron entry fires after
// now or never.
func checkFirstFiring(t *testing.T, e *schedule.Entry, kind uint8, now time.Time, d, jitter time.Duration, opts uint8) {
	t.Helper()
	next := e.Next()
	if opts&(optStart|optEnd) != 0 || d > math.MaxInt64/4 || jitter > math.MaxInt64/4 {
		if !next.IsZero() && next.Before(now) {
			t.Fatalf("first firing %v is before now %v", next, now)
		}
		return
	}
	var want time.Time
	switch kind {
	case 0, 2:
		want = now.Add(d)
	case 1:
		want = now.Add(max(d, 0))
	case 3:
		if !next.IsZero() && !next.After(now) {
			t.Fatalf("Cron: first firing %v is not after now %v", next, now)
		}
		return
	}
	if next.IsZero() && !want.After(now) {
		return // due at once: the scheduler may have run it already
	}
	if next.Before(want) || jitter > 0 && !next.Before(want.Add(jitter)) || jitter == 0 && !next.Equal(want) {
		t.Fatalf("kind %d: first firing %v, want in [%v, %v) (d %v, jitter %v)", kind, next, want, want.Add(jitter), d, jitter)
	}
}
