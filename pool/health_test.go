package pool_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"runtime"
	"weak"
)

// TestStuckJobsReportedOnce: a job past the threshold is reported once to
// the observer and the logger, and shows in Diagnostics and Health.
func TestStuckJobsReportedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var stuck []pool.Event
		var logs bytes.Buffer
		p, _ := pool.New(2, pool.WithStuckThreshold(time.Second),
			pool.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
			pool.WithObserver(pool.ObserverFunc(func(e pool.Event) {
				if e.Kind == pool.EventStuck {
					mu.Lock()
					stuck = append(stuck, e)
					mu.Unlock()
				}
			})))
		defer p.Close()
		p.Submit(context.Background(), func(context.Context) error {
			time.Sleep(10 * time.Second)
			return nil
		}, pool.WithName("slow"))
		p.Go(func() { time.Sleep(3 * time.Second) })
		p.Submit(context.Background(), nop) // queued behind them, quick
		time.Sleep(5 * time.Second)
		synctest.Wait()
		d := p.Diagnostics()
		if len(d.Running) != 1 || d.Running[0].Name != "slow" || d.Running[0].For != 5*time.Second || d.Stuck != 1 {
			t.Fatalf("Diagnostics.Running = %+v, stuck %d", d.Running, d.Stuck)
		}
		h := p.Health()
		if h.Healthy || len(h.Reasons) != 1 || !strings.Contains(h.Reasons[0], "running longer than 1s") {
			t.Fatalf("Health = %+v", h)
		}
		time.Sleep(10 * time.Second)
		mu.Lock()
		defer mu.Unlock()
		if len(stuck) != 2 {
			t.Fatalf("stuck events = %d, want 2 (the job and the Go func, once each)", len(stuck))
		}
		if stuck[0].Name != "slow" && stuck[1].Name != "slow" {
			t.Fatalf("no stuck event names the slow job: %+v", stuck)
		}
		if n := strings.Count(logs.String(), "job stuck"); n != 2 {
			t.Fatalf("logged %d stuck lines, want 2:\n%s", n, logs.String())
		}
		if h := p.Health(); !h.Healthy {
			t.Fatalf("Health after the jobs ended = %+v", h)
		}
	})
}

// TestDiagnosticsListsOnlyRunningJobs: a worker keeps the last job it ran
// until its next job (a job then costs it one store); Diagnostics must not
// take that ended job for a running one while the worker runs a Go func.
func TestDiagnosticsListsOnlyRunningJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(1, pool.WithStuckThreshold(time.Hour))
		defer p.Close()
		quick, _ := p.Submit(context.Background(), nop, pool.WithName("quick"))
		p.Go(func() { time.Sleep(5 * time.Second) })
		quick.Wait(context.Background())
		time.Sleep(2 * time.Second)
		synctest.Wait()
		d := p.Diagnostics()
		if len(d.Running) != 1 || d.Running[0].ID != 0 || d.Running[0].For != 2*time.Second {
			t.Fatalf("Diagnostics.Running = %+v, want only the Go func, running for 2s", d.Running)
		}
	})
}

// TestRateLimit: jobs start no faster than the rate after the burst, and a
// job waiting for a token holds no worker.
func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := pool.New(4, pool.WithRateLimit(10, 2))
		defer p.Close()
		start := time.Now()
		var jobs []*pool.Job
		for range 6 {
			j, _ := p.Submit(context.Background(), nop)
			jobs = append(jobs, j)
		}
		var starts []time.Duration
		for _, j := range jobs {
			j.Wait(context.Background())
			_, s, _ := j.Timing()
			starts = append(starts, s.Sub(start))
		}
		want := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 400 * time.Millisecond}
		for i := range want {
			if starts[i] != want[i] {
				t.Fatalf("start times = %v, want %v", starts, want)
			}
		}
		if _, err := pool.New(1, pool.WithRateLimit(0, 1)); !errors.Is(err, pool.ErrInvalidOption) {
			t.Fatalf("zero rate: %v", err)
		}
	})
}

// TestProfilerLabels: with labels on, a job's context carries its pprof
// labels.
func TestProfilerLabels(t *testing.T) {
	p := newPool(t, 1, pool.WithProfilerLabels(), pool.WithName("svc"))
	var got [3]string
	j, _ := p.Submit(context.Background(), func(ctx context.Context) error {
		got[0], _ = pprof.Label(ctx, "pool")
		got[1], _ = pprof.Label(ctx, "job")
		got[2], _ = pprof.Label(ctx, "priority")
		if _, ok := pool.JobFromContext(ctx); !ok {
			return errors.New("job context lost under labels")
		}
		return nil
	}, pool.WithName("resize-images"), pool.WithPriority(pool.High))
	if err := j.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got != [3]string{"svc", "resize-images", "high"} {
		t.Fatalf("labels = %v", got)
	}
}

// TestWorkerLetsEndedJobGo: a worker that kept the job it ran last lets it
// go once it runs a Go func, so the job, its function and its context can
// be collected while the worker is busy with something else.
func TestWorkerLetsEndedJobGo(t *testing.T) {
	p := newPool(t, 1)
	j, _ := p.Submit(context.Background(), nop)
	j.Wait(context.Background())
	ended := weak.Make(j)
	j = nil
	gate, started := make(chan struct{}), make(chan struct{})
	p.Go(func() { close(started); <-gate })
	defer close(gate)
	<-started
	runtime.GC()
	runtime.GC()
	if ended.Value() != nil {
		t.Fatal("the worker keeps the job it ran last alive while it runs a Go func")
	}
}

// TestDiagnosticsReportsLimits: Capacity and RateLimited tell a caller (the
// schedule package, for one) whether the pool admits and starts each job
// on its own: a bounded queue or a rate limit does.
func TestDiagnosticsReportsLimits(t *testing.T) {
	tests := []struct {
		name     string
		opts     []pool.Option
		capacity int
		limited  bool
	}{
		{"plain", nil, 0, false},
		{"bounded", []pool.Option{pool.WithQueueSize(8)}, 8, false},
		{"rate", []pool.Option{pool.WithRateLimit(100, 1)}, 0, true},
	}
	for _, tt := range tests {
		p, err := pool.New(1, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		d := p.Diagnostics()
		p.Close()
		if d.Capacity != tt.capacity || d.RateLimited != tt.limited {
			t.Errorf("%s: Diagnostics() Capacity %d RateLimited %v, want %d %v", tt.name, d.Capacity, d.RateLimited, tt.capacity, tt.limited)
		}
	}
}
