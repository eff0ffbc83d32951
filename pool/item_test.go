package pool

import (
	"runtime"
	"testing"
	"unsafe"
)

// TestItemRoundTrip: an item gives back exactly the func or Job it was made
// from, and keeps a Job alive through garbage collections while only the
// item refers to it.
func TestItemRoundTrip(t *testing.T) {
	n := 0
	fn := func() { n++ }
	it := funcItem(fn)
	if it.job() != nil {
		t.Fatal("func item reports a job")
	}
	it.fn()()
	if n != 1 {
		t.Fatal("func item did not call the func")
	}
	items := make([]item, 1000)
	for i := range items {
		j := &Job{}
		j.initWord(uint64(i), Normal, Queued)
		items[i] = jobItem(j)
	}
	runtime.GC()
	runtime.GC()
	for i, it := range items {
		j := it.job()
		if j == nil || j.ID() != uint64(i) || it.fn() != nil {
			t.Fatalf("item %d: job %v", i, j)
		}
	}
}

// TestJobFitsItsSizeClass: a Job must stay in the 64-byte allocation
// class, one cache line: a queued Submit job then costs the pool about 73
// bytes with its queue slot, under issue 3's 128, and on a cold heap each
// Job's bytes are page faults (docs/performance.md).
func TestJobFitsItsSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(Job{}); n > 64 {
		t.Fatalf("Job is %d bytes, want at most 64", n)
	}
	// A job submitted with a context other than Background adds its run
	// state: 144 bytes keep such a job at 208 in all.
	if n := unsafe.Sizeof(runState{}); n > 144 {
		t.Fatalf("runState is %d bytes, want at most 144", n)
	}
}
