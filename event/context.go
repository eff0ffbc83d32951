package event

import (
	"context"
	"time"
)

// eventCtx is the context a handler receives: its parent (Publish's context
// for Sync subscribers, the bus's for the others) plus the publish time. One
// is allocated per Publish and kind of subscriber, shared by the subscribers.
type eventCtx struct {
	context.Context
	at time.Time
}

type publishedAtKey struct{}

func (c *eventCtx) Value(key any) any {
	if key == (publishedAtKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// PublishedAt returns the time Publish was called for the event being
// handled, read from a handler's context or any context derived from it. It
// returns the zero Time for a context that did not come from the bus. The time
// comes from time.Now, so testing/synctest fakes it. Safe from many
// goroutines; it allocates nothing.
func PublishedAt(ctx context.Context) time.Time {
	if c, ok := ctx.(*eventCtx); ok {
		return c.at
	}
	if c, ok := ctx.Value(publishedAtKey{}).(*eventCtx); ok {
		return c.at
	}
	return time.Time{}
}
