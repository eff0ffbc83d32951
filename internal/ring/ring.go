// Package ring provides a growable double-ended queue, the storage behind the
// pool's per-priority queues.
//
// A Ring is not safe for concurrent use: its owner guards it. It stores its
// elements in fixed-size segments linked in a list, so a queued element costs
// its own size plus 1/128 of a pair of pointers, and growth never copies.
// Emptied segments are kept for reuse, so that a queue that fills and drains
// in a steady state allocates nothing: like a slice, a Ring holds on to its
// high-water mark of memory until its owner calls Trim.
package ring

// segSize is the number of elements in one segment: for the pool's 16-byte
// items, 2 KiB.
const segSize = 128

type segment[T any] struct {
	buf        [segSize]T
	prev, next *segment[T]
}

// Ring is a double-ended queue of T. The zero value is an empty ring ready
// to use.
type Ring[T any] struct {
	head, tail *segment[T]
	hi, ti     int // first element at head.buf[hi]; one past the last at tail.buf[ti-1]
	n          int
	spare      *segment[T] // emptied segments, linked through next
	nspare     int         // segments in spare
}

// Len reports the number of elements in r.
func (r *Ring[T]) Len() int { return r.n }

func (r *Ring[T]) newSegment() *segment[T] {
	if s := r.spare; s != nil {
		r.spare = s.next
		s.next = nil
		r.nspare--
		return s
	}
	return new(segment[T])
}

func (r *Ring[T]) recycle(s *segment[T]) {
	s.prev = nil
	s.next = r.spare
	r.spare = s
	r.nspare++
}

// Spare reports how many emptied segments r keeps for reuse, each holding
// 128 elements.
func (r *Ring[T]) Spare() int { return r.nspare }

// Trim lets go of the emptied segments r keeps for reuse beyond keep of
// them, so that the collector can free them; the elements in r stay. It
// costs O(keep) and is a no-op when r keeps no more than keep.
func (r *Ring[T]) Trim(keep int) {
	if r.nspare <= keep {
		return
	}
	if keep <= 0 {
		r.spare, r.nspare = nil, 0
		return
	}
	s := r.spare
	for range keep - 1 {
		s = s.next
	}
	s.next = nil
	r.nspare = keep
}

// PushBack appends v at the back of r.
func (r *Ring[T]) PushBack(v T) {
	switch {
	case r.tail == nil:
		r.head = r.newSegment()
		r.tail = r.head
		r.hi, r.ti = 0, 0
	case r.ti == segSize:
		s := r.newSegment()
		s.prev = r.tail
		r.tail.next = s
		r.tail = s
		r.ti = 0
	}
	r.tail.buf[r.ti] = v
	r.ti++
	r.n++
}

// PushFront puts v at the front of r, so that the next PopFront returns it.
func (r *Ring[T]) PushFront(v T) {
	switch {
	case r.head == nil:
		r.head = r.newSegment()
		r.tail = r.head
		r.hi, r.ti = segSize, segSize
	case r.hi == 0:
		s := r.newSegment()
		s.next = r.head
		r.head.prev = s
		r.head = s
		r.hi = segSize
	}
	r.hi--
	r.head.buf[r.hi] = v
	r.n++
}

// PopFront removes and returns the front element; ok is false when r is empty.
// The vacated slot is zeroed so the ring keeps no reference alive.
func (r *Ring[T]) PopFront() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	v = r.head.buf[r.hi]
	r.head.buf[r.hi] = zero
	r.hi++
	r.n--
	if r.hi == segSize && r.head != r.tail {
		old := r.head
		r.head = old.next
		r.head.prev = nil
		r.hi = 0
		r.recycle(old)
	}
	r.settle()
	return v, true
}

// PopBack removes and returns the back element; ok is false when r is empty.
func (r *Ring[T]) PopBack() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	r.ti--
	v = r.tail.buf[r.ti]
	r.tail.buf[r.ti] = zero
	r.n--
	if r.ti == 0 && r.head != r.tail {
		old := r.tail
		r.tail = old.prev
		r.tail.next = nil
		r.ti = segSize
		r.recycle(old)
	}
	r.settle()
	return v, true
}

// settle recentres an emptied ring in its one segment, so that pushes at
// either end have room before they need another segment.
func (r *Ring[T]) settle() {
	if r.n == 0 {
		r.hi, r.ti = segSize/2, segSize/2
	}
}

// Front returns the front element without removing it.
func (r *Ring[T]) Front() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	return r.head.buf[r.hi], true
}
