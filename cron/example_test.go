package cron_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/threadsystem/threadsystem/cron"
)

func ExampleParse() {
	s, err := cron.Parse("30 9 * * MON-FRI")
	if err != nil {
		panic(err)
	}
	t := time.Date(2024, 1, 5, 10, 0, 0, 0, time.UTC) // a Friday, after 09:30
	for range 3 {
		t = s.Next(t)
		fmt.Println(t.Format("Mon 2006-01-02 15:04"))
	}
	// Output:
	// Mon 2024-01-08 09:30
	// Tue 2024-01-09 09:30
	// Wed 2024-01-10 09:30
}

func ExampleParse_timeZone() {
	// The fields are read in Tokyo; Next answers in its argument's location.
	s, err := cron.Parse("CRON_TZ=Asia/Tokyo 0 9 * * *")
	if err != nil {
		panic(err)
	}
	t := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	fmt.Println(s.Next(t))
	// Output:
	// 2024-01-02 00:00:00 +0000 UTC
}

func ExampleParse_extensions() {
	from := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	for _, spec := range []string{
		"0 18 L * *",     // last day of the month
		"0 9 1W * *",     // weekday nearest the 1st: June 1st is a Saturday
		"0 9 LW * *",     // last weekday of the month
		"0 9 * * 5L",     // last Friday of the month
		"0 9 * * MON#2",  // second Monday of the month
		"0 9 15 * MON#1", // the 15th or the first Monday: either is enough
	} {
		s, err := cron.Parse(spec)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-16s %s\n", spec, s.Next(from).Format("Mon 2006-01-02 15:04"))
	}
	// Output:
	// 0 18 L * *       Fri 2024-05-31 18:00
	// 0 9 1W * *       Mon 2024-06-03 09:00
	// 0 9 LW * *       Fri 2024-05-31 09:00
	// 0 9 * * 5L       Fri 2024-05-31 09:00
	// 0 9 * * MON#2    Mon 2024-06-10 09:00
	// 0 9 15 * MON#1   Mon 2024-06-03 09:00
}

func ExampleParse_daylightSaving() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	daily := "30 2 * * *" // 02:30 does not exist on 2024-03-10
	s, err := cron.Parse(daily)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Next(time.Date(2024, 3, 9, 12, 0, 0, 0, ny)))
	hourly, err := cron.Parse("30 * * * *")
	if err != nil {
		panic(err)
	}
	t := time.Date(2024, 11, 3, 1, 0, 0, 0, ny) // 01:xx happens twice
	for range 3 {
		t = hourly.Next(t)
		fmt.Println(t)
	}
	// Output:
	// 2024-03-10 03:00:00 -0400 EDT
	// 2024-11-03 01:30:00 -0400 EDT
	// 2024-11-03 01:30:00 -0500 EST
	// 2024-11-03 02:30:00 -0500 EST
}

func ExampleParse_every() {
	s, err := cron.Parse("@every 1m30s")
	if err != nil {
		panic(err)
	}
	fmt.Println(s, s.Next(time.Date(2024, 1, 1, 12, 0, 0, 250, time.UTC)))
	// Output:
	// @every 1m30s 2024-01-01 12:01:30 +0000 UTC
}

func ExampleParseError() {
	_, err := cron.Parse("0 25 * * *")
	fmt.Println(err)
	var pe *cron.ParseError
	fmt.Println(errors.Is(err, cron.ErrSyntax), errors.As(err, &pe) && pe.Field == "hour")
	// Output:
	// cron: field "hour": 25 out of range 0-23
	// true true
}
