// Prometheus exports a pool's Stats as Prometheus metrics and prints the
// job counters of one scrape. A real program would serve the handler:
//
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/prom"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	p, err := pool.New(2, pool.WithName("api"))
	if err != nil {
		return err
	}
	defer p.Close()
	c := prom.NewCollector()
	if err := c.Add("api", p); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return err
	}

	ctx := context.Background()
	for i := range 5 {
		if _, err := p.Submit(ctx, func(context.Context) error {
			if i == 3 {
				return errors.New("bad request")
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if err := p.Wait(ctx); err != nil {
		return err
	}

	// One scrape, as Prometheus would make it.
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "threadsystem_jobs_total") || strings.HasPrefix(line, "threadsystem_jobs_submitted_total") {
			fmt.Println(line)
		}
	}
	return sc.Err()
}
