package cron

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// descriptors maps each @-descriptor to the fields it stands for.
var descriptors = [...]struct{ name, fields string }{
	{"@yearly", "0 0 0 1 1 *"},
	{"@annually", "0 0 0 1 1 *"},
	{"@monthly", "0 0 0 1 * *"},
	{"@weekly", "0 0 0 * * 0"},
	{"@daily", "0 0 0 * * *"},
	{"@midnight", "0 0 0 * * *"},
	{"@hourly", "0 0 * * * *"},
}

// Parse parses a cron spec in the robfig/cron v3 dialect with optional
// seconds, plus the L, W and # extensions: see the package documentation for
// the grammar. It returns a *SpecSchedule, or an Every for "@every".
//
// Every error is a *ParseError that matches ErrSyntax. A CRON_TZ= or TZ=
// prefix loads its zone with time.LoadLocation, so the host's zone database
// (or an import of time/tzdata) must know it. Parse is safe for concurrent
// use; it does not block apart from that zone lookup.
func Parse(spec string) (Schedule, error) {
	trimmed := strings.TrimSpace(spec)
	sched, err := parse(trimmed)
	if err != nil {
		err.Spec = spec
		return nil, err
	}
	if s, ok := sched.(*SpecSchedule); ok {
		s.spec = trimmed
	}
	return sched, nil
}

func parse(spec string) (Schedule, *ParseError) {
	if spec == "" {
		return nil, &ParseError{Err: errors.New("empty spec")}
	}
	var loc *time.Location
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		rest, ok := strings.CutPrefix(spec, prefix)
		if !ok {
			continue
		}
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return nil, &ParseError{Err: fmt.Errorf("no schedule after %s%s", prefix, rest)}
		}
		name, fields := rest[:i], strings.TrimSpace(rest[i:])
		if name == "" {
			return nil, &ParseError{Err: fmt.Errorf("empty time zone name after %s", prefix)}
		}
		l, err := time.LoadLocation(name)
		if err != nil {
			return nil, &ParseError{Err: fmt.Errorf("time zone %q: %w", name, err)}
		}
		loc, spec = l, fields
		break
	}
	if strings.HasPrefix(spec, "@") {
		return parseDescriptor(spec, loc)
	}
	return parseFields(spec, loc)
}

// parseDescriptor handles "@every <duration>" and the named descriptors.
func parseDescriptor(spec string, loc *time.Location) (Schedule, *ParseError) {
	word, arg, _ := strings.Cut(spec, " ")
	if strings.EqualFold(word, "@every") {
		arg = strings.TrimSpace(arg)
		d, err := time.ParseDuration(arg)
		if err != nil {
			return nil, &ParseError{Err: fmt.Errorf("@every: bad duration %q: %w", arg, err)}
		}
		if d <= 0 {
			return nil, &ParseError{Err: fmt.Errorf("@every: duration %s is not positive", d)}
		}
		return Every(d), nil
	}
	for _, desc := range descriptors {
		if strings.EqualFold(spec, desc.name) {
			return parseFields(desc.fields, loc)
		}
	}
	return nil, &ParseError{Err: fmt.Errorf("unknown descriptor %q", spec)}
}

// parseFields parses five or six whitespace-separated fields.
func parseFields(text string, loc *time.Location) (Schedule, *ParseError) {
	fields := strings.Fields(text)
	switch len(fields) {
	case 5:
		fields = append([]string{"0"}, fields...)
	case 6:
	default:
		return nil, &ParseError{Err: fmt.Errorf("expected 5 or 6 fields, found %d", len(fields))}
	}
	s := &SpecSchedule{loc: loc}
	for k, f := range fields {
		if err := s.parseField(fieldKind(k), f); err != nil {
			return nil, &ParseError{Field: fieldInfos[k].name, Err: err}
		}
	}
	return s, nil
}
