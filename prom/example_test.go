package prom_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/prom"
)

// ExampleCollector serves a pool's metrics on /metrics and scrapes them once.
func ExampleCollector() {
	p, err := pool.New(2, pool.WithName("api"))
	if err != nil {
		panic(err)
	}
	c := prom.NewCollector()
	if err := c.Add(p.Name(), p); err != nil {
		panic(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()

	ctx := context.Background()
	for i := range 4 {
		_, _ = p.Submit(ctx, func(context.Context) error {
			if i == 3 {
				return errors.New("failed")
			}
			return nil
		})
	}
	p.Close() // runs every queued job

	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "threadsystem_jobs_total") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// threadsystem_jobs_total{pool="api",state="cancelled"} 0
	// threadsystem_jobs_total{pool="api",state="failed"} 1
	// threadsystem_jobs_total{pool="api",state="skipped"} 0
	// threadsystem_jobs_total{pool="api",state="succeeded"} 3
}

// ExampleSourceFunc exports stats that do not come from a *pool.Pool, as a
// typed pool would export each of its keys under its own pool label.
func ExampleSourceFunc() {
	perKey := map[string]pool.Stats{
		"ingest/cpu": {Workers: 4, QueuedBy: [5]int{0, 0, 7, 0, 0}},
		"ingest/io":  {Workers: 16},
	}
	c := prom.NewCollector()
	for _, key := range []string{"ingest/cpu", "ingest/io"} {
		_ = c.Add(key, prom.SourceFunc(func() pool.Stats { return perKey[key] }))
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "threadsystem_workers" {
			continue
		}
		for _, m := range mf.GetMetric() {
			fmt.Println(m.GetLabel()[0].GetValue(), m.GetGauge().GetValue())
		}
	}
	// Output:
	// ingest/cpu 4
	// ingest/io 16
}
