package prom

import "github.com/threadsystem/threadsystem/pool"

// Source is anything whose counters a Collector can export: *pool.Pool is
// one. Stats must be safe to call from many goroutines, since scrapes may
// overlap, and should be cheap: a Collector calls it once per source per
// scrape and never holds its own lock while doing so.
//
// A typed pool exports one Source per key, each added under its own name so
// that every key gets its own label set, for example
//
//	c.Add("ingest/io", prom.SourceFunc(func() pool.Stats { return tp.StatsOf("io") }))
type Source interface {
	Stats() pool.Stats
}

// SourceFunc adapts a function to a Source, like http.HandlerFunc. The
// function must be safe to call from many goroutines.
type SourceFunc func() pool.Stats

// Stats calls f.
func (f SourceFunc) Stats() pool.Stats { return f() }
