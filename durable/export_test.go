package durable

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nuid"
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

// ClaimUnique claims key as Enqueue does before it publishes its job, and
// publishes nothing: the claim of an Enqueue that a crash cut short. It
// returns the claimant's job ID, or the holder's ID and ErrDuplicate.
func (c *Client) ClaimUnique(ctx context.Context, key string) (string, error) {
	m := &Meta{ID: nuid.Next(), Unique: key}
	if _, first, err := c.claim(ctx, m); err != nil {
		return first, err
	}
	return m.ID, nil
}

// LeaveClaimsProvisional makes c's Enqueue store jobs without making their
// unique claims lasting: the jobs of an Enqueue that died between its
// job's store and its claim's settling.
func LeaveClaimsProvisional(c *Client) { c.noSettle = true }
