package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/threadsystem/threadsystem/retry"
)

func ExampleDo() {
	calls := 0
	p := retry.Policy{
		MaxAttempts:  5,
		InitialDelay: time.Millisecond,
		OnRetry: func(attempt int, err error, delay time.Duration) {
			fmt.Printf("attempt %d failed (%v), waiting %v\n", attempt, err, delay)
		},
	}
	err := retry.Do(context.Background(), p, func(ctx context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("connection refused")
		}
		return nil
	})
	fmt.Println("err:", err, "after", calls, "calls")
	// Output:
	// attempt 1 failed (connection refused), waiting 1ms
	// attempt 2 failed (connection refused), waiting 2ms
	// err: <nil> after 3 calls
}

func ExampleDo_giveUp() {
	errDown := errors.New("service down")
	err := retry.Do(context.Background(), retry.Policy{MaxAttempts: 2, InitialDelay: time.Millisecond},
		func(ctx context.Context) error { return errDown })
	var re *retry.Error
	fmt.Println(err)
	fmt.Println(errors.Is(err, errDown), errors.As(err, &re) && re.Attempts == 2)
	// Output:
	// retry: gave up after 2 attempts: service down
	// true true
}

func ExampleDoValue() {
	calls := 0
	v, err := retry.DoValue(context.Background(), retry.Policy{InitialDelay: time.Millisecond},
		func(ctx context.Context) (int, error) {
			calls++
			if calls == 1 {
				return 0, errors.New("timeout")
			}
			return 42, nil
		})
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExamplePolicy_Delay() {
	p := retry.Policy{InitialDelay: time.Second, MaxDelay: 10 * time.Second}
	for attempt := 1; attempt <= 6; attempt++ {
		fmt.Printf("after attempt %d: %v\n", attempt, p.Delay(attempt))
	}
	fmt.Println("after attempt 1000:", p.Delay(1000))
	// Output:
	// after attempt 1: 1s
	// after attempt 2: 2s
	// after attempt 3: 4s
	// after attempt 4: 8s
	// after attempt 5: 10s
	// after attempt 6: 10s
	// after attempt 1000: 10s
}

func ExamplePolicy_Next() {
	// A scheduler re-queues a failed job itself instead of calling Do.
	p := retry.Policy{MaxAttempts: 3, InitialDelay: time.Second}
	err := errors.New("busy")
	for attempt := 1; ; attempt++ {
		delay, ok := p.Next(attempt, err)
		if !ok {
			fmt.Printf("attempt %d: give up\n", attempt)
			break
		}
		fmt.Printf("attempt %d: run again in %v\n", attempt, delay)
	}
	_, ok := p.Next(1, retry.Permanent(err))
	fmt.Println("permanent retried:", ok)
	// Output:
	// attempt 1: run again in 1s
	// attempt 2: run again in 2s
	// attempt 3: give up
	// permanent retried: false
}

func ExamplePermanent() {
	errBadRequest := errors.New("400 bad request")
	calls := 0
	err := retry.Do(context.Background(), retry.Policy{MaxAttempts: retry.Forever}, func(ctx context.Context) error {
		calls++
		return retry.Permanent(fmt.Errorf("create user: %w", errBadRequest))
	})
	fmt.Println(err)
	fmt.Println("calls:", calls, "is bad request:", errors.Is(err, errBadRequest), "permanent:", retry.IsPermanent(err))
	// Output:
	// retry: permanent error on attempt 1: create user: 400 bad request
	// calls: 1 is bad request: true permanent: true
}

func ExampleBreaker() {
	b, err := retry.NewBreaker(retry.BreakerConfig{
		FailureThreshold: 2,
		OpenTimeout:      time.Minute,
		OnStateChange: func(from, to retry.BreakerState) {
			fmt.Printf("breaker: %v -> %v\n", from, to)
		},
	})
	if err != nil {
		panic(err)
	}
	flaky := func(ctx context.Context) error { return errors.New("unavailable") }
	for i := 1; i <= 3; i++ {
		err := b.Do(context.Background(), flaky)
		fmt.Printf("call %d: %v\n", i, err)
	}
	fmt.Println("state:", b.State(), "open:", errors.Is(b.Do(context.Background(), flaky), retry.ErrOpen))
	// Output:
	// call 1: unavailable
	// breaker: closed -> open
	// call 2: unavailable
	// call 3: retry: circuit breaker is open
	// state: open open: true
}

func ExampleBreaker_Allow() {
	b, _ := retry.NewBreaker(retry.BreakerConfig{})
	// A scheduler asks before it takes a worker, then reports the result.
	done, err := b.Allow()
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	done(nil) // exactly once, with the call's error
	fmt.Printf("%+v\n", b.Counts())
	// Output: {Requests:1 Successes:1 Failures:0 ConsecutiveSuccesses:1 ConsecutiveFailures:0}
}
