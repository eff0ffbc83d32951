package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/samber/do/v2"
	"github.com/threadsystem/threadsystem/registry"
	"go.uber.org/dig"
)

// Names of the rows of (n).
const (
	tsResolveName = "threadsystem registry.Resolve"
	digName       = "dig Container.Invoke"
	doMustName    = "do MustInvoke"
	doInvokeName  = "do Invoke"
)

// service is what (n) resolves; the stand-ins are other types so that no
// container holds just one entry.
type (
	service  struct{ id int }
	standIn0 struct{}
	standIn1 struct{}
	standIn2 struct{}
	standIn3 struct{}
)

// registryWorkload is (n): resolving a built singleton.
func registryWorkload(sc Scale) Workload {
	n := sc.n(200_000)
	w := Workload{Key: "n-registry", Title: "(n) resolving a built singleton",
		What: fmt.Sprintf("%s lookups from one goroutine of a *service singleton that was built by a factory before the clock "+
			"started, in a container that also holds four other types. threadsystem: registry.Resolve[*service](ctx, r). "+
			"dig: c.Invoke(func(s *service) { ... }). do v2: do.MustInvoke[*service](i) and do.Invoke[*service](i). "+
			"ns/op: wall time per lookup; allocs/op and B/op: Mallocs and TotalAlloc deltas per lookup.",
			fmtCount(n)),
		Metrics: append([]Metric{{Name: "ns/op", Ratio: true, Format: fmt1}}, allocMetrics("op", false)...),
		Base:    doMustName,
		Checks: []Check{
			{Entry: tsResolveName, Versus: doMustName, Metric: 0},
			{Entry: tsResolveName, Versus: digName, Metric: 0},
			{Entry: tsResolveName, Metric: 1},
		}}
	w.Entries = []Entry{
		{Name: tsResolveName, Run: func() ([]float64, error) { return resolveRun(n, tsResolver) }},
		{Name: digName, Run: func() ([]float64, error) { return resolveRun(n, digResolver) }},
		{Name: doMustName, Run: func() ([]float64, error) { return resolveRun(n, doMustResolver) }},
		{Name: doInvokeName, Run: func() ([]float64, error) { return resolveRun(n, doInvokeResolver) }},
	}
	return w
}

// fmt1 prints a figure with one decimal.
func fmt1(v float64) string { return fmt.Sprintf("%.1f", v) }

// resolveRun builds a container with open, which returns its lookup, checks
// one lookup, then times n more.
func resolveRun(n int, open func() (func() (*service, error), error)) ([]float64, error) {
	resolve, err := open()
	if err != nil {
		return nil, err
	}
	if s, err := resolve(); err != nil || s == nil || s.id != 7 {
		return nil, fmt.Errorf("registry: first lookup gave %v, %v", s, err)
	}
	var am allocMeter
	var last *service
	am.start()
	start := time.Now()
	for range n {
		s, err := resolve()
		if err != nil {
			return nil, err
		}
		last = s
	}
	d := time.Since(start)
	allocs, bytes := am.per(n)
	if last.id != 7 {
		return nil, fmt.Errorf("registry: last lookup gave %v", last)
	}
	return []float64{float64(d.Nanoseconds()) / float64(n), allocs, bytes}, nil
}

// newService is every container's factory for *service.
func newService() *service { return &service{id: 7} }

func tsResolver() (func() (*service, error), error) {
	r := registry.New()
	err := errors.Join(
		registry.ProvideFunc(r, func(context.Context, *registry.Registry) (*service, error) { return newService(), nil }),
		registry.Provide(r, &standIn0{}), registry.Provide(r, &standIn1{}),
		registry.Provide(r, &standIn2{}), registry.Provide(r, &standIn3{}))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	return func() (*service, error) { return registry.Resolve[*service](ctx, r) }, nil
}

func digResolver() (func() (*service, error), error) {
	c := dig.New()
	err := errors.Join(c.Provide(newService),
		c.Provide(func() *standIn0 { return &standIn0{} }), c.Provide(func() *standIn1 { return &standIn1{} }),
		c.Provide(func() *standIn2 { return &standIn2{} }), c.Provide(func() *standIn3 { return &standIn3{} }))
	if err != nil {
		return nil, err
	}
	var got *service
	take := func(s *service) { got = s }
	return func() (*service, error) {
		err := c.Invoke(take)
		return got, err
	}, nil
}

// newDo is a do v2 injector with *service and the stand-ins.
func newDo() do.Injector {
	i := do.New()
	do.Provide(i, func(do.Injector) (*service, error) { return newService(), nil })
	do.Provide(i, func(do.Injector) (*standIn0, error) { return &standIn0{}, nil })
	do.Provide(i, func(do.Injector) (*standIn1, error) { return &standIn1{}, nil })
	do.Provide(i, func(do.Injector) (*standIn2, error) { return &standIn2{}, nil })
	do.Provide(i, func(do.Injector) (*standIn3, error) { return &standIn3{}, nil })
	return i
}

func doMustResolver() (func() (*service, error), error) {
	i := newDo()
	return func() (*service, error) { return do.MustInvoke[*service](i), nil }, nil
}

func doInvokeResolver() (func() (*service, error), error) {
	i := newDo()
	return func() (*service, error) { return do.Invoke[*service](i) }, nil
}
