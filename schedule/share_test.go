package schedule

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// TestCronEntriesShareTheirSpec checks that Cron entries made from one spec
// string share the parsed schedule, and that the cache of parsed specs
// stays bounded however many distinct specs come by.
func TestCronEntriesShareTheirSpec(t *testing.T) {
	p, err := pool.New(runtime.GOMAXPROCS(0))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := New(p, WithLocation(time.UTC))
	defer s.Close()
	nop := func(context.Context) error { return nil }
	a, err := s.Cron("0 * * * *", nop)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Cron("0 * * * *", nop)
	if err != nil {
		t.Fatal(err)
	}
	if a.spec == nil || a.spec != b.spec {
		t.Errorf("two entries of one spec hold %p and %p, want one shared schedule", a.spec, b.spec)
	}
	for i := range 3 * specCacheSize {
		if _, err := s.Cron(fmt.Sprintf("%d %d * * *", i%60, i/60), nop); err != nil {
			t.Fatal(err)
		}
	}
	s.specMu.Lock()
	n := len(s.specs)
	s.specMu.Unlock()
	if n > specCacheSize {
		t.Errorf("%d parsed specs kept, want at most %d", n, specCacheSize)
	}
	e, err := s.Cron("@every 90s", nop) // cron.Every: no shared schedule, the period
	if err != nil {
		t.Fatal(err)
	}
	if e.spec != nil || !e.has(fCronEvery) || e.period != int64(90*time.Second) {
		t.Errorf("@every 90s: spec %p, cronEvery %v, period %v", e.spec, e.has(fCronEvery), time.Duration(e.period))
	}
}

// TestDoneChannelsLeaveWithTheirEntries checks that the map of Done
// channels holds only entries that have not ended, and goes once empty.
func TestDoneChannelsLeaveWithTheirEntries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, err := pool.New(2)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		s := New(p)
		defer s.Close()
		nop := func(context.Context) error { return nil }
		var es []*Entry
		for range 10 {
			e, err := s.After(time.Second, nop)
			if err != nil {
				t.Fatal(err)
			}
			e.Done()
			es = append(es, e)
		}
		s.mu.Lock()
		n := len(s.dones)
		s.mu.Unlock()
		if n != 10 {
			t.Fatalf("%d Done channels kept, want 10", n)
		}
		for _, e := range es {
			<-e.Done()
		}
		s.mu.Lock()
		gone := s.dones == nil
		s.mu.Unlock()
		if !gone {
			t.Errorf("the map of Done channels stays after every entry ended")
		}
		if c := es[0].Done(); c != closedChan {
			t.Errorf("Done after the end is not the shared closed channel")
		}
	})
}
