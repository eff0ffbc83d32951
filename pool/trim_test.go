package pool_test

import (
	"context"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// heapAlloc returns HeapAlloc after a forced collection.
func heapAlloc() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestIdleTrimGivesQueueMemoryBack queues a million Go funcs behind busy
// workers, lets them drain, and checks that the queues keep their empty
// segments while the pool has been idle for less than its trim interval
// (WithIdleTimeout, 10 s without it) and give them back after: the heap is
// then within 1 MB of where it was before the burst, without Close.
func TestIdleTrimGivesQueueMemoryBack(t *testing.T) {
	n := 1_000_000
	if raceEnabled {
		n = 200_000
	}
	tests := []struct {
		name     string
		opts     []pool.Option
		interval time.Duration
	}{
		{"default interval", nil, 10 * time.Second},
		{"WithIdleTimeout(2s)", []pool.Option{pool.WithIdleTimeout(2 * time.Second)}, 2 * time.Second},
		{"adaptive", []pool.Option{pool.WithMinWorkers(1), pool.WithIdleTimeout(3 * time.Second)}, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPool(t, 2, tt.opts...)
				workers := p.Workers() // the adaptive pool retires one while idle
				release := occupy(t, p)
				base := heapAlloc()
				for range n {
					if err := p.Go(func() {}); err != nil {
						t.Fatal(err)
					}
				}
				release()
				if err := p.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				time.Sleep(tt.interval - time.Second)
				synctest.Wait()
				if grown := heapAlloc() - base; grown < int64(n)*8/2 {
					t.Errorf("%v idle: the heap holds %d bytes more than before %d queued funcs, want the queues' segments (about %d) still kept",
						tt.interval-time.Second, grown, n, n*8)
				}
				time.Sleep(2 * time.Second)
				synctest.Wait()
				if grown := heapAlloc() - base; grown > 1<<20 {
					t.Errorf("%v idle: the heap holds %d bytes more than before %d queued funcs, want at most 1 MB",
						tt.interval+time.Second, grown, n)
				}
				if s := p.Stats(); s.Succeeded != uint64(n+workers) {
					t.Errorf("Succeeded = %d, want %d", s.Succeeded, n+workers)
				}
			})
		})
	}
}
