package schedule

import "slices"

// slot is one place of the heap. It keeps the key, the low bits of the
// entry's ID and the stamp of the entry's stay in the heap beside the
// pointer, so that a sift reads and writes slots only, never an Entry: in
// a heap of a million entries each Entry touched is a cache miss, and
// those misses made a burst of firings spend most of its time in the heap.
type slot struct {
	key int64  // the entry's next firing, or its waiting retry if earlier
	seq uint32 // the ID's low 32 bits: equal keys fire in creation order
	gen int32  // the entry's index while this slot is its live one
	e   *Entry
}

// before reports whether a fires before b: equal keys fire in creation
// order (seq orders any two entries less than 2³¹ IDs apart).
func (a *slot) before(b *slot) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return int32(a.seq-b.seq) < 0
}

// live reports whether a is its entry's current place, not a stale one left
// by Cancel or a change of key.
func (a *slot) live() bool { return a.gen == a.e.index }

// bulkMin is the smallest heap for which takeDue considers a bulk take.
const bulkMin = 4096

// takeDue moves every slot due at now out of a large heap, when at least a
// sixteenth of it is due, and returns the live ones appended to buf, sorted
// in firing order, with the number of stale slots it dropped; ok is false,
// and nothing changed, otherwise. The count
// walks the due slots from the root (in a heap they form a subtree that
// holds it) and stops at the threshold, so a heap with few due slots pays
// little for the look.
func (h *entryHeap) takeDue(now int64, buf []slot) (due []slot, stale int, ok bool) {
	old := *h
	n := len(old)
	if n < bulkMin || old[0].key > now {
		return nil, 0, false
	}
	need := n / 16
	stack := make([]int32, 1, 64)
	count := 0
	for len(stack) > 0 && count < need {
		i := int(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		count++
		for c := arity*i + 1; c < min(arity*i+1+arity, n); c++ {
			if old[c].key <= now {
				stack = append(stack, int32(c))
			}
		}
	}
	if count < need {
		return nil, 0, false
	}
	ndue := 0 // stale ones included: counting reads slots only
	for i := range old {
		if old[i].key <= now {
			ndue++
		}
	}
	if ndue >= n/2 {
		// Most is due, as in a burst: the due slots stay in the heap's
		// array, and the rest move to a new one. A fresh array for the
		// due ones cost a burst of 100,000 a sixth of the loop's time
		// (growing it by append, write barriers on while the GC marks)
		// and more GC cycles during the burst.
		keep := make(entryHeap, 0, max(2*(n-ndue), heapReserve))
		buf = old[:0]
		for _, sl := range old {
			switch {
			case sl.key > now:
				keep = append(keep, sl)
			case sl.live():
				buf = append(buf, sl) // never ahead of the reading
			default:
				stale++
			}
		}
		clear(old[len(buf):])
		*h = keep
		keep.heapify()
	} else {
		buf = slices.Grow(buf, ndue)
		keep := old[:0]
		for _, sl := range old {
			switch {
			case sl.key > now:
				keep = append(keep, sl)
			case sl.live():
				buf = append(buf, sl)
			default:
				stale++
			}
		}
		clear(old[len(keep):])
		*h = keep
		keep.heapify()
		h.shrink()
	}
	slices.SortFunc(buf, func(a, b slot) int {
		if a.before(&b) {
			return -1
		}
		return 1 // keys and seqs are never both equal
	})
	return buf, stale, true
}

// entryHeap is a 4-ary min-heap of slots. Removal is lazy: an entry leaving
// the heap, or moving in it, changes its index, which leaves its old slot
// stale; the Scheduler pops stale slots as they reach the top and compacts
// the heap when they outnumber the live ones, so a sift never writes to an
// Entry. Four children a node halve the depth of a binary heap. It is
// written out rather than built on container/heap to avoid the interface
// calls and the boxing of Push's argument. The Scheduler's lock guards it.
type entryHeap []slot

// arity is the number of children of a node.
const arity = 4

// up moves slot i towards the root and returns where it ends.
func (h entryHeap) up(i int) int {
	s := h[i]
	for i > 0 {
		p := (i - 1) / arity
		if !s.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = s
	return i
}

// down moves slot i towards the leaves.
func (h entryHeap) down(i int) {
	n := len(h)
	s := h[i]
	for {
		l := arity*i + 1
		if l >= n {
			break
		}
		c := l
		for k := l + 1; k < min(l+arity, n); k++ {
			if h[k].before(&h[c]) {
				c = k
			}
		}
		if !h[c].before(&s) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = s
}

// push adds a slot for e with key, stamped gen, and returns its place.
func (h *entryHeap) push(e *Entry, key int64, gen int32) int {
	if len(*h) == cap(*h) {
		h.grow()
	}
	*h = append(*h, slot{key: key, seq: uint32(e.id), gen: gen, e: e})
	return h.up(len(*h) - 1)
}

// grow doubles the heap's capacity. append grows a large slice by about a
// quarter, which copies a heap of 24-byte slots about five times over on
// its way to a million entries, and made an add 10-30% slower than with
// 8-byte slots (BenchmarkSchedule, interleaved runs); doubling copies it
// about twice. The price is slack: just past a power of two, up to 24
// bytes a slot more (a heap of 2²⁰ slots holds a million entries with 5%
// to spare). shrink gives it back as the heap drains.
func (h *entryHeap) grow() {
	*h = append(make(entryHeap, 0, max(2*cap(*h), 64)), (*h)...)
}

// pop removes the top slot.
func (h *entryHeap) pop() {
	old := *h
	n := len(old) - 1
	old[0] = old[n]
	old[n] = slot{}
	*h = old[:n]
	if n > 0 {
		h.down(0)
	}
	h.shrink()
}

// compact drops the stale slots and restores heap order, in O(n).
func (h *entryHeap) compact() {
	old := *h
	live := old[:0]
	for _, s := range old {
		if s.live() {
			live = append(live, s)
		}
	}
	clear(old[len(live):])
	*h = live
	live.heapify()
	h.shrink()
}

// heapify restores heap order over the whole slice, in O(n).
func (h entryHeap) heapify() {
	if len(h) < 2 {
		return
	}
	for i := (len(h) - 2) / arity; i >= 0; i-- {
		h.down(i)
	}
}

// shrink moves the heap to a slice of twice its length (at least
// heapReserve) when it fills under a quarter of a capacity above
// heapReserve, so a heap that held a burst gives the memory back as it
// drains: amortised O(1) a removal.
func (h *entryHeap) shrink() {
	if c := cap(*h); c > heapReserve && len(*h) < c/4 {
		*h = append(make(entryHeap, 0, max(2*len(*h), heapReserve)), (*h)...)
	}
}

// heapReserve is the capacity a heap keeps however few entries it holds:
// 24 KiB of slots.
const heapReserve = 1024
