package schedule

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// recheck is how often the scheduler looks at an entry whose run is in
// progress and that has nothing else scheduled, to notice a job the pool
// dropped or cancelled before it started (its function, which reports back,
// then never runs).
const recheck = time.Second

// reschedule puts e in the heap at its earliest key, in the recheck queue
// when it waits only on runs in progress, or ends it when it has nothing
// scheduled and no run in progress. The caller holds the lock.
func (s *Scheduler) reschedule(e *Entry, now int64) {
	if e.ended() {
		return
	}
	key := min(e.fireAt(), e.retryAt())
	if key == never && e.inflight > 0 {
		s.watch(e, addKey(now, int64(recheck)))
		return
	}
	s.unwatch(e)
	if key == never {
		s.unheap(e)
		e.finish()
		return
	}
	if e.index >= 0 {
		if !e.has(fMoved) {
			return // its slot still holds its key
		}
		s.unheap(e)
	}
	e.flags &^= fMoved
	s.heapGen++
	e.index = int32(s.heapGen & (1<<31 - 1))
	if s.heap.push(e, key, e.index) == 0 {
		s.signal()
	}
}

// unheap takes e out of the heap, if it is there, by leaving its slot stale,
// and compacts the heap once stale slots outnumber live ones (and number
// over staleMin): Cancel and a change of key cost O(1) amortised, and the
// heap of a million cancelled entries gives its memory back. The caller
// holds the lock.
func (s *Scheduler) unheap(e *Entry) {
	if e.index < 0 {
		return
	}
	e.index = -1
	s.stale++
	if s.stale > staleMin && s.stale > len(s.heap)/2 {
		s.heap.compact()
		s.stale = 0
	}
}

// staleMin is how many stale slots the heap may hold before it compacts,
// however few live ones it holds.
const staleMin = 64

// watchItem is one place in the recheck queue: the entries with unsettled
// runs in c that wait only on their runs are due for a recheck at at.
type watchItem struct {
	c  *chunk
	at int64
}

// watchReserve is how many empty segments of 128 places the recheck queue
// keeps for reuse once it empties (2 KiB each).
const watchReserve = 2

// watch moves e, which waits only on its runs, out of the heap; the chunk
// of each of its runs goes into the recheck queue, due at at, unless it is
// there already. The queue holds chunks, not entries, so that a burst of
// one-shot firings costs it a place per chunk of up to chunkMax runs; every
// watched entry has a run in a queued chunk, since a chunk leaves the queue
// only at its recheck, which watches its entries afresh. The queue is a
// FIFO, since at is always now plus recheck and now only grows under the
// lock: it costs O(1) where a heap would sift. The caller holds the lock.
func (s *Scheduler) watch(e *Entry, at int64) {
	if e.isWatched() {
		return
	}
	s.unheap(e)
	e.index = watched
	s.nwatch++
	for a := e.live; a != nil; a = a.next {
		if c := a.c; !c.queued {
			c.queued = true
			s.watchQ.PushBack(watchItem{c, at})
			if s.watchQ.Len() == 1 {
				s.signal()
			}
		}
	}
}

// unwatch marks e no longer watched; the chunks of its runs stay queued.
func (s *Scheduler) unwatch(e *Entry) {
	if e.isWatched() {
		e.index = -1
		s.nwatch--
	}
}

// recheckDue settles the lost runs of the watched entries of the chunks
// that are due and returns the next recheck time, or never. The caller
// holds the lock.
func (s *Scheduler) recheckDue(now int64) int64 {
	for s.watchQ.Len() > 0 {
		it, _ := s.watchQ.Front()
		if it.at > now {
			return it.at
		}
		s.watchQ.PopFront()
		c := it.c
		c.queued = false
		for i := range c.runs {
			// A settled run has left its chunk (see finishRun).
			if a := &c.runs[i]; a.c == c && a.e.isWatched() {
				e := a.e
				s.unwatch(e)
				s.settleLost(e, now)
				s.reschedule(e, now)
			}
		}
	}
	s.watchQ.Trim(watchReserve)
	return never
}

// fire handles e, whose key is due. Afterwards e's key is after now, or e
// has left the heap. The caller holds the lock.
func (s *Scheduler) fire(e *Entry, now int64) {
	s.settleLost(e, now)
	if e.ended() {
		return
	}
	if e.retryAt() <= now {
		e.setRetry(never)
		s.submit(e, e.attemptNo()+1, now)
	}
	if e.fireAt() <= now {
		s.fireSlot(e, now)
	}
	s.reschedule(e, now)
}

