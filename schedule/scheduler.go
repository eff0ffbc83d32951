package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/internal/ring"
	"github.com/threadsystem/threadsystem/pool"
)

// never is the key of an entry with nothing scheduled.
const never = math.MaxInt64

// Scheduler fires entries (After, At, Every, Cron) by submitting their
// functions to a pool. It keeps every entry in one min-heap served by one
// goroutine and one timer, whatever the number of entries; the goroutine
// starts with the first entry and ends with Close.
//
// All methods are safe for concurrent use. None waits for a run, and none
// blocks on the pool: firings use TrySubmit. A Scheduler must be made with
// New; the zero Scheduler is not usable. Close it to stop its goroutine.
type Scheduler struct {
	p     *pool.Pool
	loc   *time.Location
	log   *slog.Logger
	epoch time.Time // keys are nanoseconds since epoch, on the monotonic clock

	mu       sync.Mutex
	reports  atomic.Pointer[attempt] // runs that reported, newest first; settled under mu
	bursting atomic.Bool             // fireBulk fires a burst: runs report on the list, not under mu
	heap     entryHeap
	watchQ   ring.Ring[watchItem]     // chunks with runs of entries waiting only on their runs, by recheck time
	nwatch   int                      // entries waiting only on their runs (see watch)
	heapGen  uint32                   // slots pushed so far, for their stamps
	stale    int                      // stale slots in heap
	dueBuf   []slot                   // fireBulk's array, kept while small
	firing   int                      // entries fireBulk took out and has yet to fire
	looping  bool                     // the loop holds the lock and looks at the earliest key before it sleeps
	canBatch bool                     // the pool admits every job (no bound, no rate limit): passes fire in chunks
	batching bool                     // the loop collects runs into pend (see submit)
	pend     *chunk                   // the runs collected and not yet submitted
	chunkCap int                      // the room of the pass's next chunk
	helpers  int                      // jobs a chunk of several runs gets; 0 until asked in the pass
	spare    ring.Ring[*chunk]        // settled chunks for reuse (see retire)
	dones    map[*Entry]chan struct{} // Done channels asked for before the end
	lastID   uint64
	closed   bool
	started  bool
	wake     chan struct{} // buffered 1: the earliest key moved earlier
	quit     chan struct{}
	exited   chan struct{}

	specMu sync.Mutex
	specs  map[string]*cron.SpecSchedule // parsed Cron specs, shared by entries
}

// specCacheSize bounds the parsed specs a Scheduler keeps for sharing: it
// forgets them all when it would hold more.
const specCacheSize = 64

