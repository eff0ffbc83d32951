package prom

import (
	"fmt"
	"maps"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Option configures a Collector in NewCollector. The interface is sealed:
// options come from this package's With functions. An invalid option does
// not fail NewCollector; it makes the Collector's Describe report an invalid
// descriptor, so a registry's Register returns an error wrapping ErrInvalid
// (or Prometheus' own error for bad label names) and registers nothing, the
// way client_golang reports a bad metric descriptor.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	constLabels prometheus.Labels
	// first and last are the indexes of the lowest and highest pool
	// histogram bucket whose upper bound is exported.
	first, last int
	err         error
}

// WithConstLabels adds labels with fixed values to every metric, for example
// the instance or the service. A label named pool, state or priority, or an
// invalid label name, makes Register fail. The default is none. The map is
// copied.
func WithConstLabels(l prometheus.Labels) Option {
	return optionFunc(func(c *config) {
		if c.constLabels == nil {
			c.constLabels = prometheus.Labels{}
		}
		maps.Copy(c.constLabels, l)
	})
}

// WithBucketRange keeps, of the pool's power-of-two histogram bounds (1 ns,
// 2 ns, 4 ns, ... 2^38 ns ≈ 275 s), only those between lo and hi inclusive,
// which cuts the number of series per histogram. Dropping a bound loses
// resolution, never accuracy: the cumulative counts at the bounds kept are
// exact. The default keeps all 39 bounds. lo < 0, hi < lo, or a range
// holding no power of two nanoseconds makes Register fail with ErrInvalid.
func WithBucketRange(lo, hi time.Duration) Option {
	return optionFunc(func(c *config) {
		first, last := -1, -1
		for i := range numBounds {
			if b := time.Duration(1) << i; b >= lo && b <= hi {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if lo < 0 || hi < lo || first < 0 {
			c.err = fmt.Errorf("%w: WithBucketRange(%v, %v): no power-of-two bound between 1ns and %v in range",
				ErrInvalid, lo, hi, time.Duration(1)<<(numBounds-1))
			return
		}
		c.first, c.last = first, last
	})
}
