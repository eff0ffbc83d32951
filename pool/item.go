package pool

import "unsafe"

// item is one queued job in a single word, so that a queued Go func costs
// the pool 8 bytes. It holds either a Go func's code pointer (a func value
// is one pointer, always 8-byte aligned) or a pointer to byte 1 of a Job:
// an interior pointer, which keeps the Job alive for the garbage collector,
// and odd, which tells the two apart.
type item struct{ p unsafe.Pointer }

func funcItem(fn func()) item { return item{*(*unsafe.Pointer)(unsafe.Pointer(&fn))} }

func jobItem(j *Job) item { return item{unsafe.Add(unsafe.Pointer(j), 1)} }

// job returns the item's Job, or nil for a Go func.
func (it item) job() *Job {
	if uintptr(it.p)&1 == 0 {
		return nil
	}
	return (*Job)(unsafe.Add(it.p, -1))
}

// fn returns the item's Go func, or nil for a Job.
func (it item) fn() func() {
	if it.p == nil || uintptr(it.p)&1 != 0 {
		return nil
	}
	p := it.p
	return *(*func())(unsafe.Pointer(&p))
}