// New returns a Scheduler that runs its entries on p. It starts no goroutine
// until the first entry is added. With a nil p it returns a Scheduler whose
// every method returns ErrNilPool, so the mistake surfaces at first use.
func New(p *pool.Pool, opts ...Option) *Scheduler {
	s := &Scheduler{
		p:      p,
		loc:    time.Local,
		epoch:  time.Now(),
		wake:   make(chan struct{}, 1),
		quit:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for _, o := range opts {
		if o != nil {
			o.applyScheduler(s)
		}
	}
	if p != nil {
		d := p.Diagnostics()
		s.canBatch = d.Capacity == 0 && !d.RateLimited
	}
	return s
}

// now returns the current key: nanoseconds since the epoch.
func (s *Scheduler) now() int64 { return int64(time.Since(s.epoch)) }

// keyOf returns the key of t; a time too far ahead to represent becomes
// the latest key short of never, so it is late rather than lost.
func (s *Scheduler) keyOf(t time.Time) int64 { return min(int64(t.Sub(s.epoch)), never-1) }

// addKey returns k+d, saturating short of never.
func addKey(k, d int64) int64 {
	if d > never-1-k {
		return never - 1
	}
	return k + d
}

// timeOf returns the time of key k, without a monotonic reading.
func (s *Scheduler) timeOf(k int64) time.Time { return s.epoch.Add(time.Duration(k)).Round(0) }

// After runs fn once, d from now. d == 0 runs it at once (through the
// scheduler's goroutine, not on the caller's); a negative d is an error
// wrapping ErrInvalid, as is a nil fn, an invalid option or a nil
// *Scheduler. After returns ErrClosed after Close and ErrNilPool for a nil
// pool.
func (s *Scheduler) After(d time.Duration, fn func(context.Context) error, opts ...EntryOption) (*Entry, error) {
	if d < 0 {
		return nil, invalidf("After(%v): negative delay", d)
	}
	return s.add(kindOnce, fn, opts, func(now int64) int64 { return addKey(now, int64(d)) }, 0, nil)
}

// At runs fn once at t. A t in the past (or now) runs fn at once, like
// After(0): the run is late, not lost. Errors as for After.
func (s *Scheduler) At(t time.Time, fn func(context.Context) error, opts ...EntryOption) (*Entry, error) {
	return s.add(kindOnce, fn, opts, func(now int64) int64 { return max(s.keyOf(t), now) }, 0, nil)
}

// Every runs fn every d, the first time d from now (or at StartAt). Under
// FixedRate (the default) firings follow a grid whatever the runs take; under
// FixedDelay each firing is d after the previous run finished. d <= 0 is an
// error wrapping ErrInvalid; other errors as for After.
func (s *Scheduler) Every(d time.Duration, fn func(context.Context) error, opts ...EntryOption) (*Entry, error) {
	if d <= 0 {
		return nil, invalidf("Every(%v): interval must be positive", d)
	}
	return s.add(kindEvery, fn, opts, func(now int64) int64 { return addKey(now, int64(d)) }, d, nil)
}

// Cron runs fn at each activation of spec, parsed by cron.Parse (robfig/cron
// v3 dialect with optional seconds, descriptors, @every, CRON_TZ=, L, W, #).
// The spec is read in the zone of its CRON_TZ= prefix if any, else in the
// entry's InLocation, else in the scheduler's WithLocation (time.Local by
// default); daylight-saving transitions follow the cron package's rules. A
// spec that does not parse gives an error wrapping both ErrInvalid and the
// *cron.ParseError; other errors as for After.
func (s *Scheduler) Cron(spec string, fn func(context.Context) error, opts ...EntryOption) (*Entry, error) {
	if s == nil {
		return nil, invalidf("nil *Scheduler")
	}
	sched, err := s.parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return s.add(kindCron, fn, opts, nil, 0, sched)
}

// parse parses a Cron spec, sharing the result between entries made from
// the same spec string: a *cron.SpecSchedule is immutable, and 128 bytes.
func (s *Scheduler) parse(spec string) (cron.Schedule, error) {
	s.specMu.Lock()
	ss, ok := s.specs[spec]
	s.specMu.Unlock()
	if ok {
		return ss, nil
	}
	sched, err := cron.Parse(spec)
	if err != nil {
		return nil, err
	}
	if ss, ok := sched.(*cron.SpecSchedule); ok {
		s.specMu.Lock()
		if len(s.specs) >= specCacheSize {
			clear(s.specs)
		}
		if s.specs == nil {
			s.specs = make(map[string]*cron.SpecSchedule)
		}
		s.specs[spec] = ss
		s.specMu.Unlock()
	}
	return sched, nil
}

// add validates, builds and schedules an entry. first gives the first due
// key from now for After, At and Every; Cron asks its schedule.
func (s *Scheduler) add(k kind, fn func(context.Context) error, opts []EntryOption,
	first func(now int64) int64, period time.Duration, sched cron.Schedule) (*Entry, error) {
	if s == nil {
		return nil, invalidf("nil *Scheduler")
	}
	if s.p == nil {
		return nil, ErrNilPool
	}
	if fn == nil {
		return nil, invalidf("nil function")
	}
	cfg, err := buildConfig(k, opts)
	if err != nil {
		return nil, err
	}
	e := &Entry{s: s, fn: fn, cfg: cfg, period: int64(period), kind: k, index: -1}
	switch sc := sched.(type) {
	case nil:
	case *cron.SpecSchedule:
		e.spec = sc
	case cron.Every:
		e.period = int64(sc)
		e.flags |= fCronEvery
	default:
		if e.cfg == nil {
			e.cfg = &config{fireAt: never, retryAt: never}
		}
		e.cfg.sched = sc
	}
	s.lock()
	defer s.unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.lastID++
	e.id = s.lastID
	now := s.now()
	e.due = s.firstDue(e, now, first)
	e.setFire(e.due)
	if e.due == never {
		e.finish() // nothing to run: a Cron with no activation, EndAt passed
		return e, nil
	}
	s.reschedule(e, now)
	if !s.started {
		s.started = true
		go s.loop()
	}
	return e, nil
}

// firstDue returns the entry's first due key, bounds applied.
func (s *Scheduler) firstDue(e *Entry, now int64, first func(int64) int64) int64 {
	c := e.cfg
	var due int64
	switch {
	case e.kind == kindCron:
		from := s.timeOf(now)
		if c != nil && !c.start.IsZero() && c.start.After(from) {
			from = c.start.Add(-time.Nanosecond) // activations at start count
		}
		due = s.cronNext(e, from)
	case e.kind == kindEvery && c != nil && !c.start.IsZero() && s.keyOf(c.start) > now:
		due = s.keyOf(c.start)
	default:
		due = first(now)
		if c != nil && !c.start.IsZero() {
			due = max(due, s.keyOf(c.start))
		}
	}
	return e.bound(due)
}

// cronNext returns the key of the first activation of e's spec after t, or
// never.
func (s *Scheduler) cronNext(e *Entry, t time.Time) int64 {
	loc := s.loc
	if e.cfg != nil && e.cfg.loc != nil {
		loc = e.cfg.loc
	}
	// A CRON_TZ= prefix makes the spec ignore t's location: it wins.
	var next time.Time
	switch t = t.In(loc); {
	case e.spec != nil:
		next = e.spec.Next(t)
	case e.has(fCronEvery):
		next = cron.Every(e.period).Next(t)
	default:
		next = e.cfg.sched.Next(t)
	}
	if next.IsZero() {
		return never
	}
	return s.keyOf(next)
}

// loop is the scheduler's goroutine: it fires due entries, then sleeps on its
// one timer until the earliest key, a wake-up or Close.
func (s *Scheduler) loop() {
	defer close(s.exited)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		s.lock()
		if s.closed {
			s.unlock()
			return
		}
		s.looping = true
		now := s.now()
		if !s.fireBulk(now) {
			s.unlock()
			return // closed meanwhile
		}
		s.beginPass(1)
		fired := 0
		for len(s.heap) > 0 {
			top := &s.heap[0]
			if !top.live() {
				s.heap.pop()
				s.stale--
				continue
			}
			if top.key > now {
				break
			}
			e := top.e
			s.heap.pop()
			e.index = -1
			s.fire(e, now)
			if fired++; fired%fireBatch == 0 {
				// Let Entry methods, adds and Cancel in between a burst.
				s.yieldLock(now)
				if s.closed {
					s.unlock()
					return
				}
				s.beginPass(chunkMax)
			}
		}
		s.endPass(now)
		next := s.recheckDue(now)
		if len(s.heap) > 0 {
			next = min(next, s.heap[0].key)
		}
		wait := int64(never)
		if next != never {
			wait = next - now
		}
		// From here a change of the earliest key must wake the loop: the
		// reports settled on the way out may make one.
		s.looping = false
		s.unlock()
		if wait == never {
			t.Stop()
		} else {
			t.Reset(time.Duration(wait))
		}
		select {
		case <-t.C:
		case <-s.wake:
		case <-s.quit:
			return
		}
	}
}

