package pool

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/threadsystem/threadsystem/internal/ring"
)

// This file holds the fast lane: on a fixed-size, unbounded pool with no
// observer and no rate limit, jobs at Normal priority (every Go func, and
// Submit's jobs without dependencies) skip the pool's lock. Each worker owns
// a shard, a small locked queue that submitters fill and its owner drains;
// idle workers steal half of another shard; one idle worker at a time spins
// before it parks, and a submitter wakes a parked one only when none spins. Nothing
// shared by all workers is written per Go func, so one submitter feeds many
// cores: see docs/performance.md. The other priorities keep the locked
// queues: workers look there first for High and Highest, and for Low and
// Lowest only once the shards are empty. Within Normal, each shard is FIFO,
// so a pool of one worker runs Normal jobs in submission order.

// shard is one worker's queue of Normal jobs on the fast lane. Its lock is
// taken by submitters and by its owner, rarely by a thief.
type shard struct {
	mu sync.Mutex
	// draining is set while a worker holds mu to take items, so that a
	// submitter that finds mu held can tell a worker from another
	// submitter; see pushShard.
	draining atomic.Bool
	q        ring.Ring[item]
	pushed   uint64 // items accepted, for Stats
	closed   bool   // Shutdown began: submitters go to the locked path
	_        [64]byte
	// full mirrors q.Len() > 0 for readers without the lock: a worker
	// looking for work or about to park. It is written only when it
	// changes, under mu, and has a line of its own, so that polling it
	// takes neither the lock's line nor, while a backlog lasts, the
	// submitter's.
	full atomic.Bool
	// taken counts items removed from q, ghosts included: with one item
	// per shard in turn, the front of shard i is item taken*len(shards)+i
	// of the stream, which lets a worker find the oldest without a clock.
	// It has a line of its own too: written on every take, read only by
	// workers looking for the oldest.
	_     [63]byte
	taken atomic.Uint64
	_     [56]byte
}

// runLen is how many consecutive items a shard takes while the funcs that
// workers run are short (runMaxJob or less each); otherwise it is 1, round
// robin. A power of two.
const (
	runLen    = 32
	runMaxJob = 4_000 // ns
)

// oldestMinJob is how long jobs must run for workers to look through every
// shard for the oldest, so that long jobs start in submission order as from
// one queue; shorter ones start within microseconds in any order.
const oldestMinJob = 50_000 // ns

// spinRounds is how many times a worker with nothing to do yields and looks
// again before it parks: parking and waking cost a submitter microseconds,
// looking again costs the idle worker a few hundred nanoseconds.
const spinRounds = 16

// fastLaneProcs is the fewest Ps for which the fast lane pays. On 2 cores the
// submitter and the workers take turns on the same CPUs, and one lock they
// share ran tiny jobs 1.1x the channel against 0.85x for the shards; on 16,
// the shards ran them 4x faster than the lock. CI runs the pool's tests with
// GOMAXPROCS=4 as well, so that both ways are tested on a small machine.
const fastLaneProcs = 4

// fastLane reports whether a pool with these settings gets shards.
func fastLane(c *config, workers int) bool {
	return c.queueSize == 0 && c.rate == nil && c.observer == nil &&
		(c.maxWorkers == 0 || c.maxWorkers == workers) && (c.minWorkers < 0 || c.minWorkers == workers)
}

// pushShard queues it on the fast lane. It reports false, having done
// nothing, when the pool is closing: the locked path then rejects it.
func (p *Pool) pushShard(it item) bool {
	// Round robin: shard k gets items k, k+n, k+2n..., so workers of
	// equal speed start Normal jobs in submission order, as one queue
	// would; stealing evens out the rest.
	c := p.cursor.Load()
	s := &p.shards[c]
	if s.mu.TryLock() {
		// Jobs with handles go round robin always: they cost far more
		// than the cache misses that runs save, and Map and Call users
		// expect them to start in order.
		if s.pushed&uint64(p.runMask.Load()) == 0 || it.job() != nil {
			if c++; int(c) == len(p.shards) {
				c = 0
			}
			p.cursor.Store(c)
		}
	} else {
		// Another submitter or a worker holds it: go elsewhere rather
		// than queue behind it. A worker there takes each func as it
		// lands and would hold the lock again at the next push, so the
		// run moves on with us; another submitter's hold leaves the
		// cursor alone, since many submitters moving it would write its
		// line on every push. On 16 cores, moving the run cut one
		// submitter's p50 from 220-320 ns to 100-165; moving it whoever
		// held the shard cost 16 submitters 40% of their throughput
		// (docs/performance.md).
		worker := s.draining.Load()
		var k uint32
		s, k = p.lockFreeShard()
		if worker {
			p.cursor.Store(k)
		}
	}
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.q.PushBack(it)
	p.noteLen(s.q.Len())
	s.pushed++
	if s.q.Len() == 1 {
		// Dekker with a parking worker: it publishes nidle, then reads
		// full; we publish full, then read nidle. Either it sees the
		// func, or we see it idle. Already set, full stays so until the
		// func is taken.
		s.full.Store(true)
	}
	s.mu.Unlock()
	if p.nspin.Load() == 0 && p.nidle.Load() > 0 {
		p.wakeSpinner()
	}
	if p.nhelp.Load() > 0 {
		p.wakeHelpers()
	}
	return true
}

