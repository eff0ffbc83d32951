package pool

import (
	"errors"
	"fmt"
)

// check verifies the accounting of a closed pool against what its user
// kept: jobs, every handle the pool accepted, and funcs, how many Go funcs
// it accepted. It recomputes the terminal counts from the handles and
// compares them with Stats (handles of other pools are passed over, so a
// Typed pool's keys can be checked in turn), then checks the pool's internal books: no
// ghost, held batch, shard item, pending job or busy worker is left. It is
// for tests, after Close has returned.
func (p *Pool) check(jobs []*Job, funcs uint64) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	s := p.Stats()
	sum := uint64(s.Pending) + uint64(s.Queued) + uint64(s.Running) + s.Succeeded + s.Failed + s.Cancelled + s.Skipped
	if s.Submitted != sum {
		fail("submitted %d != pending %d + queued %d + running %d + succeeded %d + failed %d + cancelled %d + skipped %d",
			s.Submitted, s.Pending, s.Queued, s.Running, s.Succeeded, s.Failed, s.Cancelled, s.Skipped)
	}
	if s.Pending != 0 || s.Queued != 0 || s.Running != 0 {
		fail("closed pool shows pending %d, queued %d, running %d", s.Pending, s.Queued, s.Running)
	}
	var by [Skipped + 1]uint64
	var mine int
	for _, j := range jobs {
		if j.pool != p {
			continue // a Typed pool's other keys
		}
		mine++
		st := j.State()
		if !st.Terminal() {
			fail("job %d left %v%s", j.ID(), st, j.describe())
			continue
		}
		select {
		case <-j.Done():
		default:
			fail("job %d is %v but its Done channel is open", j.ID(), st)
		}
		by[st]++
	}
	if want := uint64(mine) + funcs; s.Submitted != want {
		fail("submitted %d, want %d handles + %d funcs", s.Submitted, mine, funcs)
	}
	// Go funcs end Succeeded, Failed or Cancelled: what the handles do not
	// account for must be exactly the funcs.
	var rest uint64
	for _, c := range []struct {
		st   State
		stat uint64
	}{{Succeeded, s.Succeeded}, {Failed, s.Failed}, {Cancelled, s.Cancelled}} {
		if c.stat < by[c.st] {
			fail("Stats count %d %v, the handles %d", c.stat, c.st, by[c.st])
			continue
		}
		rest += c.stat - by[c.st]
	}
	if rest != funcs {
		fail("Stats count %d terminal Go funcs, %d were accepted", rest, funcs)
	}
	if s.Skipped != by[Skipped] {
		fail("Stats count %d skipped, the handles %d", s.Skipped, by[Skipped])
	}

	p.mu.Lock()
	for lvl, g := range p.ghosts {
		if g != 0 {
			fail("level %d: %d ghosts left", lvl, g)
		}
	}
	if p.queued != 0 || p.active != 0 || p.pending != 0 || len(p.pendingJobs) != 0 || p.live != 0 {
		fail("queued %d, active %d, pending %d (%d kept), live %d", p.queued, p.active, p.pending, len(p.pendingJobs), p.live)
	}
	p.mu.Unlock()
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		if n := sh.q.Len(); n != 0 {
			fail("shard %d holds %d items", i, n)
		}
		sh.mu.Unlock()
	}
	for i, w := range p.allWorkers() {
		if n := w.heldCnt.Load(); n != 0 {
			fail("worker %d still holds a batch of %d", i, n)
		}
	}
	return errors.Join(errs...)
}

// describe tells what a job left unfinished waited for: its dependencies
// and their states, its retry policy and attempts.
func (j *Job) describe() string {
	if j.ext == nil {
		return ""
	}
	var b []byte
	for _, d := range j.ext.deps {
		b = fmt.Appendf(b, ", after job %d (%v)", d.ID(), d.State())
	}
	j.ext.mu.Lock()
	attempts := j.ext.attempts
	j.ext.mu.Unlock()
	if j.ext.retry != nil {
		b = fmt.Appendf(b, ", retried, %d attempts", attempts)
	}
	b = fmt.Appendf(b, ", waiting %d", j.ext.waiting.Load())
	return string(b)
}
