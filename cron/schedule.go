package cron

import (
	"math/bits"
	"time"
)

// Schedule is a parsed cron spec: it tells when a job runs next.
//
// Parse returns a *SpecSchedule for field specs and descriptors and an Every
// for "@every". Implementations in this package are immutable values, safe to
// use from many goroutines at once; Next never blocks and never allocates.
type Schedule interface {
	// Next returns the first activation strictly after t, in t's location,
	// or the zero time if there is none within the search horizon.
	Next(t time.Time) time.Time
}

// horizonYears bounds the search of SpecSchedule.Next: it looks through the
// end of the calendar year that is this many years after t's year.
const horizonYears = 5

// SpecSchedule is a schedule given by cron fields (or a descriptor such as
// @daily, which stands for fields). Build one with Parse; the zero value
// never fires (Next returns the zero time). A *SpecSchedule is immutable and
// safe for concurrent use.
type SpecSchedule struct {
	second, minute, hour uint64 // bit v set: value v matches
	dom, month, dow      uint64 // dom bits 1-31, month bits 1-12, dow bits 0-6
	domStar, dowStar     bool   // field was "*" or "?" (robfig's star bit)
	hourStepped          bool   // hour field uses *, ? or /: repeats per real hour
	domLast              uint64 // bit k: "L-k", the k-th day before the last
	domLastWeekday       bool   // "LW"
	domNearest           uint64 // bit n: "nW", nearest weekday to day n
	dowLast              uint64 // bit w: "wL", last weekday w of the month
	dowNth               [7]uint8
	loc                  *time.Location // nil: use the location of Next's argument
	spec                 string
}

// String returns the spec that Parse was given, without surrounding space.
func (s *SpecSchedule) String() string { return s.spec }

// Location returns the zone named by a CRON_TZ= or TZ= prefix, or nil when
// the spec had none and Next uses the location of its argument.
func (s *SpecSchedule) Location() *time.Location { return s.loc }

// Next returns the first activation strictly after t, or the zero time if
// there is none before the end of the fifth calendar year after t's year
// (as robfig/cron). The fields are read as wall-clock time in the spec's zone,
// or else in t's location; the result is in t's location. Daylight-saving
// transitions follow the rules in the package documentation. Sub-second parts
// of t are ignored, and activations fall on whole seconds.
//
// Next is safe for concurrent use, does not block and does not allocate. It
// advances field by field, never minute by minute: about 100-200 ns for
// common specs, about 1 µs when the answer is years ahead across many
// daylight-saving changes.
func (s *SpecSchedule) Next(t time.Time) time.Time {
	loc := s.loc
	if loc == nil {
		loc = t.Location()
	}
	cur := t.Unix() + 1 // earliest instant allowed, in Unix seconds
	at := time.Unix(cur, 0).In(loc)
	off := offset(at)
	y, _, _ := civilFromDays(floorDiv(cur+off, 86400))
	maxYear := y + horizonYears

	// Walk zone periods, spans of one UTC offset in which wall clock and
	// instants map one to one. The period holding cur began at ps, after a
	// period with offset prev (prev == off: no change of offset).
	ps, prev := cur, off
	if start, _ := at.ZoneBounds(); !start.IsZero() && start.Unix() <= cur {
		ps = start.Unix()
		prev = offset(time.Unix(ps-1, 0).In(loc))
	}
	for {
		from := cur + off // wall-clock seconds to search from
		gapEnd := from    // a match before gapEnd lies in a spring-forward gap
		if !s.hourStepped {
			switch {
			case prev > off:
				// Fall back: wall times in [ps+off, ps+prev) happened
				// in the previous period; a fixed-hour job ran then.
				from = max(from, ps+prev)
			case prev < off && cur == ps:
				// Spring forward: wall times in [ps+prev, ps+off) never
				// happen; a fixed-hour job due then runs at ps.
				from = ps + prev
			}
		}
		c, ok := s.nextWall(from, maxYear)
		if !ok {
			return time.Time{}
		}
		if c < gapEnd {
			return time.Unix(cur, 0).In(t.Location())
		}
		end, bounded := periodEnd(at, cur, off)
		if !bounded || c < end+off {
			return time.Unix(c-off, 0).In(t.Location())
		}
		ps, prev, cur = end, off, end
		at = time.Unix(cur, 0).In(loc)
		off = offset(at)
	}
}

// offset returns t's offset from UTC in seconds.
func offset(t time.Time) int64 {
	_, off := t.Zone()
	return int64(off)
}

