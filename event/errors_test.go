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

// TestNilArgumentsAreRefused is issue 16 item 7: Publish and Close refuse a
// nil context or bus with an error naming it, and do nothing.
func TestNilArgumentsAreRefused(t *testing.T) {
	var nilCtx context.Context
	var nilBus *event.Bus
	tests := []struct {
		name string
		call func(b *event.Bus) error
		want string
	}{
		{"Publish nil ctx", func(b *event.Bus) error { return event.Publish(nilCtx, b, 1) },
			"event: invalid argument: Publish: nil context"},
		{"Publish nil bus", func(*event.Bus) error { return event.Publish(context.Background(), nilBus, 1) },
			"event: invalid argument: Publish: nil *Bus"},
		{"Close nil ctx", func(b *event.Bus) error { return b.Close(nilCtx) },
			"event: invalid argument: Close: nil context"},
		{"Close nil bus", func(*event.Bus) error { return nilBus.Close(context.Background()) },
			"event: invalid argument: Close: nil *Bus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := event.NewBus()
			var calls int
			event.Subscribe(b, func(context.Context, int) { calls++ }, event.Sync())
			err := tt.call(b)
			if !errors.Is(err, event.ErrInvalidArgument) || err.Error() != tt.want {
				t.Errorf("error = %v, want %q wrapping ErrInvalidArgument", err, tt.want)
			}
			if s := b.Stats(); calls != 0 || s.Published != 0 {
				t.Errorf("after the refusal: %d handler calls, Stats %+v; want none", calls, s)
			}
			if err := event.Publish(context.Background(), b, 2); err != nil || calls != 1 {
				t.Errorf("the bus no longer works after the refusal: Publish = %v, %d calls", err, calls)
			}
			closeBus(t, b)
		})
	}
}

func TestPublishedAtOfNilContextIsZero(t *testing.T) {
	var nilCtx context.Context
	if got := event.PublishedAt(nilCtx); !got.IsZero() {
		t.Errorf("PublishedAt(nil) = %v, want the zero time", got)
	}
}

func TestSubscribeNilBusPanicsNamingIt(t *testing.T) {
	defer func() {
		if r := recover(); r != "event: Subscribe with nil *Bus" {
			t.Errorf("recovered %v, want the nil *Bus message", r)
		}
	}()
	event.Subscribe(nil, func(context.Context, int) {})
}
