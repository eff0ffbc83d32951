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
	// open builds a bus whose subs subscribers each call handle(k, m), k
	// being the subscriber's index; publish sends m; close waits for every
	// delivery (EventBus) or closes the bus (ours).
	open func(subs int, handle func(k int, m evMsg)) (publish func(evMsg) error, closeBus func() error)
}

// The modes compared, in table order.
var busModes = []busMode{
	{name: "threadsystem Publish, async", open: tsBus(false)},
	{name: "threadsystem Publish, Sync", open: tsBus(true)},
	{name: "EventBus SubscribeAsync(false)", open: asBus(func(b eventbus.Bus, fn func(evMsg)) error {
		return b.SubscribeAsync("t", fn, false)
	})},
	{name: "EventBus SubscribeAsync(true)", open: asBus(func(b eventbus.Bus, fn func(evMsg)) error {
		return b.SubscribeAsync("t", fn, true)
	})},
	{name: "EventBus Subscribe", open: asBus(func(b eventbus.Bus, fn func(evMsg)) error {
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
func tsBus(sync bool) func(int, func(int, evMsg)) (func(evMsg) error, func() error) {
	return func(subs int, handle func(int, evMsg)) (func(evMsg) error, func() error) {
		b := event.NewBus()
		var opts []event.SubscribeOption
		if sync {
			opts = append(opts, event.Sync())
		}
		for k := range subs {
			event.Subscribe(b, func(_ context.Context, m evMsg) { handle(k, m) }, opts...)
		}
		ctx := context.Background()
		return func(m evMsg) error { return event.Publish(ctx, b, m) },
			func() error { return b.Close(ctx) }
	}
}

// asBus opens an asaskevich/EventBus with subs subscribers on one topic,
// each subscribed by sub.
func asBus(sub func(eventbus.Bus, func(evMsg)) error) func(int, func(int, evMsg)) (func(evMsg) error, func() error) {
	return func(subs int, handle func(int, evMsg)) (func(evMsg) error, func() error) {
		b := eventbus.New()
		for k := range subs {
			must(sub(b, func(m evMsg) { handle(k, m) }))
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

// busChecks are (l)'s and (m)'s figures for the summary: our async and Sync
// modes against EventBus's, on metric m, wanting want.
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
			"until every subscriber has handled every one (4 subscribers: 4 deliveries per event); the handler records the time "+
			"from the publish call to itself and bumps a counter. events/s counts events, not deliveries. p50 and p99 are of "+
			"publish → handler under this saturation, so for asynchronous modes mostly queueing (ours: a 256-event buffer per "+
			"subscriber and a Block policy; EventBus: a goroutine per delivery). Each timestamp costs ~20-30 ns. "+
			"EventBus SubscribeAsync(true) (transactional) serialises a handler's deliveries, as our async default does, "+
			"by making Publish wait for the previous one. Each async row's base is SubscribeAsync(false), each Sync row's Subscribe.",
			fmtCount(n)),
		Metrics: append([]Metric{{Name: "events/s", Higher: true, Ratio: true, Format: fmtRate}}, latencyMetrics()...),
		Checks:  busChecks(0, 3, "project target: at least 3×"),
	}
	w.Entries = busEntries(func(m busMode, subs int) ([]float64, error) { return busRun(m, subs, n, false) })
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
	w.Entries = busEntries(func(m busMode, subs int) ([]float64, error) { return busRun(m, subs, n, true) })
	return w
}

// busRun publishes n events to subs subscribers in mode m, back to back or,
// when paced, one at a time, and returns events/s (unless paced), then the
// p50 and p99 of publish → handler in ns over all deliveries.
func busRun(m busMode, subs, n int, paced bool) ([]float64, error) {
	total := int64(n * subs)
	lat := make([]time.Duration, total)
	var delivered atomic.Int64
	all := make(chan struct{})
	step := make(chan struct{}, 1)
	handle := func(k int, e evMsg) {
		lat[e.seq*int64(subs)+int64(k)] = time.Duration(stamp() - e.at)
		d := delivered.Add(1)
		switch {
		case d == total:
			close(all)
		case paced && d%int64(subs) == 0:
			step <- struct{}{}
		}
	}
	publish, closeBus := m.open(subs, handle)
	start := time.Now()
	for i := range n {
		if err := publish(evMsg{seq: int64(i), at: stamp()}); err != nil {
			return nil, err
		}
		if paced && i < n-1 {
			<-step
		}
	}
	<-all
	d := time.Since(start)
	if err := closeBus(); err != nil {
		return nil, err
	}
	p50, p99 := percentiles(lat)
	if paced {
		return []float64{p50, p99}, nil
	}
	return []float64{float64(n) / d.Seconds(), p50, p99}, nil
}
