package event_test

import (
	"context"
	"testing"

	"github.com/threadsystem/threadsystem/event"
)

func TestFullPolicyString(t *testing.T) {
	tests := []struct {
		p    event.FullPolicy
		want string
	}{
		{event.Block, "block"},
		{event.Drop, "drop"},
		{event.Fail, "fail"},
		{event.FullPolicy(7), "FullPolicy(7)"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("FullPolicy(%d).String() = %q, want %q", int(tt.p), got, tt.want)
		}
	}
}

func TestNilOptionsAreIgnored(t *testing.T) {
	b := event.NewBus(nil)
	var n int
	event.Subscribe(b, func(context.Context, int) { n++ }, nil)
	if err := event.Publish(context.Background(), b, 1); err != nil {
		t.Fatal(err)
	}
	closeBus(t, b)
	if n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
}
