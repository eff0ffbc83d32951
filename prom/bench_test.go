package prom_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threadsystem/threadsystem/prom"
)

// BenchmarkCollect measures one Collect of one pool with a few timed jobs:
// Stats plus 25 constant metrics, all buckets kept.
func BenchmarkCollect(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []prom.Option
	}{
		{"all-buckets", nil},
		{"1us-1min", []prom.Option{prom.WithBucketRange(1000, 60e9)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := newPool(b, 4, "bench")
			for range 100 {
				if _, err := p.Submit(context.Background(), func(context.Context) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			p.Wait(context.Background())
			c, _ := newCollector(b, map[string]prom.Source{"bench": p}, bc.opts...)
			ch := make(chan prometheus.Metric, seriesPerPool)
			b.ReportAllocs()
			for b.Loop() {
				c.Collect(ch)
				for range seriesPerPool {
					<-ch
				}
			}
		})
	}
}

// BenchmarkGather measures a whole scrape of one pool through a registry:
// Collect plus encoding every metric, as promhttp would before writing.
func BenchmarkGather(b *testing.B) {
	p := newPool(b, 4, "bench")
	_, reg := newCollector(b, map[string]prom.Source{"bench": p})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
