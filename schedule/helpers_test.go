package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/schedule"
)

// setup makes a pool and a UTC scheduler inside the current synctest bubble
// and closes both when the test ends.
func setup(t *testing.T, workers int, popts ...pool.Option) (*pool.Pool, *schedule.Scheduler) {
	t.Helper()
	p, err := pool.New(workers, popts...)
	if err != nil {
		t.Fatal(err)
	}
	s := schedule.New(p, schedule.WithLocation(time.UTC))
	t.Cleanup(func() {
		s.Close()
		p.Close()
	})
	return p, s
}

// recorder records when runs start, as offsets from its creation.
type recorder struct {
	start time.Time
	mu    sync.Mutex
	at    []time.Duration
	cur   int // runs in progress
	peak  int // most runs in progress at once
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

// fn returns a function that records its start and then sleeps for d.
func (r *recorder) fn(d time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		r.mu.Lock()
		r.at = append(r.at, time.Since(r.start))
		r.cur++
		r.peak = max(r.peak, r.cur)
		r.mu.Unlock()
		time.Sleep(d)
		r.mu.Lock()
		r.cur--
		r.mu.Unlock()
		return nil
	}
}

func (r *recorder) times() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.at...)
}

func secs(ss ...float64) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out
}

func isDone(e *schedule.Entry) bool {
	select {
	case <-e.Done():
		return true
	default:
		return false
	}
}
