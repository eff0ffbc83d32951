package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	eventbus "github.com/asaskevich/EventBus"
	"github.com/threadsystem/threadsystem/event"
)

// evMsg is the event of (l) and (m): its sequence number and its publish
// time as nanoseconds since clockBase.
type evMsg struct {
	seq int64
	at  int64
}

// clockBase is the origin of evMsg.at; time.Since(clockBase) reads the
// monotonic clock.
var clockBase = time.Now()

// stamp is the monotonic time now, in ns since clockBase.
func stamp() int64 { return int64(time.Since(clockBase)) }

// busMode is one way of delivering events on one of the two buses.
type busMode struct {
	name string
	// inline is set for the modes that run every handler in Publish's
	// goroutine before Publish returns (our Sync, EventBus Subscribe): one
	// subscriber's deliveries then never overlap and the publisher's
	// goroutine sees every handler's writes.
	inline bool
	// open builds a bus with a subscriber per handler, subscriber k calling
	// handlers[k] for each event; publish sends m; close waits for every
	// delivery (EventBus) or closes the bus (ours), so every handler call
	// happens before it returns.
	open func(handlers []func(evMsg)) (publish func(evMsg) error, closeBus func() error)
}

// The modes compared, in table order.
var busModes = []busMode{
	{name: "threadsystem Publish, async", open: tsBus(false)},
	{name: "threadsystem Publish, Sync", inline: true, open: tsBus(true)},
	{name: "EventBus SubscribeAsync(false)", open: asBus(func(b eventbus.Bus, fn func(evMsg)) error {
		return b.SubscribeAsync("t", fn, false)
	})},
	{name: "EventBus SubscribeAsync(true)", open: asBus(func(b eventbus.Bus, fn func(evMsg)) error {
		return b.SubscribeAsync("t", fn, true)
	})},
	{name: "EventBus Subscribe", inline: true, open: asBus(func(b eventbus.Bus, fn func(evMsg)) error {
		return b.Subscribe("t", fn)
	})},
}

// busBase is the EventBus mode each mode's ratios divide by: async against
// SubscribeAsync(false), Sync against Subscribe.
var busBase = map[string]string{
	"threadsystem Publish, async":    "EventBus SubscribeAsync(false)",
	"threadsystem Publish, Sync":     "EventBus Subscribe",
	"EventBus SubscribeAsync(false)": "EventBus SubscribeAsync(false)",
	"EventBus SubscribeAsync(true)":  "EventBus SubscribeAsync(false)",
	"EventBus Subscribe":             "EventBus Subscribe",
}

// tsBus opens this project's bus with subscribers that are Sync or
// asynchronous (the default: a 256-event buffer, Block, one delivery
// goroutine each).
func tsBus(sync bool) func([]func(evMsg)) (func(evMsg) error, func() error) {
	return func(handlers []func(evMsg)) (func(evMsg) error, func() error) {
		b := event.NewBus()
		var opts []event.SubscribeOption
		if sync {
			opts = append(opts, event.Sync())
		}
		for _, h := range handlers {
			event.Subscribe(b, func(_ context.Context, m evMsg) { h(m) }, opts...)
		}
		ctx := context.Background()
		return func(m evMsg) error { return event.Publish(ctx, b, m) },
			func() error { return b.Close(ctx) }
	}
}

// asBus opens an asaskevich/EventBus with a subscriber per handler on one
// topic, each subscribed by sub.
func asBus(sub func(eventbus.Bus, func(evMsg)) error) func([]func(evMsg)) (func(evMsg) error, func() error) {
	return func(handlers []func(evMsg)) (func(evMsg) error, func() error) {
		b := eventbus.New()
		for _, h := range handlers {
			must(sub(b, h))
		}
		return func(m evMsg) error { b.Publish("t", m); return nil },
			func() error { b.WaitAsync(); return nil }
	}
}

// busName names a mode's row for a subscriber count.
func busName(mode string, subs int) string {
	if subs == 1 {
		return mode + ", 1 sub"
	}
	return fmt.Sprintf("%s, %d subs", mode, subs)
}

// busEntries builds one row per mode and subscriber count, each with its
// EventBus base, running run.
func busEntries(run func(m busMode, subs int) ([]float64, error)) []Entry {
	var es []Entry
	for _, subs := range []int{1, 4} {
		for _, m := range busModes {
			e := Entry{Name: busName(m.name, subs), Base: busName(busBase[m.name], subs),
				Run: func() ([]float64, error) { return run(m, subs) }}
			if e.Base != e.Name {
				e.Note = "base: " + e.Base
			}
			es = append(es, e)
		}
	}
	return es
}