// fireSlot handles a regular firing that is due: it applies the missed-run
// and overlap policies, submits, and sets the next firing.
func (s *Scheduler) fireSlot(e *Entry, now int64) {
	next, missed := s.following(e, now)
	submitted := false
	if missed && e.cfg != nil && e.cfg.missed == MissedSkip {
		e.outcome, e.lastErr = Missed, nil
	} else {
		submitted = s.fireRun(e, now)
	}
	if e.has(fCancel) { // the pool closed
		return
	}
	if e.kind == kindEvery && e.cfg != nil && e.cfg.spacing == FixedDelay && !submitted {
		next = addKey(now, e.period) // nothing runs: measure from now
	}
	e.setFire(e.bound(next))
}

// following returns the first regular firing after now (never for one-shot
// entries and, until their run finishes, FixedDelay ones) and whether the
// firing after e.due was due already, so that firings were missed.
func (s *Scheduler) following(e *Entry, now int64) (next int64, missed bool) {
	switch e.kind {
	case kindEvery:
		if e.cfg != nil && e.cfg.spacing == FixedDelay {
			return never, false
		}
		k := (now-e.due)/e.period + 1
		if k > (never-e.due)/e.period {
			return never, false
		}
		return e.due + k*e.period, k > 1
	case kindCron:
		next = s.cronNext(e, s.timeOf(e.due))
		if next <= now {
			return s.cronNext(e, s.timeOf(now)), true
		}
		return next, false
	}
	return never, false
}

// fireRun applies the overlap policy and submits a regular run; it reports
// whether a run was submitted.
func (s *Scheduler) fireRun(e *Entry, now int64) bool {
	if e.inflight > 0 || e.retryAt() != never {
		switch e.overlap() {
		case SkipIfRunning:
			e.outcome, e.lastErr = Skipped, nil
			return false
		case QueueOne:
			if e.has(fQueued) {
				e.outcome, e.lastErr = Skipped, nil
			}
			e.flags |= fQueued
			return false
		}
	}
	return s.submit(e, 1, now)
}

func (e *Entry) overlap() Overlap {
	if e.cfg == nil {
		return SkipIfRunning
	}
	return e.cfg.overlap
}

// attempt is one run of an entry submitted to the pool and not yet settled:
// its function reported back, or the pool ended its job without running it.
// An entry keeps every such run, not only the latest: with AllowOverlap (or
// a retry beside a run) several are in flight, and the pool may drop or
// cancel any of them.
type attempt struct {
	e        *Entry
	c        *chunk   // the submission that carries it
	next     *attempt // the entry's other unsettled runs
	report   *attempt // the next on the scheduler's list of reports
	err      error    // what its run returned, once reported
	n        int32    // attempt number (1 = first)
	out      Outcome  // the run's outcome, once reported
	reported atomic.Bool
}

// chunk is one submission to the pool: a single run, or the runs of entries
// without pool options fired in one pass of the loop (at most chunkMax). Its
// jobs, one per worker up to one per run, claim its runs in firing order
// and run them one after another, so that a burst costs the pool a job and
// a wake-up per worker and chunk, not per run, and a long run holds up only
// the job that runs it while the others take the rest. A job that panics or
// exits in a run hands what is left to a new job before it ends.
type chunk struct {
	s    *Scheduler
	runs []attempt    // a slab, or one's array
	jobs []*pool.Job  // guarded by s.mu; empty until submitted
	next atomic.Int32 // the next run to claim
	// active counts its jobs submitted and not yet returned: a chunk is
	// reused (see newChunk) only once none can touch it again.
	active  atomic.Int32
	settled int                         // runs settled; guarded by s.mu
	fn      func(context.Context) error // run, made once
	queued  bool                        // in the recheck queue; guarded by s.mu
	one     [1]attempt                  // the slab of a single run
	job1    [1]*pool.Job                // jobs' array for one job
}

// chunkMax is the most runs one chunk carries: a quarter of fireBatch, so
// that workers start on a burst while the loop still fires it.
const chunkMax = 64

// newChunk returns an empty chunk with room for n runs.
func (s *Scheduler) newChunk(n int) *chunk {
	if n == chunkMax && s.spare.Len() > 0 {
		c, _ := s.spare.PopFront()
		if c.active.Load() == 0 {
			clear(c.runs)
			clear(c.jobs)
			c.runs, c.jobs, c.settled = c.runs[:0], c.jobs[:0], 0
			c.next.Store(0)
			return c // its place in the recheck queue, if any, is harmless
		}
		s.spare.PushBack(c) // a job of it has yet to return, or never will
	}
	c := &chunk{s: s}
	c.runs = c.one[:0]
	if n > 1 {
		c.runs = make([]attempt, 0, n)
	}
	c.jobs = c.job1[:0]
	c.fn = c.run
	return c
}

