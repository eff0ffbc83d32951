// Package cron parses cron specs and computes when they fire next. It uses
// only the standard library and nothing else from this module.
//
//	s, err := cron.Parse("CRON_TZ=Europe/Berlin 30 9 * * MON-FRI")
//	next := s.Next(time.Now()) // the next 09:30 Berlin time on a weekday
//
// # Dialect
//
// The dialect is that of robfig/cron v3 with optional seconds, so existing
// specs keep their meaning. A spec has five fields, or six with seconds first:
//
//	field          values           names     special
//	second         0-59                       * / , - ?
//	minute         0-59                       * / , - ?
//	hour           0-23                       * / , - ?
//	day of month   1-31                       * / , - ?  L  L-n  LW  nW
//	month          1-12             JAN-DEC   * / , - ?
//	day of week    0-6 (7 = Sunday) SUN-SAT   * / , - ?  nL  n#k
//
// Names are case-insensitive. "*" and "?" mean every value; "a-b" is a range;
// "/n" steps through a range or "*" (n must be positive); "a/n" means "a-max/n";
// "," separates items. In the day-of-week field "*" and "a/n" stop at 6, as in
// robfig/cron, and an explicit 7 means Sunday (robfig/cron rejects 7).
//
// When both day of month and day of week are restricted (neither is "*" or
// "?" without a step), a day matching either one fires, as in robfig/cron and
// Vixie cron: "0 0 13 * FRI" fires on every 13th and every Friday. Otherwise
// both must match.
//
// Descriptors stand for whole specs:
//
//	@yearly, @annually   0 0 1 1 *
//	@monthly             0 0 1 * *
//	@weekly              0 0 * * 0
//	@daily, @midnight    0 0 * * *
//	@hourly              0 * * * *
//	@every <duration>    fixed interval (see Every)
//
// "@every" takes a time.ParseDuration string that must be positive; like
// robfig/cron it rounds the interval down to whole seconds, with a minimum of
// one second, and counts elapsed time, so time zones do not affect it.
//
// A spec may start with "CRON_TZ=<zone> " or "TZ=<zone> ", where the zone is
// an IANA name loaded with time.LoadLocation; an unknown zone is an error.
// Programs that cannot rely on the host's zone database should import
// time/tzdata. Without a prefix, Next reads the fields in its argument's
// location. Either way Next returns a time in its argument's location.
//
// # Extensions
//
// Beyond robfig/cron, following Quartz:
//
//	L      day of month   last day of the month
//	L-n    day of month   n days before the last day (L-0 is L), n 0-30
//	LW     day of month   last weekday (Monday-Friday) of the month
//	nW     day of month   weekday nearest day n, within the month: a Saturday
//	                      moves to Friday (or to Monday the 3rd for 1W), a
//	                      Sunday to Monday (or to Friday when n is the last day)
//	nL     day of week    last weekday n of the month: 5L or FRIL, the last Friday
//	n#k    day of week    k-th weekday n of the month, k 1-5: MON#2, 1#2
//
// They combine with other items in a list ("1,15,L") and follow the rule for
// day of month and day of week above: "0 0 L * 5" fires on the last day and on
// every Friday. nW does nothing in a month shorter than n days; n#5 does
// nothing in a month without a fifth such weekday.
//
// # Daylight saving
//
// Fields are wall-clock times in the schedule's zone. Where the clock jumps,
// Next follows these rules, which differ from robfig/cron (it skips jobs in
// the spring-forward gap and runs them twice in the repeated hour):
//
// A job whose hour field is fixed (numbers, ranges or lists, without "*", "?"
// or "/") runs once per matching wall-clock day and time:
//
//   - Spring forward: a time in the gap (02:30 on the day New York jumps from
//     02:00 EST to 03:00 EDT) fires once, at the first instant after the gap
//     (03:00 EDT). Several matching times in one gap fire once.
//   - Fall back: a time in the repeated hour (01:30 on the day New York goes
//     from 02:00 EDT back to 01:00 EST) fires once, at its first occurrence
//     (01:30 EDT).
//
// A job whose hour field uses "*", "?" or "/" (such as @hourly, "*/15 * * * *"
// or "0 */2 * * *") follows real time:
//
//   - Spring forward: times in the gap do not exist and do not fire; the job
//     goes on at its next match after the gap.
//   - Fall back: the repeated times fire at both occurrences, so an hourly job
//     runs every real hour.
//
// The same holds for any zone and any size of jump (for example the 30-minute
// change of Australia/Lord_Howe). "@every" is unaffected.
//
// # Errors and costs
//
// Parse returns a *ParseError that matches ErrSyntax and names the field and
// problem, such as `cron: field "hour": 25 out of range 0-23`. Parsed
// schedules are immutable and safe for concurrent use. SpecSchedule.Next does
// not allocate and works field by field (month, day, hour, minute, second)
// with bit masks, never minute by minute: about 100-200 ns for common specs
// and about 1 µs when the next activation is years ahead across many
// daylight-saving changes (AMD EPYC, Go 1.26). A schedule that never fires
// gives the zero time after searching to the end of the fifth calendar year
// after its argument's. Parse costs about 0.5 µs and 2-3 allocations, plus a
// zone lookup for CRON_TZ.
package cron
