package schedule_test

import (
	"context"
	"fmt"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/schedule"
)

func ExampleScheduler_After() {
	p, _ := pool.New(2)
	defer p.Close()
	s := schedule.New(p)
	defer s.Close()

	e, _ := s.After(10*time.Millisecond, func(context.Context) error {
		fmt.Println("ran")
		return nil
	})
	<-e.Done()
	fmt.Println(e.Outcome(), e.Runs())
	// Output:
	// ran
	// succeeded 1
}

func ExampleScheduler_At() {
	p, _ := pool.New(2)
	defer p.Close()
	s := schedule.New(p)
	defer s.Close()

	e, _ := s.At(time.Now().Add(5*time.Millisecond), func(context.Context) error {
		fmt.Println("on time")
		return nil
	})
	late, _ := s.At(time.Now().Add(-time.Hour), func(context.Context) error {
		fmt.Println("in the past: runs at once")
		return nil
	})
	<-late.Done()
	<-e.Done()
	// Output:
	// in the past: runs at once
	// on time
}

func ExampleScheduler_Every() {
	p, _ := pool.New(2)
	defer p.Close()
	s := schedule.New(p)
	defer s.Close()

	n := 0
	e, _ := s.Every(2*time.Millisecond, func(context.Context) error {
		n++
		fmt.Println("tick", n)
		return nil
	}, schedule.MaxRuns(3), schedule.FixedDelay)
	<-e.Done()
	fmt.Println(e.Runs(), "runs, next:", e.Next().IsZero())
	// Output:
	// tick 1
	// tick 2
	// tick 3
	// 3 runs, next: true
}

func ExampleScheduler_Cron() {
	p, _ := pool.New(2)
	defer p.Close()
	s := schedule.New(p, schedule.WithLocation(time.UTC))
	defer s.Close()

	// Every second (the optional seconds field), once.
	e, _ := s.Cron("* * * * * *", func(context.Context) error {
		fmt.Println("fired at the next whole second")
		return nil
	}, schedule.MaxRuns(1))
	<-e.Done()

	_, err := s.Cron("61 * * * *", func(context.Context) error { return nil })
	fmt.Println(err)
	// Output:
	// fired at the next whole second
	// schedule: invalid argument: cron: field "minute": 61 out of range 0-59
}