// retire keeps c, whose every run has settled, for reuse by newChunk once
// its jobs have returned: a burst then cycles through the chunks its
// workers have finished rather than allocate a slab for each, which cost
// it allocations enough to start a GC cycle in the middle of it. At most
// spareMax are kept, about 270 KiB. The caller holds the lock.
func (s *Scheduler) retire(c *chunk) {
	if cap(c.runs) != chunkMax {
		return
	}
	if s.spare.Len() == spareMax {
		s.spare.PopFront()
	}
	s.spare.PushBack(c)
}

// spareMax is how many chunks the scheduler keeps for reuse.
const spareMax = 64

// add appends a run of e to c and returns it.
func (c *chunk) add(e *Entry, n int32) *attempt {
	c.runs = c.runs[:len(c.runs)+1]
	a := &c.runs[len(c.runs)-1]
	a.e, a.c, a.n = e, c, n
	return a
}

// over reports whether every job of c has ended, so that a run of c that
// has not reported never will. The caller holds the lock.
func (c *chunk) over() bool {
	if len(c.jobs) == 0 {
		return false // not submitted yet
	}
	for _, j := range c.jobs {
		if !j.State().Terminal() {
			return false
		}
	}
	return true
}

// lostErr is the error a run of c that never ran records: that of the job
// that ended last among those that did not run it, in practice the reason
// the pool gave. The caller holds the lock.
func (c *chunk) lostErr() error {
	for _, j := range slices.Backward(c.jobs) {
		if err := j.Err(); err != nil {
			return err
		}
	}
	return nil
}

// submit hands one attempt of e to the pool without waiting. A full queue
// records the firing as Rejected; a closed pool also ends the entry. While
// the loop fires a pass on a pool that admits jobs unconditionally (no
// bound, no rate limit), a run without pool options joins the pass's chunk,
// submitted when full or when the loop lets go of the lock; such a chunk
// can only be refused by a closed pool (see flush).
func (s *Scheduler) submit(e *Entry, n int32, now int64) bool {
	var opts []pool.JobOption
	if e.cfg != nil {
		opts = e.cfg.jobOpts
	}
	if s.batching && len(opts) == 0 {
		c := s.pend
		if c == nil || len(c.runs) == cap(c.runs) {
			s.flush(now)
			c = s.newChunk(s.chunkCap)
			s.chunkCap = min(2*s.chunkCap, chunkMax)
			s.pend = c
		}
		s.commit(c.add(e, n))
		return true
	}
	c := s.newChunk(1)
	a := c.add(e, n)
	if err := s.start(c, opts, now); err != nil {
		a.c = nil
		s.refused(e, n, err)
		return false
	}
	// The lock is held, so the run cannot report before it is linked.
	s.commit(a)
	return true
}

// commit records a, submitted or about to be, on its entry; the entry's
// LastRun is set once its chunk is submitted (see start). The caller holds
// the lock.
func (s *Scheduler) commit(a *attempt) {
	e, n := a.e, a.n
	a.next, e.live = e.live, a
	if e.cfg != nil {
		e.cfg.attempt = n
	}
	e.inflight++
	if n == 1 {
		e.runs++
	}
}

// refused records a firing of e the pool refused with err.
func (s *Scheduler) refused(e *Entry, n int32, err error) {
	e.outcome = Rejected
	e.setErr(err)
	if errors.Is(err, pool.ErrClosed) {
		e.flags |= fCancel
		e.stop()
	}
	if s.log != nil {
		s.log.Warn("schedule: the pool refused a run", "entry", e.id, "attempt", n, "err", err)
	}
}

// start submits c's jobs: one per worker of the pool, at most one per run,
// and sets the LastRun of c's entries to now. It returns the pool's error
// when it refused the first; c is submitted otherwise. The caller holds the
// lock.
func (s *Scheduler) start(c *chunk, opts []pool.JobOption, now int64) error {
	k := 1
	if len(c.runs) > 1 {
		if s.helpers == 0 {
			s.helpers = max(1, s.p.Workers())
		}
		k = min(len(c.runs), s.helpers)
	}
	for i := range k {
		c.active.Add(1)
		job, err := s.p.TrySubmit(context.Background(), c.fn, opts...)
		if err != nil {
			c.active.Add(-1)
			if i == 0 {
				return err
			}
			break // closed meanwhile: the jobs in take every run
		}
		c.jobs = append(c.jobs, job)
	}
	for i := range c.runs {
		c.runs[i].e.lastRun = now
	}
	return nil
}

