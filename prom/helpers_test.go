package prom_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/prom"
)

// sample is one gathered series: a counter or gauge value, or a histogram.
type sample struct {
	value   float64
	count   uint64
	sum     float64
	buckets map[float64]uint64 // upper bound → cumulative count
}

// gather returns every series of g, keyed by name and its label pairs
// in order, as in `threadsystem_workers{pool="a"}`.
func gather(t testing.TB, g prometheus.Gatherer) map[string]sample {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]sample{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName() + "{"
			for i, lp := range m.GetLabel() {
				if i > 0 {
					key += ","
				}
				key += lp.GetName() + "=" + `"` + lp.GetValue() + `"`
			}
			key += "}"
			var s sample
			switch {
			case m.GetCounter() != nil:
				s.value = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				s.value = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				h := m.GetHistogram()
				s.count, s.sum = h.GetSampleCount(), h.GetSampleSum()
				s.buckets = map[float64]uint64{}
				for _, b := range h.GetBucket() {
					s.buckets[b.GetUpperBound()] = b.GetCumulativeCount()
				}
			}
			if _, dup := out[key]; dup {
				t.Fatalf("series %s gathered twice", key)
			}
			out[key] = s
		}
	}
	return out
}

// newPool makes a named pool and closes it when the test ends.
func newPool(t testing.TB, workers int, name string) *pool.Pool {
	t.Helper()
	p, err := pool.New(workers, pool.WithName(name))
	if err != nil {
		t.Fatalf("pool.New: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// newCollector returns a collector exporting sources, registered in a
// pedantic registry, which checks every series against its descriptor.
func newCollector(t testing.TB, sources map[string]prom.Source, opts ...prom.Option) (*prom.Collector, *prometheus.Registry) {
	t.Helper()
	c := prom.NewCollector(opts...)
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		if err := c.Add(name, sources[name]); err != nil {
			t.Fatalf("Add(%q): %v", name, err)
		}
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatalf("Register: %v", err)
	}
	return c, reg
}
