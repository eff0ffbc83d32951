// Cronretry parses a cron spec and lists its next activations, retries a
// flaky call with exponential backoff, and runs a cron entry on a pool
// whose runs are retried.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
	"github.com/threadsystem/threadsystem/schedule"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

var errBusy = errors.New("upstream busy")

func run() error {
	// Cron: the robfig/cron v3 dialect, computed without waiting.
	spec, err := cron.Parse("30 9 * * MON-FRI")
	if err != nil {
		return err
	}
	t := time.Date(2026, time.December, 4, 12, 0, 0, 0, time.UTC) // a Friday noon
	for range 3 {
		t = spec.Next(t)
		fmt.Println("next:", t.Format("Mon 2006-01-02 15:04"))
	}

	// Retry: exponential backoff with no jitter, so the delays are exact.
	ctx := context.Background()
	policy := retry.Policy{
		MaxAttempts:  5,
		InitialDelay: 10 * time.Millisecond,
		OnRetry: func(attempt int, err error, delay time.Duration) {
			fmt.Printf("attempt %d failed (%v); next in %v\n", attempt, err, delay)
		},
	}
	calls := 0
	err = retry.Do(ctx, policy, func(context.Context) error {
		if calls++; calls < 3 {
			return errBusy
		}
		return nil
	})
	fmt.Println("retry.Do:", calls, "calls, error", err)

	// Both on a pool: a cron entry every 10ms, three runs, each retried
	// once when its first attempt fails.
	p, err := pool.New(2)
	if err != nil {
		return err
	}
	defer p.Close()
	s := schedule.New(p)
	defer s.Close()
	var attempts atomic.Int32
	e, err := s.Cron("@every 10ms", func(context.Context) error {
		if attempts.Add(1)%2 == 1 {
			return errBusy // every first attempt
		}
		return nil
	}, schedule.MaxRuns(3), schedule.WithName("sync"),
		schedule.WithRetry(retry.Policy{MaxAttempts: 2, InitialDelay: time.Millisecond}))
	if err != nil {
		return err
	}
	<-e.Done()
	fmt.Printf("cron entry: %d runs, %d attempts, last error %v\n", e.Runs(), attempts.Load(), e.LastErr())
	return nil
}