// flush submits the pass's chunk, if any. The pool refuses it only when it
// has closed: then each of its runs is undone and recorded as Rejected, and
// its entry ends. The caller holds the lock.
func (s *Scheduler) flush(now int64) {
	c := s.pend
	if c == nil {
		return
	}
	s.pend = nil
	err := s.start(c, nil, now)
	if err == nil {
		return
	}
	for i := range c.runs {
		a := &c.runs[i]
		e := a.e
		if !e.unlink(a) {
			continue
		}
		a.c = nil
		e.inflight--
		if a.n == 1 {
			e.runs--
		}
		s.refused(e, a.n, err)
		s.reschedule(e, now)
	}
}

// endPass submits what the pass collected and stops collecting: the caller
// lets go of the lock next.
func (s *Scheduler) endPass(now int64) {
	s.flush(now)
	s.batching = false
}

// beginPass starts collecting the runs of a pass into chunks, if the pool
// allows it. The caller holds the lock.
func (s *Scheduler) beginPass(hint int) {
	s.batching = s.canBatch
	s.chunkCap = min(max(hint, 1), chunkMax)
	s.helpers = 0
}

// resumeOpts are those of a job that takes over the runs left by a job whose
// run panicked: High, so that they start ahead of the chunks fired after
// them, as they would have.
var resumeOpts = []pool.JobOption{pool.WithPriority(pool.High)}

// run is the function of c's jobs: it claims c's runs one at a time and
// runs each with the job's context, until none is left. A run claimed
// after that context ended (Shutdown) is recorded as Cancelled without
// running, as the pool does for a job. A job carrying one run returns its
// function's error, as a job of its own would; one carrying several returns
// nil, each outcome being the entry's. When a run panics or calls
// runtime.Goexit, the job hands the runs left to a new job first (see
// resumeOpts).
func (c *chunk) run(ctx context.Context) (err error) {
	s := c.s
	done := false
	defer c.active.Add(-1) // the last touch of c
	defer func() {
		if !done && int(c.next.Load()) < len(c.runs) {
			s.lock()
			c.active.Add(1)
			if job, err := s.p.TrySubmit(context.Background(), c.fn, resumeOpts...); err == nil {
				c.jobs = append(c.jobs, job)
			} else {
				c.active.Add(-1)
			}
			s.unlock()
		}
	}()
	for {
		i := int(c.next.Add(1)) - 1
		if i >= len(c.runs) {
			break
		}
		a := &c.runs[i]
		if ctx.Err() != nil {
			s.report(a, Cancelled, context.Cause(ctx))
			continue
		}
		err = s.run(ctx, a)
	}
	done = true
	if len(c.runs) > 1 {
		return nil
	}
	return err
}

// run is the function the pool runs for one attempt: it calls the entry's
// function and reports the outcome to the scheduler before returning, so no
// goroutine watches the job. A panic is reported, then passed on to the pool.
func (s *Scheduler) run(ctx context.Context, a *attempt) (err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		r := recover()
		perr := errGoexit
		if r != nil {
			perr = &PanicError{Value: r}
		}
		s.report(a, Failed, perr)
		if r != nil {
			panic(r)
		}
	}()
	err = a.e.fn(ctx)
	returned = true
	out := Succeeded
	if err != nil {
		out = Failed
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
			out = Cancelled
		}
	}
	s.report(a, out, err)
	return err
}

// report records the end of one attempt. When the lock is free it settles
// the run itself; when another goroutine holds it (the loop may hold it
// through a burst of firings) it pushes a onto the list of reports, which
// the holder settles before it lets go (see unlock), and returns without
// waiting. Either way every state read under the lock after the run
// reported counts it.
func (s *Scheduler) report(a *attempt, out Outcome, err error) {
	a.out, a.err = out, err
	a.reported.Store(true) // before the job can end: see settleLost
	burst := s.bursting.Load()
	if !burst && s.mu.TryLock() {
		if a.e.unlink(a) {
			s.finishRun(a, out, err, s.now())
		}
		s.unlock()
		return
	}
	for {
		old := s.reports.Load()
		a.report = old
		if s.reports.CompareAndSwap(old, a) {
			break
		}
	}
	// The holder may have looked at the list before the push and let go
	// since: then the lock is free, and this settles the list itself. In
	// a burst the loop settles the list when it ends, after it clears
	// bursting: so while bursting still reads true, the loop's look at
	// the list is yet to come (both are sequentially consistent).
	if burst && s.bursting.Load() {
		return
	}
	if s.mu.TryLock() {
		s.unlock()
	}
}

