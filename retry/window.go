package retry

import "time"

// window counts successes and failures over a rolling time window cut into
// buckets of equal width. A result stays counted for between
// (len(buckets)-1)*width and len(buckets)*width after it was added. It is not
// safe for concurrent use; Breaker guards it with its mutex.
type window struct {
	start   time.Time     // bucket 0 begins here
	width   time.Duration // of one bucket, > 0
	buckets []bucket
}

type bucket struct {
	idx                 int64 // which bucket since start this slot holds
	successes, failures int
}

func newWindow(span time.Duration, n int) window {
	return window{width: span / time.Duration(n), buckets: make([]bucket, n)}
}

// reset empties the window and starts its buckets at now.
func (w *window) reset(now time.Time) {
	w.start = now
	clear(w.buckets)
}

// index returns the number of the bucket that holds time now.
func (w *window) index(now time.Time) int64 {
	return int64(max(now.Sub(w.start), 0) / w.width)
}

// add counts one result at time now.
func (w *window) add(now time.Time, failure bool) {
	i := w.index(now)
	b := &w.buckets[i%int64(len(w.buckets))]
	if b.idx != i {
		*b = bucket{idx: i}
	}
	if failure {
		b.failures++
	} else {
		b.successes++
	}
}

// sums returns the successes and failures counted in the window at time now.
func (w *window) sums(now time.Time) (successes, failures int) {
	i := w.index(now)
	oldest := i - int64(len(w.buckets)) + 1
	for _, b := range w.buckets {
		if b.idx >= oldest && b.idx <= i {
			successes += b.successes
			failures += b.failures
		}
	}
	return successes, failures
}
