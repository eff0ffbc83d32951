package health_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/health"
	"github.com/threadsystem/threadsystem/pool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// get serves one request to h and decodes the JSON body.
func get(t *testing.T, h http.Handler) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return rec.Code, body
}

// saturate fills p's one worker and its one queue slot; release undoes it.
func saturate(t *testing.T, p *pool.Pool) (release func()) {
	t.Helper()
	gate, started := make(chan struct{}), make(chan struct{})
	if err := p.Go(func() { close(started); <-gate }); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := p.Go(func() {}); err != nil {
		t.Fatal(err)
	}
	return func() { close(gate) }
}

// TestHandlerAnswersPoolsVerdict: 200 while healthy, 503 with the reason
// once the queue is saturated and once the pool is closed.
func TestHandlerAnswersPoolsVerdict(t *testing.T) {
	p, err := pool.New(1, pool.WithQueueSize(1))
	if err != nil {
		t.Fatal(err)
	}
	h := health.Handler(p)
	if code, body := get(t, h); code != http.StatusOK || body["status"] != "ok" || body["workers"] != 1.0 {
		t.Fatalf("healthy pool: %d %v", code, body)
	}
	release := saturate(t, p)
	code, body := get(t, h)
	if code != http.StatusServiceUnavailable || body["status"] != "unhealthy" ||
		!strings.Contains(body["reasons"].([]any)[0].(string), "queue saturated") {
		t.Fatalf("saturated pool: %d %v", code, body)
	}
	release()
	p.Close()
	if code, body := get(t, h); code != http.StatusServiceUnavailable || body["reasons"].([]any)[0] != "pool is closed" {
		t.Fatalf("closed pool: %d %v", code, body)
	}
}

// TestPoolsIsUnhealthyWhenAnyPoolIs: the combined handler reports each
// pool by name and fails when one of them does.
func TestPoolsIsUnhealthyWhenAnyPoolIs(t *testing.T) {
	a, _ := pool.New(1)
	b, _ := pool.New(1)
	defer a.Close()
	h := health.Pools(map[string]*pool.Pool{"a": a, "b": b})
	tests := []struct {
		name     string
		before   func()
		wantCode int
		want     map[string]string // pool → status
	}{
		{"both healthy", func() {}, http.StatusOK, map[string]string{"a": "ok", "b": "ok"}},
		{"b closed", func() { b.Close() }, http.StatusServiceUnavailable, map[string]string{"a": "ok", "b": "unhealthy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.before()
			code, body := get(t, h)
			if code != tt.wantCode {
				t.Errorf("code = %d, want %d; body %v", code, tt.wantCode, body)
			}
			pools := body["pools"].(map[string]any)
			for name, status := range tt.want {
				if got := pools[name].(map[string]any)["status"]; got != status {
					t.Errorf("pool %s status = %v, want %s", name, got, status)
				}
			}
		})
	}
	if code, _ := get(t, health.Pools(nil)); code != http.StatusOK {
		t.Errorf("no pools: code %d, want 200", code)
	}
}
