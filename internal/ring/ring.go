// Package ring provides a growable ring-buffer deque, the storage behind the
// pool's per-priority queues.
//
// A Ring is not safe for concurrent use: its owner guards it. It exists so
// that a queue of func values costs 16 bytes a slot, grows by doubling and
// never shrinks below its high-water mark, so a steady-state pool allocates
// nothing per job.
package ring

// Ring is a double-ended queue of T backed by a power-of-two circular buffer.
// The zero value is an empty ring ready to use.
type Ring[T any] struct {
	buf  []T
	head int // index of the first element
	n    int // number of elements
}

// Len reports the number of elements in r.
func (r *Ring[T]) Len() int { return r.n }

// PushBack appends v at the back of r, growing the buffer when full.
func (r *Ring[T]) PushBack(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = v
	r.n++
}

// PushFront puts v at the front of r, so that the next PopFront returns it.
func (r *Ring[T]) PushFront(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.head = (r.head - 1) & (len(r.buf) - 1)
	r.buf[r.head] = v
	r.n++
}

// PopFront removes and returns the front element; ok is false when r is empty.
// The vacated slot is zeroed so the ring keeps no reference alive.
func (r *Ring[T]) PopFront() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	v = r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	return v, true
}

// PopBack removes and returns the back element; ok is false when r is empty.
func (r *Ring[T]) PopBack() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	i := (r.head + r.n - 1) & (len(r.buf) - 1)
	v = r.buf[i]
	r.buf[i] = zero
	r.n--
	return v, true
}

// Front returns the front element without removing it.
func (r *Ring[T]) Front() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	return r.buf[r.head], true
}

func (r *Ring[T]) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 16
	}
	buf := make([]T, size)
	if r.n > 0 {
		k := copy(buf, r.buf[r.head:])
		copy(buf[k:], r.buf[:r.head])
	}
	r.buf = buf
	r.head = 0
}