// fireBulk fires a burst: when at least a sixteenth of a large heap is due
// it takes every due slot out in one pass, rebuilds the heap from the rest
// in O(n), sorts the due ones and fires them in order, where popping them
// one by one would sift the heap for each. It reports false when the
// scheduler closed meanwhile. The caller holds the lock, which fireBulk lets
// go of between batches of fireBatch firings.
func (s *Scheduler) fireBulk(now int64) bool {
	due, stale, ok := s.heap.takeDue(now, s.dueBuf[:0])
	if !ok {
		return true
	}
	for _, sl := range due {
		sl.e.index = -1
	}
	s.stale -= stale
	s.firing = len(due)
	s.bursting.Store(true)
	defer s.bursting.Store(false) // before the caller's unlock settles the list
	s.beginPass(len(due))
	for i, sl := range due {
		s.firing--
		s.fire(sl.e, now)
		if (i+1)%fireBatch == 0 {
			s.yieldBurst(now)
			if s.closed { // Close finished the heap's entries; finish ours
				for _, sl := range due[i+1:] {
					sl.e.stop()
					sl.e.finish()
				}
				s.firing = 0
				s.keepDueBuf(due)
				return false
			}
			s.beginPass(len(due) - i - 1)
		}
	}
	s.endPass(now)
	s.keepDueBuf(due)
	return true
}

