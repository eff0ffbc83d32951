package cron

import "errors"

// ErrSyntax is matched (with errors.Is) by every error that Parse returns:
// a malformed field, a wrong field count, an unknown name or descriptor, a bad
// @every duration, an unknown time zone. The concrete error is a *ParseError,
// which says which field is wrong and why.
var ErrSyntax = errors.New("cron: syntax error")

// ParseError is the error type returned by Parse. Its message reads
//
//	cron: field "hour": 25 out of range 0-23
//
// or, for a problem not tied to one field,
//
//	cron: expected 5 or 6 fields, found 3
//
// A *ParseError matches ErrSyntax with errors.Is, and also whatever Err wraps
// (for example the time.LoadLocation error for an unknown zone). It is a plain
// value: safe to share between goroutines once returned.
type ParseError struct {
	// Spec is the whole input given to Parse.
	Spec string
	// Field names the offending field ("second", "minute", "hour",
	// "day of month", "month", "day of week"); it is empty when the problem
	// is not in one field (field count, descriptor, @every, time zone).
	Field string
	// Err describes what is wrong, without the "cron: " prefix.
	Err error
}

// Error returns the message, prefixed with "cron: " and the field name if any.
func (e *ParseError) Error() string {
	if e.Field != "" {
		return "cron: field \"" + e.Field + "\": " + e.Err.Error()
	}
	return "cron: " + e.Err.Error()
}

// Unwrap returns ErrSyntax and the underlying error, so that errors.Is and
// errors.As see both.
func (e *ParseError) Unwrap() []error {
	return []error{ErrSyntax, e.Err}
}
