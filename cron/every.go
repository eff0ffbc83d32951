package cron

import "time"

// Every is a schedule that fires at a fixed interval, as "@every <duration>"
// does. The interval is rounded down to whole seconds, and anything under one
// second (the zero value included) acts as one second, as in robfig/cron.
// Every is a plain value, safe for concurrent use.
type Every time.Duration

// Interval returns the effective interval: e rounded down to whole seconds,
// at least one second.
func (e Every) Interval() time.Duration {
	return max(time.Duration(e).Truncate(time.Second), time.Second)
}

// Next returns t rounded down to a whole second plus the interval, which is
// always strictly after t, in t's location. Time zones and daylight saving do
// not affect it: the interval is elapsed time. Next does not allocate.
func (e Every) Next(t time.Time) time.Time {
	return t.Add(e.Interval() - time.Duration(t.Nanosecond()))
}

// String returns the spec form, for example "@every 1m30s".
func (e Every) String() string {
	return "@every " + e.Interval().String()
}