// busChecks are (m)'s figures for the summary: our async and Sync modes
// against EventBus's, on metric m, wanting want.
func busChecks(m int, want float64, note string) []Check {
	var cs []Check
	for _, subs := range []int{1, 4} {
		cs = append(cs,
			Check{Entry: busName("threadsystem Publish, async", subs), Versus: busName("EventBus SubscribeAsync(false)", subs), Metric: m, Want: want, Note: note},
			Check{Entry: busName("threadsystem Publish, async", subs), Versus: busName("EventBus SubscribeAsync(true)", subs), Metric: m, Want: want, Note: note},
			Check{Entry: busName("threadsystem Publish, Sync", subs), Versus: busName("EventBus Subscribe", subs), Metric: m, Want: want, Note: note},
		)
	}
	return cs
}

// throughputChecks are (l)'s figures for the summary, with issue 19's
// targets: Sync at least 3× EventBus Subscribe with 1 subscriber and 8×
// with 4, async at least 8.5× and 12.8× SubscribeAsync(false), and 3×
// the transactional SubscribeAsync(true).
func throughputChecks() []Check {
	const note = "project target (issue 19)"
	var cs []Check
	for _, t := range []struct {
		subs         int
		async, sync_ float64
	}{{1, 8.5, 3}, {4, 12.8, 8}} {
		cs = append(cs,
			Check{Entry: busName("threadsystem Publish, async", t.subs), Versus: busName("EventBus SubscribeAsync(false)", t.subs), Want: t.async, Note: note},
			Check{Entry: busName("threadsystem Publish, async", t.subs), Versus: busName("EventBus SubscribeAsync(true)", t.subs), Want: 3, Note: "project target: at least 3×"},
			Check{Entry: busName("threadsystem Publish, Sync", t.subs), Versus: busName("EventBus Subscribe", t.subs), Want: t.sync_, Note: note},
		)
	}
	return cs
}

// fmtNs prints a figure in ns as a duration.
func fmtNs(v float64) string { return fmtDur(time.Duration(v)) }

// latencyMetrics are p50 and p99 columns of durations in ns, with ratios.
func latencyMetrics() []Metric {
	return []Metric{
		{Name: "p50", Ratio: true, Format: fmtNs},
		{Name: "p99", Ratio: true, Format: fmtNs},
	}
}

// eventWorkload is (l): publish-to-delivery throughput, saturated.
func eventWorkload(sc Scale) Workload {
	n := sc.n(200_000)
	w := Workload{Key: "l-event", Title: "(l) event bus throughput",
		What: fmt.Sprintf("%s events published back to back from one goroutine to 1 or 4 subscribers of their type (topic), "+
			"timed until every subscriber has handled every one (ours: Close returns; EventBus: WaitAsync returns); "+
			"4 subscribers: 4 deliveries per event. events/s counts events, not deliveries. The handler only counts its "+
			"deliveries and sums their sequence numbers, checked at the end: plain additions in the Sync rows and EventBus "+
			"Subscribe (each handler runs in the publisher's goroutine), atomic ones in the async rows (EventBus "+
			"SubscribeAsync(false) runs one subscriber's deliveries at once), the same in each row and its base. Nothing reads "+
			"the clock per event: latency is (m)'s. Ours buffers 256 events per subscriber with a Block policy and one "+
			"delivery goroutine each; EventBus starts a goroutine per delivery. "+
			"EventBus SubscribeAsync(true) (transactional) serialises a handler's deliveries, as our async default does, "+
			"by making Publish wait for the previous one. Each async row's base is SubscribeAsync(false), each Sync row's Subscribe.",
			fmtCount(n)),
		Metrics: []Metric{{Name: "events/s", Higher: true, Ratio: true, Format: fmtRate}},
		Checks:  throughputChecks(),
	}
	w.Entries = busEntries(func(m busMode, subs int) ([]float64, error) { return busThroughput(m, subs, n) })
	return w
}