// keepDueBuf keeps due's array for the next burst if it is small.
func (s *Scheduler) keepDueBuf(due []slot) {
	clear(due)
	s.dueBuf = nil
	if cap(due) <= heapReserve {
		s.dueBuf = due[:0]
	}
}

// fireBatch is how many firings the loop makes in one hold of the lock.
const fireBatch = 256

// yieldLock submits what the pass collected, lets go of the lock and takes
// it again, for the loop between batches of firings; the caller begins a new
// pass.
func (s *Scheduler) yieldLock(now int64) {
	s.endPass(now)
	s.looping = false
	s.unlock()
	s.lock()
	s.looping = true
}

// yieldBurst is yieldLock for fireBulk, but leaves the runs that reported
// meanwhile on the list of reports: settling them on the way out made the
// loop, the one goroutine that starts a burst's runs, also finish them,
// and the burst's last runs started up to a fifth later. Through a burst
// runs report on the list without trying the lock (see report), and the
// list is settled by the next other goroutine to take the lock or when
// the burst ends; each lock() settles what is listed before it reads, so
// no state read under the lock misses a run that reported.
func (s *Scheduler) yieldBurst(now int64) {
	s.endPass(now)
	s.looping = false
	s.mu.Unlock()
	s.mu.Lock()
	s.looping = true
}

// signal wakes the loop without blocking, unless the caller is the loop
// itself, which looks at the earliest key before it sleeps: waking it then
// cost a second wake-up for every one-shot firing. The caller holds the
// lock.
func (s *Scheduler) signal() {
	if s.looping {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close stops the scheduler: no entry fires again, every entry's Done
// channel closes, and Close waits for the scheduler's goroutine to return.
// It cancels nothing on the pool: runs already submitted follow the pool's
// rules, and their outcomes are still recorded on their entries. After Close,
// After, At, Every and Cron return ErrClosed and Entry.Cancel returns false.
// Close is idempotent and safe from many goroutines; it returns nil, or
// ErrNilPool for a Scheduler made with a nil pool (ErrInvalid for a nil
// *Scheduler).
func (s *Scheduler) Close() error {
	if s == nil {
		return invalidf("Close: nil *Scheduler")
	}
	if s.p == nil {
		return ErrNilPool
	}
	s.lock()
	if !s.closed {
		s.closed = true
		for _, sl := range s.heap {
			if e := sl.e; sl.live() {
				e.index = -1
				e.stop()
				e.finish()
			}
		}
		s.heap, s.stale = nil, 0
		for s.watchQ.Len() > 0 {
			it, _ := s.watchQ.PopFront()
			for i := range it.c.runs {
				if a := &it.c.runs[i]; a.c == it.c && a.e.isWatched() {
					a.e.index = -1
					a.e.finish()
				}
			}
		}
		s.watchQ, s.nwatch = ring.Ring[watchItem]{}, 0
		close(s.quit)
	}
	started := s.started
	s.unlock()
	if started {
		<-s.exited
	}
	return nil
}

// Len returns the number of entries that have not ended. It is safe from
// many goroutines and takes the scheduler's lock.
func (s *Scheduler) Len() int {
	s.lock()
	defer s.unlock()
	return len(s.heap) - s.stale + s.nwatch + s.firing
}
