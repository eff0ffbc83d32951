package cron

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// fieldKind identifies one of the six time fields of a spec.
type fieldKind int

const (
	fieldSecond fieldKind = iota
	fieldMinute
	fieldHour
	fieldDom
	fieldMonth
	fieldDow
)

// fieldInfo holds the bounds and names of one field. max is the bound used
// for "*" and "N/step"; explicit values may go up to top (7 for Sunday in the
// day-of-week field).
type fieldInfo struct {
	name          string
	min, max, top int
	names         []string // names[i] is the value min+i
}

var fieldInfos = [...]fieldInfo{
	fieldSecond: {name: "second", min: 0, max: 59, top: 59},
	fieldMinute: {name: "minute", min: 0, max: 59, top: 59},
	fieldHour:   {name: "hour", min: 0, max: 23, top: 23},
	fieldDom:    {name: "day of month", min: 1, max: 31, top: 31},
	fieldMonth: {name: "month", min: 1, max: 12, top: 12, names: []string{
		"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	fieldDow: {name: "day of week", min: 0, max: 6, top: 7, names: []string{
		"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// parseField parses one comma-separated field into s.
func (s *SpecSchedule) parseField(k fieldKind, text string) error {
	var bits uint64
	for item := range strings.SplitSeq(text, ",") {
		if item == "" {
			return fmt.Errorf("empty item in list %q", text)
		}
		handled, err := s.parseSpecial(k, item)
		if err != nil {
			return err
		}
		if handled {
			continue
		}
		b, star, err := parseRange(k, item)
		if err != nil {
			return err
		}
		bits |= b
		switch {
		case k == fieldDom && star:
			s.domStar = true
		case k == fieldDow && star:
			s.dowStar = true
		case k == fieldHour && strings.ContainsAny(item, "*?/"):
			s.hourStepped = true
		}
	}
	switch k {
	case fieldSecond:
		s.second = bits
	case fieldMinute:
		s.minute = bits
	case fieldHour:
		s.hour = bits
	case fieldDom:
		s.dom = bits
	case fieldMonth:
		s.month = bits
	case fieldDow:
		s.dow = (bits | bits>>7) & 0x7f // 7 is Sunday too
	}
	return nil
}

// parseRange parses "*", "?", "N", "N-M", each optionally with "/step", and
// "N/step" meaning "N-max/step". It reports whether the item was a star
// without a step (robfig's star bit, used for the day-of-month/day-of-week
// rule).
func parseRange(k fieldKind, item string) (bits uint64, star bool, err error) {
	info := &fieldInfos[k]
	rangePart, stepPart, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		if strings.Contains(stepPart, "/") {
			return 0, false, fmt.Errorf("too many slashes in %q", item)
		}
		n, ok := parseNumber(stepPart)
		if !ok || n <= 0 {
			return 0, false, fmt.Errorf("bad step %q in %q: want a positive number", stepPart, item)
		}
		step = n
	}
	var lo, hi int
	if rangePart == "*" || rangePart == "?" {
		lo, hi = info.min, info.max
		star = step == 1
	} else {
		a, b, isRange := strings.Cut(rangePart, "-")
		if strings.Contains(b, "-") {
			return 0, false, fmt.Errorf("too many hyphens in %q", item)
		}
		if lo, err = parseValue(k, a, item); err != nil {
			return 0, false, err
		}
		switch {
		case isRange:
			if hi, err = parseValue(k, b, item); err != nil {
				return 0, false, err
			}
			if lo > hi {
				return 0, false, fmt.Errorf("range start %d beyond end %d in %q", lo, hi, item)
			}
		case hasStep:
			hi = max(info.max, lo)
		default:
			hi = lo
		}
	}
	step = min(step, hi-lo+1) // keeps v += step far from overflow
	for v := lo; v <= hi; v += step {
		bits |= 1 << uint(v)
	}
	return bits, star, nil
}

// parseValue parses a number or a name of field k, checked against its
// bounds. item is the whole list item, for messages.
func parseValue(k fieldKind, s, item string) (int, error) {
	info := &fieldInfos[k]
	if s == "" {
		return 0, fmt.Errorf("missing value in %q", item)
	}
	if n, ok := parseNumber(s); ok {
		if n < info.min || n > info.top {
			return 0, fmt.Errorf("%d out of range %d-%d", n, info.min, info.top)
		}
		return n, nil
	}
	if isDigits(s) {
		return 0, fmt.Errorf("%s out of range %d-%d", s, info.min, info.top)
	}
	for i, name := range info.names {
		if strings.EqualFold(s, name) {
			return info.min + i, nil
		}
	}
	if info.names != nil {
		return 0, fmt.Errorf("unknown name %q in %q", s, item)
	}
	return 0, fmt.Errorf("bad value %q in %q", s, item)
}

// parseSpecial handles the extensions L, L-n, LW, nW (day of month), nL and
// n#k (day of week), and reports misplaced ones.
func (s *SpecSchedule) parseSpecial(k fieldKind, item string) (bool, error) {
	up := strings.ToUpper(item)
	if strings.Contains(up, "#") {
		if k != fieldDow {
			return false, errors.New(`"#" is only allowed in the day-of-week field`)
		}
		wd, nth, _ := strings.Cut(item, "#")
		w, err := parseValue(k, wd, item)
		if err != nil {
			return false, err
		}
		n, ok := parseNumber(nth)
		if !ok || n < 1 || n > 5 {
			return false, fmt.Errorf("occurrence %q in %q out of range 1-5", nth, item)
		}
		s.dowNth[w%7] |= 1 << uint(n-1)
		return true, nil
	}
	if isName(k, item) {
		return false, nil // JUL ends in L but is a month
	}
	lastForm := up == "L" || up == "LW" || strings.HasPrefix(up, "L-")
	endsW := len(up) > 1 && strings.HasSuffix(up, "W")
	endsL := len(up) > 1 && strings.HasSuffix(up, "L")
	switch k {
	case fieldDom:
		switch {
		case up == "L":
			s.domLast |= 1
		case up == "LW":
			s.domLastWeekday = true
		case strings.HasPrefix(up, "L-"):
			n, ok := parseNumber(up[2:])
			if !ok || n > 30 {
				return false, fmt.Errorf("offset in %q out of range 0-30", item)
			}
			s.domLast |= 1 << uint(n)
		case endsW:
			n, err := parseValue(k, item[:len(item)-1], item)
			if err != nil {
				return false, err
			}
			s.domNearest |= 1 << uint(n)
		case endsL:
			return false, fmt.Errorf("%q: nL (last given weekday) belongs in the day-of-week field; use L or L-n here", item)
		default:
			return false, nil
		}
		return true, nil
	case fieldDow:
		switch {
		case up == "L":
			return false, errors.New(`"L" in the day-of-week field needs a weekday before it, as in 5L or FRIL`)
		case endsW || up == "LW":
			return false, errors.New(`"W" is only allowed in the day-of-month field`)
		case strings.HasPrefix(up, "L-"):
			return false, errors.New(`"L-n" is only allowed in the day-of-month field`)
		case endsL:
			w, err := parseValue(k, item[:len(item)-1], item)
			if err != nil {
				return false, err
			}
			s.dowLast |= 1 << uint(w%7)
			return true, nil
		}
		return false, nil
	}
	switch {
	case lastForm || endsL:
		return false, errors.New(`"L" is only allowed in the day-of-month and day-of-week fields`)
	case endsW:
		return false, errors.New(`"W" is only allowed in the day-of-month field`)
	}
	return false, nil
}

// isName reports whether s is one of field k's names.
func isName(k fieldKind, s string) bool {
	for _, name := range fieldInfos[k].names {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// parseNumber parses a non-negative decimal number of plain digits (no sign).
// It fails on overflow.
func parseNumber(s string) (int, bool) {
	if !isDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