// lockFreeShard locks the first shard it finds free, from a random one on,
// and returns it with its index. It queues on a lock only after two rounds
// found none: a submitter that sleeps on a shard's lock is woken onto the
// holder's P, behind it, while its own P runs the worker it last woke (see
// lockSubmit).
func (p *Pool) lockFreeShard() (*shard, uint32) {
	n := uint32(len(p.shards))
	i := rand.Uint32N(n)
	for range 2 * n {
		if s := &p.shards[i]; s.mu.TryLock() {
			return s, i
		}
		if i++; i == n {
			i = 0
		}
	}
	s := &p.shards[i]
	s.mu.Lock()
	return s, i
}

// shardsNonEmpty reports whether any shard holds an item, ghosts included.
func (p *Pool) shardsNonEmpty() bool {
	for i := range p.shards {
		if p.shards[i].full.Load() {
			return true
		}
	}
	return false
}

// wakeSpinner wakes a parked worker as a spinner, unless one spins already.
// Counting it as spinning before it runs keeps a burst of submits from
// waking every worker.
func (p *Pool) wakeSpinner() {
	for p.nspin.CompareAndSwap(0, 1) {
		p.mu.Lock()
		if w := p.popIdleLocked(); w != nil {
			w.spinning = true
			p.mu.Unlock()
			w.wake <- struct{}{}
			return
		}
		p.mu.Unlock()
		p.nspin.Add(-1)
		// A submit that saw our transient count skipped its wake-up; a
		// worker may have parked since: look again.
		if p.nidle.Load() == 0 || !p.shardsNonEmpty() {
			return
		}
	}
}

// grab takes work from w's own shard, or steals from another: a job with a
// handle alone, or a run of Go funcs, half of what the shard holds and at
// most paceBatch, of which it returns the first and holds the rest.
func (w *worker) grab() (item, bool) {
	p := w.p
	if p.oldestFirst.Load() {
		if it, ok := w.grabOldest(); ok {
			return it, true
		}
	}
	n := len(p.shards)
	if it, ok := w.grabFrom(&p.shards[w.home], ownShard); ok {
		return it, true
	}
	start := int(rand.Uint32N(uint32(n)))
	for i := range n {
		k := (start + i) % n
		if k == w.home {
			continue
		}
		if it, ok := w.grabFrom(&p.shards[k], steal); ok {
			return it, true
		}
	}
	return item{}, false
}

// grabOldest takes from the shard whose front is oldest. It costs a look at
// every shard, which only jobs that run long enough pay for.
func (w *worker) grabOldest() (item, bool) {
	p := w.p
	n := uint64(len(p.shards))
	for range 4 {
		best, bestKey := -1, uint64(math.MaxUint64)
		for i := range p.shards {
			s := &p.shards[i]
			if !s.full.Load() {
				continue
			}
			if key := s.taken.Load()*n + uint64(i); key < bestKey {
				best, bestKey = i, key
			}
		}
		if best < 0 {
			return item{}, false
		}
		// Another worker may take that front first: then its shard's next
		// item is not the oldest any more, so look again.
		if it, ok := w.grabFrom(&p.shards[best], int64(bestKey/n)); ok {
			return it, true
		}
	}
	return item{}, false
}

// Modes of grabFrom, besides a count of taken items that the shard must
// still show once locked.
const (
	ownShard = -1 // wait for the lock
	steal    = -2 // give up if the lock is busy
)

