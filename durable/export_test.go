package durable

import (
	"context"
	"fmt"
	"time"
)

// FireTick fires the entry name's tick as Run does at that tick, for
// tests that must not wait for the clock.
func (s *Scheduler) FireTick(ctx context.Context, name string, tick time.Time) (Fire, error) {
	s.mu.Lock()
	e := s.entries[name]
	s.mu.Unlock()
	if e == nil {
		return Fire{}, fmt.Errorf("no entry %q", name)
	}
	return s.fire(ctx, e, tick), nil
}

// NextTick exposes nextTick.
var NextTick = nextTick
