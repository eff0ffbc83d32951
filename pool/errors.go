package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// Sentinel errors. Match them with errors.Is: the pool wraps them with detail.
var (
	// ErrClosed is returned by Go, Submit, TrySubmit and Call once Close or
	// Shutdown has begun. Nothing was enqueued and the function never runs.
	ErrClosed = errors.New("pool: closed")

	// ErrQueueFull is returned by TrySubmit (and by every submit under the
	// Reject policy) when the bounded queue is full. Nothing was enqueued.
	ErrQueueFull = errors.New("pool: queue full")

	// ErrShutdown is the error of every job that Shutdown cancelled because
	// its context ended before the job could finish. Such errors also match
	// context.Canceled.
	ErrShutdown = errors.New("pool: shut down before the job finished")

	// ErrDropped is the error of a job evicted from a full queue under the
	// DropOldest policy. It never ran; the error also matches context.Canceled.
	ErrDropped = errors.New("pool: dropped from a full queue")

	// ErrNilFunc is returned by every submit when the function is nil.
	ErrNilFunc = errors.New("pool: nil function")

	// ErrInvalidOption is wrapped by the error New, Submit and friends return
	// for an invalid argument or option, such as workers < 1, a negative queue
	// size or an unknown priority.
	ErrInvalidOption = errors.New("pool: invalid option")
)

// cancelError is the error of a job the pool cancelled for a reason: it
// matches both the reason (ErrShutdown, ErrDropped) and context.Canceled, so
// callers that only know the context contract still recognise it.
type cancelError struct{ reason error }

func (e *cancelError) Error() string { return e.reason.Error() }

func (e *cancelError) Unwrap() []error { return []error{e.reason, context.Canceled} }

var (
	errShutdownCancel = &cancelError{ErrShutdown}
	errDroppedCancel  = &cancelError{ErrDropped}
)

// PanicError is the error of a job whose function panicked. The pool recovers
// the panic so the worker survives, and keeps the value and the stack of the
// panicking goroutine.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
	// Stack is the goroutine's stack at the time of the panic.
	Stack []byte
}

func newPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Error reports the panic value; the stack is in the Stack field.
func (e *PanicError) Error() string {
	return fmt.Sprintf("pool: job panicked: %v", e.Value)
}

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}