// grabFrom is grab on one shard. A job it returns is Running; jobs
// cancelled while queued (ghosts) are discarded on the way.
func (w *worker) grabFrom(s *shard, mode int64) (item, bool) {
	if !s.full.Load() {
		return item{}, false
	}
	if mode != steal {
		s.mu.Lock()
	} else if !s.mu.TryLock() {
		return item{}, false
	}
	s.draining.Store(true)
	if mode >= 0 && s.taken.Load() != uint64(mode) {
		s.draining.Store(false)
		s.mu.Unlock()
		return item{}, false
	}
	var it item
	found, ghosts := false, 0
	for !found {
		x, ok := s.q.PopFront()
		if !ok {
			break
		}
		if j := x.job(); j != nil && !j.casState(Queued, Running) {
			ghosts++
			continue
		}
		it, found = x, true
	}
	if found && it.job() == nil {
		if k := min(w.batchCap-1, (s.q.Len()+1)/2); k > 0 {
			w.hold(&s.q, k, Normal.level(), false)
		}
	}
	popped := ghosts
	if found {
		popped += 1 + w.heldN
		if it.job() == nil {
			// runJob times jobs with handles already.
			w.grabAt, w.grabN = w.p.now(), 1+w.heldN
		}
	}
	s.taken.Add(uint64(popped))
	if s.q.Len() == 0 {
		s.full.Store(false)
	}
	s.draining.Store(false)
	s.mu.Unlock()
	if ghosts > 0 {
		// After the shard's lock: p.mu is never taken inside one. Until
		// then Stats may count these ghosts out twice, and clamps.
		w.p.mu.Lock()
		w.p.ghosts[Normal.level()] -= ghosts
		w.p.mu.Unlock()
	}
	return it, found
}

// spin looks for work a few times before w parks, unless another worker
// spins already: one spinner is enough to catch the next submit, and on 16
// cores more of them only took the submitter's cache lines (one spinner ran
// tiny jobs 2.6x faster than four; docs/performance.md). It reports whether
// work showed up; w may still be spinning then, and stopSpinning ends that
// once w has work.
func (w *worker) spin() bool {
	p := w.p
	if !w.spinning {
		if !p.nspin.CompareAndSwap(0, 1) {
			return false
		}
		w.spinning = true
	}
	for range spinRounds {
		runtime.Gosched()
		if p.topHint.Load() >= 0 || p.shardsNonEmpty() {
			return true
		}
	}
	// Stop spinning, then look once more: a submit that saw us spinning
	// did not wake anyone.
	w.spinning = false
	p.nspin.Add(-1)
	return p.topHint.Load() >= 0 || p.shardsNonEmpty()
}

// stopSpinning ends w's spin now that it has work. The last spinner to stop
// wakes another worker if work is left, so that a busy lane draws in every
// worker without the submitter waking each one.
func (w *worker) stopSpinning() {
	if !w.spinning {
		return
	}
	w.spinning = false
	p := w.p
	if p.nspin.Add(-1) == 0 && p.nidle.Load() > 0 && p.shardsNonEmpty() {
		p.wakeSpinner()
	}
}

// closeShardsLocked stops the fast lane's intake; p.mu is held, and is the
// only lock ever held while a shard's is taken.
func (p *Pool) closeShardsLocked() {
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
	}
}

// drainShardsLocked empties every shard for Shutdown's abort: it returns
// how many Go funcs it removed, and appends the jobs it moved to Cancelled,
// which the caller completes once it has unlocked p.mu.
func (p *Pool) drainShardsLocked(jobs *[]*Job) int {
	n := 0
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		for {
			it, ok := s.q.PopFront()
			if !ok {
				break
			}
			if j := it.job(); j == nil {
				n++
			} else if p.cancelQueuedLocked(j) {
				*jobs = append(*jobs, j)
			}
		}
		s.full.Store(false)
		s.mu.Unlock()
	}
	return n
}

// shardStats adds the shards' submitted and queued counts to s; p.mu is held.
func (p *Pool) shardStats(s *Stats) {
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		s.Submitted += sh.pushed
		s.QueuedBy[Normal.level()] += sh.q.Len()
		sh.mu.Unlock()
	}
}

// batchSpan is how long a held batch should take to run: what an idle
// worker may wait for funcs it cannot steal.
const batchSpan = 20_000 // ns

// pace times w's last batch of Go funcs, if it took one, at a clock read per
// batch.
func (w *worker) pace() {
	if w.grabAt == 0 {
		return
	}
	w.setPace(max(1, (w.p.now()-w.grabAt)/int64(w.grabN)))
	w.grabAt = 0
}

// setPace adapts the fast lane to jobs that ran per ns each. It sizes w's
// next batch: many tiny funcs per grab, one at a time once they take long,
// so that a batch never holds up much work an idle worker could steal.
func (w *worker) setPace(per int64) {
	// Jobs this short fill a batch: no division for them, which cost a
	// tiny job 5% of a worker's time on 2 cores.
	w.batchCap = paceBatch
	if per > batchSpan/paceBatch {
		w.batchCap = int(max(1, batchSpan/per))
	}
	// Funcs this short start within microseconds wherever they queue:
	// submitters may then fill a shard runLen at a time, which keeps its
	// lines in their cache, instead of one func per shard in turn.
	var mask uint32
	if per <= runMaxJob {
		mask = runLen - 1
	}
	if w.p.runMask.Load() != mask {
		w.p.runMask.Store(mask)
	}
	if oldest := per >= oldestMinJob; w.p.oldestFirst.Load() != oldest {
		w.p.oldestFirst.Store(oldest)
	}
}
