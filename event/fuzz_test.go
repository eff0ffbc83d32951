package event_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/event"
)

// Bits of FuzzSubscribeOptions' flags argument.
const (
	fuzzOnce = 1 << iota
	fuzzSync
)

// FuzzSubscribeOptions subscribes with fuzzed sizes (WithBuffer, Concurrent)
// and a fuzzed FullPolicy, holds the handler while k events are published
// one at a time, then releases it and closes the bus, inside a synctest
// bubble. Sizes are clamped, never refused, so it checks what the clamped
// values promise: min(k, n) events reach a running handler, the buffer takes
// up to its size of the rest, and the policy disposes of the others (Drop
// silently, Fail with ErrFull, Block with the publisher's context error),
// every error prefixed "event: "; Once takes one event and Sync all of them;
// Close returns nil; and the counts reconcile. A huge size must cost nothing
// until events wait.
func FuzzSubscribeOptions(f *testing.F) {
	f.Add(0, 0, 0, uint8(10), uint8(0))
	f.Add(4, 2, int(event.Drop), uint8(20), uint8(0))
	f.Add(1, 1, int(event.Fail), uint8(5), uint8(0))
	f.Add(3, 8, int(event.Block), uint8(16), uint8(0))
	f.Add(-5, -5, 99, uint8(7), uint8(0))
	f.Add(1<<40, 1<<30, int(event.Drop), uint8(64), uint8(0)) // huge sizes
	f.Add(2, 4, int(event.Fail), uint8(9), uint8(fuzzOnce))
	f.Add(2, 4, int(event.Fail), uint8(9), uint8(fuzzSync))
	f.Fuzz(func(t *testing.T, buffer, workers, policy int, events, flags uint8) {
		k := int(events % 65)
		p := event.FullPolicy(policy)
		opts := []event.SubscribeOption{event.WithBuffer(buffer), event.Concurrent(workers), event.WithFullPolicy(p)}
		once, sync := flags&fuzzOnce != 0, flags&fuzzSync != 0
		if once {
			opts = append(opts, event.Once())
		}
		if sync {
			opts = append(opts, event.Sync())
		}
		if p != event.Drop && p != event.Fail {
			p = event.Block
		}
		synctest.Test(t, func(t *testing.T) {
			b := event.NewBus()
			gate := make(chan struct{})
			var calls atomic.Int64
			event.Subscribe(b, func(context.Context, int) {
				calls.Add(1)
				if !sync {
					<-gate
				}
			}, opts...)
			synctest.Wait()
			var errs []error
			for i := range k {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				if err := event.Publish(ctx, b, i); err != nil {
					errs = append(errs, err)
				}
				cancel()
				synctest.Wait() // a delivery goroutine takes the event if it can
			}
			close(gate)
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			if err := b.Close(ctx); err != nil {
				t.Fatalf("Close() = %v", err)
			}
			delivered := k // Sync
			switch {
			case once:
				delivered = min(k, 1)
			case !sync:
				running := min(k, max(workers, 1))
				delivered = running + min(k-running, max(buffer, 1))
			}
			refused := 0
			if !sync && !once && p != event.Drop {
				refused = k - delivered
			}
			s := b.Stats()
			if int(calls.Load()) != delivered || int(s.Delivered) != delivered || len(errs) != refused ||
				int(s.Rejected) != refused || s.Published != uint64(k) {
				t.Fatalf("buffer %d, workers %d, %v, %d events: %d handler calls, %d errors, Stats %+v; want %d delivered, %d refused",
					buffer, workers, p, k, calls.Load(), len(errs), s, delivered, refused)
			}
			if s.Pending != 0 || s.Matched != s.Delivered+s.Failed+s.Dropped+s.Rejected+s.Abandoned {
				t.Fatalf("Stats %+v do not reconcile", s)
			}
			for _, err := range errs {
				want := event.ErrFull
				if p == event.Block {
					want = context.DeadlineExceeded
				}
				if !errors.Is(err, want) || !strings.HasPrefix(err.Error(), "event: ") {
					t.Fatalf("Publish error %q, want it to wrap %v with the prefix", err, want)
				}
			}
		})
	})
}