// eventLatencyWorkload is (m): publish-to-handler latency with one event in
// flight at a time.
func eventLatencyWorkload(sc Scale) Workload {
	n := sc.n(20_000)
	w := Workload{Key: "m-event-latency", Title: "(m) event bus latency, one event at a time",
		What: fmt.Sprintf("%s events, each published only once every subscriber has handled the one before, so nothing "+
			"queues: p50 and p99 of publish call → handler start, over every delivery. For asynchronous modes this is the "+
			"cost of waking a delivery goroutine (ours) or starting one (EventBus); for Sync modes, the call overhead. "+
			"Includes ~20-30 ns for the timestamps. Same modes and bases as (l).",
			fmtCount(n)),
		Metrics: latencyMetrics(),
		Checks:  busChecks(0, 0, ""),
	}
	w.Entries = busEntries(func(m busMode, subs int) ([]float64, error) { return busLatency(m, subs, n) })
	return w
}

// A subTally is what one subscriber's handler keeps in (l): how many events
// it handled and the sum of their sequence numbers, on its own cache line
// so that subscribers on different cores do not share one.
type subTally struct {
	n, sum int64
	_      [48]byte
}

// A subTallyAtomic is a subTally for handlers that may run at once.
type subTallyAtomic struct {
	n, sum atomic.Int64
	_      [48]byte
}

// busThroughput publishes n events back to back to subs subscribers in mode
// m and returns events/s, timed until the bus has run every delivery. It
// fails unless every subscriber handled each of the n events once, as far
// as a count and a sum of sequence numbers show.
//
// The handler does the least that proves this, so that the figure is the
// bus's cost rather than the handler's (a clock read, a latency slot and a
// shared atomic per delivery cost ~65 ns here, paid by both buses, most of
// a Sync delivery's time). What it does depends on the mode, never on the
// bus, so each row and its base run the same handler: where the bus runs
// every handler inside Publish (inline), two plain additions, read after
// the bus has closed, with nothing to synchronise; otherwise two atomic
// additions, since EventBus SubscribeAsync(false) may run one subscriber's
// deliveries at once. Close and WaitAsync make every handler call happen
// before they return, so the totals read after them are complete.
func busThroughput(m busMode, subs, n int) ([]float64, error) {
	handlers := make([]func(evMsg), subs)
	var (
		plain  []subTally
		shared []subTallyAtomic
	)
	if m.inline {
		plain = make([]subTally, subs)
		for k := range handlers {
			t := &plain[k]
			handlers[k] = func(e evMsg) { t.n++; t.sum += e.seq }
		}
	} else {
		shared = make([]subTallyAtomic, subs)
		for k := range handlers {
			t := &shared[k]
			handlers[k] = func(e evMsg) { t.n.Add(1); t.sum.Add(e.seq) }
		}
	}
	publish, closeBus := m.open(handlers)
	start := time.Now()
	for i := range n {
		if err := publish(evMsg{seq: int64(i)}); err != nil {
			return nil, err
		}
	}
	if err := closeBus(); err != nil {
		return nil, err
	}
	d := time.Since(start)
	wantSum := int64(n) * int64(n-1) / 2
	for k := range subs {
		var got, sum int64
		if m.inline {
			got, sum = plain[k].n, plain[k].sum
		} else {
			got, sum = shared[k].n.Load(), shared[k].sum.Load()
		}
		if got != int64(n) || sum != wantSum {
			return nil, fmt.Errorf("%s: subscriber %d handled %d events (sequence sum %d), want %d (sum %d)",
				m.name, k, got, sum, n, wantSum)
		}
	}
	return []float64{float64(n) / d.Seconds()}, nil
}

// busLatency publishes n events to subs subscribers in mode m, each once
// every subscriber has handled the one before, and returns the p50 and p99
// of publish → handler in ns over all deliveries. It fails unless every
// subscriber handled every event.
func busLatency(m busMode, subs, n int) ([]float64, error) {
	total := int64(n * subs)
	lat := make([]time.Duration, total)
	var delivered atomic.Int64
	step := make(chan struct{}, 1)
	handlers := make([]func(evMsg), subs)
	for k := range handlers {
		handlers[k] = func(e evMsg) {
			lat[e.seq*int64(subs)+int64(k)] = time.Duration(stamp() - e.at)
			if delivered.Add(1)%int64(subs) == 0 {
				step <- struct{}{}
			}
		}
	}
	publish, closeBus := m.open(handlers)
	for i := range n {
		if err := publish(evMsg{seq: int64(i), at: stamp()}); err != nil {
			return nil, err
		}
		<-step
	}
	if err := closeBus(); err != nil {
		return nil, err
	}
	if got := delivered.Load(); got != total {
		return nil, fmt.Errorf("%s: %d deliveries, want %d", m.name, got, total)
	}
	p50, p99 := percentiles(lat)
	return []float64{p50, p99}, nil
}
