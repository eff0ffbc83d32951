package event

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by Publish once Close has been called on the bus,
// and, wrapped, for a delivery refused because Close gave up waiting (its
// context ended) while that Publish was still running.
var ErrClosed = errors.New("event: bus closed")

// ErrInvalidArgument is wrapped by the error Publish and Bus.Close return,
// doing nothing, for a nil context or a nil *Bus; the message names the
// argument, as in "event: invalid argument: Publish: nil context".
// Subscribe, which returns no error, panics instead for a nil bus or handler.
var ErrInvalidArgument = errors.New("event: invalid argument")

// Refusals of nil arguments, made once so that checking costs nothing.
var (
	errPublishNilCtx = invalidArg("Publish", "nil context")
	errPublishNilBus = invalidArg("Publish", "nil *Bus")
	errCloseNilCtx   = invalidArg("Close", "nil context")
	errCloseNilBus   = invalidArg("Close", "nil *Bus")
)

func invalidArg(call, what string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidArgument, call, what)
}

// ErrFull is returned, wrapped with the subscriber's name, by Publish when an
// asynchronous subscriber with the Fail policy has a full buffer. The event
// was not buffered for that subscriber; other subscribers still got it.
var ErrFull = errors.New("event: subscriber buffer full")

// PanicError is what a panicking handler becomes. The bus recovers the panic,
// counts the delivery as failed and passes a *PanicError to the handler set
// with WithErrorHandler; the panic never reaches the publisher or the other
// subscribers. It unwraps to Value when Value is an error.
type PanicError struct {
	// Subscriber names the subscription whose handler panicked (see WithName).
	Subscriber string
	// Value is the value passed to panic.
	Value any
	// Stack is the goroutine's stack at the point of the panic.
	Stack []byte
}

// Error reports the subscriber and the panic value; the stack is in Stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("event: handler %s panicked: %v", e.Subscriber, e.Value)
}

// Unwrap returns Value if it is an error, so errors.Is and errors.As see it.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// UndeliveredError is returned by Close when its context ends before every
// accepted event was delivered. Count deliveries (one per event and
// subscriber) were still buffered and are discarded; handlers already running
// are not counted here and finish on their own, seeing their context done.
// It unwraps to the context's error.
type UndeliveredError struct {
	// Count is the number of buffered deliveries discarded.
	Count uint64
	// Err is the error of the context passed to Close.
	Err error
}

// Error says how many deliveries were not made and why.
func (e *UndeliveredError) Error() string {
	return fmt.Sprintf("event: close: %d deliveries not made: %v", e.Count, e.Err)
}

// Unwrap returns Err, so errors.Is(err, context.DeadlineExceeded) works.
func (e *UndeliveredError) Unwrap() error { return e.Err }
