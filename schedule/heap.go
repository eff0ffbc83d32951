package schedule

// entryHeap is a binary min-heap of entries keyed by Entry.key, each entry
// knowing its index so that Fix and Remove are O(log n). It is written out
// rather than built on container/heap to avoid the interface calls and the
// boxing of Push's argument. The Scheduler's lock guards it.
type entryHeap []*Entry

func (h entryHeap) less(i, j int) bool {
	if h[i].key != h[j].key {
		return h[i].key < h[j].key
	}
	return h[i].id < h[j].id // equal times fire in creation order
}

func (h entryHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = int32(i)
	h[j].index = int32(j)
}

func (h entryHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

// down moves i towards the leaves and reports whether it moved.
func (h entryHeap) down(i int) bool {
	i0, n := i, len(h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h.less(r, l) {
			c = r
		}
		if !h.less(c, i) {
			break
		}
		h.swap(i, c)
		i = c
	}
	return i > i0
}

func (h *entryHeap) push(e *Entry) {
	e.index = int32(len(*h))
	*h = append(*h, e)
	h.up(len(*h) - 1)
}

// fix restores order after e's key changed.
func (h entryHeap) fix(e *Entry) {
	i := int(e.index)
	if !h.down(i) {
		h.up(i)
	}
}

// remove takes e out of the heap. When the heap has shrunk to a quarter of
// its capacity, and that capacity is above heapReserve, it moves to a slice
// half the size, so a heap that held a burst gives the memory back as it
// drains: amortised O(1) per removal.
func (h *entryHeap) remove(e *Entry) {
	old := *h
	i, n := int(e.index), len(old)-1
	if i != n {
		old.swap(i, n)
	}
	old[n] = nil
	*h = old[:n]
	if i != n {
		h.fix((*h)[i])
	}
	e.index = -1
	if c := cap(old); c > heapReserve && n < c/4 {
		*h = append(make(entryHeap, 0, c/2), (*h)...)
	}
}

// heapReserve is the capacity a heap keeps however few entries it holds:
// 8 KiB of slots.
const heapReserve = 1024
