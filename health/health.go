package health

import (
	"encoding/json"
	"net/http"

	"github.com/threadsystem/threadsystem/pool"
)

// Report is the JSON body for one pool.
type Report struct {
	// Status is "ok" or "unhealthy"; Reasons says why when unhealthy.
	Status  string   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
	// Workers, Busy, Queued, Pending and Stuck are the pool's figures as in
	// [pool.Diagnostics].
	Workers int `json:"workers"`
	Busy    int `json:"busy"`
	Queued  int `json:"queued"`
	Pending int `json:"pending"`
	Stuck   int `json:"stuck"`
}

// Check judges p and returns its report and whether it is healthy. It is
// safe to call from many goroutines; it takes a Diagnostics snapshot of p.
func Check(p *pool.Pool) (Report, bool) {
	h := p.Health()
	d := p.Diagnostics()
	r := Report{Status: "ok", Reasons: h.Reasons, Workers: d.Workers, Busy: d.Busy,
		Queued: d.Queued, Pending: d.Pending, Stuck: d.Stuck}
	if !h.Healthy {
		r.Status = "unhealthy"
	}
	return r, h.Healthy
}

// Handler returns an http.Handler that answers 200 when p is healthy and 503
// otherwise, with p's [Report] as its JSON body. It is safe for concurrent
// requests and judges p afresh on each.
func Handler(p *pool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r, ok := Check(p)
		write(w, ok, r)
	})
}

// Pools returns an http.Handler for several named pools: 200 when all are
// healthy, 503 when any is not, with a JSON body of the overall status and
// each pool's [Report] under its name. It reads the map on every request,
// so the caller must not change it while the handler serves; it is
// otherwise safe for concurrent requests. An empty map is healthy.
func Pools(pools map[string]*pool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		body := struct {
			Status string            `json:"status"`
			Pools  map[string]Report `json:"pools"`
		}{"ok", make(map[string]Report, len(pools))}
		all := true
		for name, p := range pools {
			r, ok := Check(p)
			body.Pools[name] = r
			all = all && ok
		}
		if !all {
			body.Status = "unhealthy"
		}
		write(w, all, body)
	})
}

func write(w http.ResponseWriter, healthy bool, body any) {
	code := http.StatusOK
	if !healthy {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}
