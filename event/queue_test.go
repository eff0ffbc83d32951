package event_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/event"
)

// fullSubscriber subscribes a handler that blocks until release is closed,
// with a buffer of one, and publishes events 0 (being handled) and 1
// (buffered), so the buffer is full when it returns.
func fullSubscriber(t *testing.T, b *event.Bus, got *log[int], opts ...event.SubscribeOption) (release chan struct{}) {
	t.Helper()
	release = make(chan struct{})
	event.Subscribe(b, func(_ context.Context, v int) {
		got.add(v)
		<-release
	}, append(opts, event.WithBuffer(1))...)
	for i := range 2 {
		if err := event.Publish(context.Background(), b, i); err != nil {
			t.Fatalf("Publish(%d) = %v", i, err)
		}
		synctest.Wait()
	}
	return release
}

func TestFullPolicy(t *testing.T) {
	tests := []struct {
		name    string
		policy  event.FullPolicy
		timeout time.Duration
		wantErr error
		wantGot []int
		want    event.Stats
	}{
		{"block honours ctx", event.Block, time.Second, context.DeadlineExceeded, []int{0, 1}, event.Stats{Rejected: 1}},
		{"drop is counted", event.Drop, 0, nil, []int{0, 1}, event.Stats{Dropped: 1}},
		{"fail returns ErrFull", event.Fail, 0, event.ErrFull, []int{0, 1}, event.Stats{Rejected: 1}},
		{"unknown policy blocks", event.FullPolicy(9), time.Second, context.DeadlineExceeded, []int{0, 1}, event.Stats{Rejected: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := event.NewBus()
				var got log[int]
				release := fullSubscriber(t, b, &got, event.WithFullPolicy(tt.policy), event.WithName("slow"))
				ctx := context.Background()
				if tt.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					defer cancel()
				}
				start := time.Now()
				err := event.Publish(ctx, b, 2)
				if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
					t.Errorf("Publish to full subscriber = %v, want %v", err, tt.wantErr)
				}
				if err != nil && !strings.Contains(err.Error(), "slow") {
					t.Errorf("error %q does not name the subscriber", err)
				}
				if waited := time.Since(start); waited != tt.timeout {
					t.Errorf("Publish waited %v, want %v", waited, tt.timeout)
				}
				close(release)
				closeBus(t, b)
				if l := got.list(); !slices.Equal(l, tt.wantGot) {
					t.Errorf("handled %v, want %v", l, tt.wantGot)
				}
				s := b.Stats()
				if s.Dropped != tt.want.Dropped || s.Rejected != tt.want.Rejected || s.Delivered != 2 {
					t.Errorf("Stats() = %+v, want dropped %d, rejected %d, delivered 2", s, tt.want.Dropped, tt.want.Rejected)
				}
			})
		})
	}
}

func TestBlockWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := event.NewBus()
		var got log[int]
		release := fullSubscriber(t, b, &got) // Block is the default
		errc := make(chan error, 1)
		go func() { errc <- event.Publish(context.Background(), b, 2) }()
		synctest.Wait()
		select {
		case err := <-errc:
			t.Fatalf("Publish to a full Block subscriber returned %v without waiting", err)
		default:
		}
		close(release)
		if err := <-errc; err != nil {
			t.Errorf("Publish after room freed = %v, want nil", err)
		}
		closeBus(t, b)
		if l := got.list(); !slices.Equal(l, []int{0, 1, 2}) {
			t.Errorf("handled %v, want [0 1 2]", l)
		}
	})
}

func TestWithBufferSetsCapacity(t *testing.T) {
	tests := []struct {
		n        int
		accepted int // by Publish before ErrFull, one of them taken by the handler
	}{
		{-5, 2}, {0, 2}, {1, 2}, {3, 4},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			b := event.NewBus()
			release := make(chan struct{})
			event.Subscribe(b, func(context.Context, int) { <-release },
				event.WithBuffer(tt.n), event.WithFullPolicy(event.Fail))
			accepted := 0
			for ; accepted < 10; accepted++ {
				if err := event.Publish(context.Background(), b, accepted); err != nil {
					break
				}
				synctest.Wait()
			}
			if accepted != tt.accepted {
				t.Errorf("WithBuffer(%d): %d events accepted, want %d", tt.n, accepted, tt.accepted)
			}
			close(release)
			closeBus(t, b)
		})
	}
}
