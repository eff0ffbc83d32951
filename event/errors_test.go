package event_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/threadsystem/threadsystem/event"
)

func TestErrorMessagesAndUnwrap(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		msg    string
		target error // errors.Is must hold; nil: Unwrap must return nil
	}{
		{"panic with error", &event.PanicError{Subscriber: "s", Value: io.EOF}, "event: handler s panicked: EOF", io.EOF},
		{"panic with string", &event.PanicError{Subscriber: "s", Value: "x"}, "event: handler s panicked: x", nil},
		{"undelivered", &event.UndeliveredError{Count: 3, Err: context.Canceled}, "event: close: 3 deliveries not made: context canceled", context.Canceled},
		{"closed", event.ErrClosed, "event: bus closed", event.ErrClosed},
		{"full", event.ErrFull, "event: subscriber buffer full", event.ErrFull},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.msg {
			t.Errorf("%s: Error() = %q, want %q", tt.name, got, tt.msg)
		}
		if tt.target == nil {
			if u := errors.Unwrap(tt.err); u != nil {
				t.Errorf("%s: Unwrap() = %v, want nil", tt.name, u)
			}
		} else if !errors.Is(tt.err, tt.target) {
			t.Errorf("%s: errors.Is(%v, %v) = false", tt.name, tt.err, tt.target)
		}
	}
}