// lock takes the scheduler's lock and settles the runs that reported while
// the loop let go of it in a burst without settling them (see yieldBurst).
func (s *Scheduler) lock() {
	s.mu.Lock()
	if s.reports.Load() != nil {
		s.settleReports()
	}
}

// unlock settles the runs that reported while the lock was held, then lets
// go of it. A report pushed after the last look finds the lock free (its
// TryLock comes after the push, the look before the release) or held by
// another goroutine, which settles it in turn.
func (s *Scheduler) unlock() {
	for {
		if s.reports.Load() != nil {
			s.settleReports()
		}
		s.mu.Unlock()
		if s.reports.Load() == nil || !s.mu.TryLock() {
			return
		}
	}
}

// settleReports settles the runs on the list of reports, in the order they
// reported. The caller holds the lock.
func (s *Scheduler) settleReports() {
	var fifo *attempt
	for a := s.reports.Swap(nil); a != nil; {
		next := a.report
		a.report, fifo = fifo, a
		a = next
	}
	now := s.now()
	for a := fifo; a != nil; {
		next := a.report
		a.report = nil
		if a.e.unlink(a) {
			s.finishRun(a, a.out, a.err, now)
		}
		a = next
	}
}

// unlink takes a out of e's unsettled runs and reports whether it was there,
// so that each run is settled once. The caller holds the lock.
func (e *Entry) unlink(a *attempt) bool {
	for p := &e.live; *p != nil; p = &(*p).next {
		if *p == a {
			*p = a.next
			a.next = nil
			return true
		}
	}
	return false
}

// settleLost finishes every run of e whose job the pool ended without running
// it (dropped, or cancelled by a shutdown), as Cancelled with the job's
// error. Such a job's function, which reports back, never ran; a job whose
// function ran has reported before its state became terminal, so the check
// cannot race with the report. The caller holds the lock.
func (s *Scheduler) settleLost(e *Entry, now int64) {
	var lost *attempt
	for p := &e.live; *p != nil; {
		// A run that reported is settled from the list of reports; one
		// whose job ended without reporting never ran.
		if a := *p; a.c.over() && !a.reported.Load() {
			*p, a.next, lost = a.next, lost, a
		} else {
			p = &a.next
		}
	}
	// finishRun may submit a new run, so settle after the walk.
	for lost != nil {
		a := lost
		lost, a.next = a.next, nil
		s.finishRun(a, Cancelled, a.c.lostErr(), now)
	}
}

// finishRun records the end of attempt a, settled, and decides what
// follows: a retry, the queued firing, the next FixedDelay firing, or the
// entry's end.
func (s *Scheduler) finishRun(a *attempt, out Outcome, err error, now int64) {
	e, n := a.e, a.n
	e.inflight--
	e.outcome, e.lastErr = out, nil
	if c := a.c; c != nil {
		if c.settled++; c.settled == len(c.runs) {
			s.retire(c)
		}
	}
	a.c = nil // nor is the chunk's, nor the pool's Jobs
	if err != nil {
		e.setErr(err) // boxed: the attempt lives in its chunk's slab
	}
	if e.ended() {
		return // after Close: the outcome is all there is to record
	}
	if c := e.cfg; out == Failed && c != nil && c.retry != nil && !e.has(fCancel) && c.retryAt == never {
		if d, ok := c.retry.Next(int(n), err); ok {
			c.retryAt, c.attempt, e.outcome = addKey(now, int64(d)), n, Retrying
			s.reschedule(e, now)
			return
		}
	}
	if !e.has(fCancel) && e.inflight == 0 && e.retryAt() == never {
		switch {
		case e.has(fQueued):
			e.flags &^= fQueued
			if e.runsLeft() {
				s.submit(e, 1, now)
			}
			if e.bound(e.due) == never {
				e.setFire(never)
			}
		case e.kind == kindEvery && e.cfg != nil && e.cfg.spacing == FixedDelay:
			e.setFire(e.bound(addKey(now, e.period)))
		}
	}
	s.reschedule(e, now)
}
