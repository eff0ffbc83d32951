package event_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/event"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Test event types: user implements named by value, so *user does too.
type (
	named interface{ Name() string }
	user  struct{ name string }
	order struct{ id int }
)

func (u user) Name() string { return u.name }

// log collects values from handlers running on any goroutine.
type log[T any] struct {
	mu  sync.Mutex
	got []T
}

func (l *log[T]) add(v T) {
	l.mu.Lock()
	l.got = append(l.got, v)
	l.mu.Unlock()
}

func (l *log[T]) list() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

func (l *log[T]) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.got)
}

// closeBus closes b and fails the test if Close reports anything.
func closeBus(t testing.TB, b *event.Bus) {
	t.Helper()
	if err := b.Close(context.Background()); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}
}

// mode is a delivery mode for tables that run over both.
type mode struct {
	name string
	opts []event.SubscribeOption
}

func (m mode) sync() bool { return m.name == "sync" }

// modes runs a table over both delivery modes.
var modes = []mode{
	{"async", nil},
	{"sync", []event.SubscribeOption{event.Sync()}},
}