// periodEnd returns the instant (Unix seconds) at which the offset off in
// effect at at, whose Unix time is cur, next changes, or false if it never
// does.
func periodEnd(at time.Time, cur, off int64) (int64, bool) {
	_, end := at.ZoneBounds()
	if end.IsZero() {
		return 0, false
	}
	if e := end.Unix(); e > cur {
		return e, true
	}
	// Go 1.26 can report a bound that is not after at when it extends a
	// zone's rules past its table (the last day of a leap year, seen in
	// America/New_York in 2040). Look one day ahead instead.
	loc := at.Location()
	lo, hi := cur, cur+86400
	if offset(time.Unix(hi-1, 0).In(loc)) == off {
		return hi, true
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if offset(time.Unix(mid, 0).In(loc)) == off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, true
}

// nextWall returns the first matching wall-clock time (seconds since
// 1970-01-01 00:00 wall time) at or after w, looking no further than the end
// of year maxYear.
func (s *SpecSchedule) nextWall(w int64, maxYear int64) (int64, bool) {
	days := floorDiv(w, 86400)
	secs := int(w - days*86400)
	y, mo, d := civilFromDays(days)
	h, mi, sec := secs/3600, secs/60%60, secs%60
	maskY, maskM, mask := int64(0), 0, uint64(0)
	for y <= maxYear {
		m := nextBit(s.month, mo)
		if m < 0 {
			y, mo, d, h, mi, sec = y+1, 1, 1, 0, 0, 0
			continue
		}
		if m != mo {
			mo, d, h, mi, sec = m, 1, 0, 0, 0
		}
		if maskY != y || maskM != mo {
			maskY, maskM, mask = y, mo, s.dayMask(y, mo)
		}
		dd := nextBit(mask, d)
		if dd < 0 {
			mo, d, h, mi, sec = mo+1, 1, 0, 0, 0
			continue
		}
		if dd != d {
			d, h, mi, sec = dd, 0, 0, 0
		}
		hh := nextBit(s.hour, h)
		if hh < 0 {
			d, h, mi, sec = d+1, 0, 0, 0
			continue
		}
		if hh != h {
			h, mi, sec = hh, 0, 0
		}
		mm := nextBit(s.minute, mi)
		if mm < 0 {
			h, mi, sec = h+1, 0, 0
			continue
		}
		if mm != mi {
			mi, sec = mm, 0
		}
		ss := nextBit(s.second, sec)
		if ss < 0 {
			mi, sec = mi+1, 0
			continue
		}
		return daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+ss), true
	}
	return 0, false
}

// dayMask returns the days (bits 1-31) of month m of year y on which s fires.
func (s *SpecSchedule) dayMask(y int64, m int) uint64 {
	n := daysIn(y, m)
	first := weekday(daysFromCivil(y, m, 1)) // weekday of day 1
	all := uint64(1)<<uint(n+1) - 2

	dom := s.dom
	for b := s.domLast; b != 0; b &= b - 1 {
		if k := bits.TrailingZeros64(b); k < n {
			dom |= 1 << uint(n-k)
		}
	}
	if s.domLastWeekday {
		dom |= 1 << uint(nearestWeekday(n, n, first))
	}
	for b := s.domNearest; b != 0; b &= b - 1 {
		if q := bits.TrailingZeros64(b); q <= n {
			dom |= 1 << uint(nearestWeekday(q, n, first))
		}
	}

	var week, dow uint64 // week: days 1-7 matching the plain weekday set
	for w := range 7 {
		d0 := (w-first+7)%7 + 1 // first day of the month that is weekday w
		if s.dow&(1<<uint(w)) != 0 {
			week |= 1 << uint(d0)
		}
		if s.dowLast&(1<<uint(w)) != 0 {
			dow |= 1 << uint(d0+7*((n-d0)/7))
		}
		for b := s.dowNth[w]; b != 0; b &= b - 1 {
			if d := d0 + 7*bits.TrailingZeros8(b); d <= n {
				dow |= 1 << uint(d)
			}
		}
	}
	dow |= week | week<<7 | week<<14 | week<<21 | week<<28
	if s.domStar || s.dowStar {
		return dom & dow & all
	}
	return (dom | dow) & all
}

// nearestWeekday returns the weekday (Monday to Friday) nearest to day q of a
// month of n days whose day 1 is weekday first, without leaving the month
// (Quartz "qW"): Saturday moves to Friday, or to Monday the 3rd when q is 1;
// Sunday moves to Monday, or to Friday when q is the last day.
func nearestWeekday(q, n, first int) int {
	switch (first + q - 1) % 7 {
	case 6:
		if q == 1 {
			return 3
		}
		return q - 1
	case 0:
		if q == n {
			return q - 2
		}
		return q + 1
	}
	return q
}
