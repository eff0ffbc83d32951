package schedule

import (
	"errors"
	"fmt"
)

// Sentinel errors. Match them with errors.Is: the scheduler wraps them with
// detail.
var (
	// ErrInvalid is wrapped by the error After, At, Every and Cron return
	// for bad input: a negative delay, a non-positive interval, a nil
	// function, a cron spec that does not parse (the *cron.ParseError is
	// wrapped too), an invalid or nil option, or options in conflict such as
	// EndAt before StartAt; they and Close return it for a nil *Scheduler.
	// Nothing was scheduled.
	ErrInvalid = errors.New("schedule: invalid argument")

	// ErrClosed is returned by After, At, Every, Cron and Close's callers'
	// later calls once Close has begun. Nothing was scheduled.
	ErrClosed = errors.New("schedule: closed")

	// ErrNilPool is returned by every method of a Scheduler made by New with
	// a nil pool, Close included. Such a Scheduler never runs anything.
	ErrNilPool = errors.New("schedule: nil pool")

	// errGoexit is the outcome error of a run whose function called
	// runtime.Goexit.
	errGoexit = errors.New("schedule: run called runtime.Goexit")
)

// invalidf returns an error wrapping ErrInvalid with detail.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// PanicError is the outcome error recorded on an entry whose function
// panicked. The panic still reaches the pool, which recovers it into its own
// *pool.PanicError and keeps the worker alive.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
}

// Error reports the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("schedule: run panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
