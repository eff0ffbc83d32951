package dag

import (
	"context"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// Report is what Run returns: how every node ended, when it ran, and the
// critical path. It is read-only once Run has returned, so it is safe to read
// from many goroutines. It keeps about 70 bytes a node (Nodes, plus 16 bytes
// a node on the critical path) and, only with KeepResults, every node's
// result; it keeps none of the run's pool jobs.
type Report struct {
	// Nodes holds one entry per node, in the order the nodes were added.
	Nodes []NodeReport
	// CriticalPath names the chain of nodes, each depending on the one
	// before, with the longest total run time among the chains ending at
	// the node that finished last; it is empty when no node ran. Ties go to
	// the dependency listed first.
	CriticalPath []string
	// CriticalTime is the sum of the run times along CriticalPath.
	CriticalTime time.Duration
	// Start is when Run started: the origin of the nodes' timings.
	Start time.Time
	// Elapsed is the wall time Run took.
	Elapsed time.Duration

	pl   *plan // for Node's and Results' lookups; nil for a Report built by hand
	vals []any // every node's result, with KeepResults
}

// NotReached is the timing of a NodeReport step that the node's job did not
// reach.
const NotReached time.Duration = -1

// NodeReport says how one node ended.
//
// As of December 2026 its timings are durations since Report.Start, not
// times, which halves the size of a Report: Report.Start.Add(n.Started) is
// the time the node started.
type NodeReport struct {
	Name string
	// State is Succeeded, Failed, Cancelled or Skipped.
	State pool.State
	// Err is nil for Succeeded; the function's error for Failed (a
	// *retry.Error after retries, a *pool.PanicError after a panic); for
	// Cancelled, the job's cancellation error, the submit's error, or an
	// error wrapping ErrStopped; for Skipped, a *DependencyError.
	Err error
	// Attempts is how many times the node's function was called.
	Attempts int
	// Queued, Started and Finished are the job's timings (see
	// pool.Job.Timing) as durations since Report.Start; a step not reached
	// is NotReached, and a node that was never submitted has none.
	Queued, Started, Finished time.Duration
}

// RunTime is how long the node's job ran, Finished - Started, or 0 if it
// never started.
func (n NodeReport) RunTime() time.Duration {
	if n.Started < 0 || n.Finished < 0 {
		return 0
	}
	return n.Finished - n.Started
}

// Node returns the report of the node named name, and false if the report
// has no such node. On a Report from Run it costs a map lookup; on one built
// by hand, a scan of Nodes.
func (rep *Report) Node(name string) (NodeReport, bool) {
	if rep == nil {
		return NodeReport{}, false
	}
	if rep.pl == nil {
		for _, nr := range rep.Nodes {
			if nr.Name == name {
				return nr, true
			}
		}
		return NodeReport{}, false
	}
	i, ok := rep.pl.index[name]
	if !ok {
		return NodeReport{}, false
	}
	return rep.Nodes[i], true
}

// Results returns the results of every node of the run, for Get. On a
// Report from a Run without KeepResults (the default) every lookup of a
// node of the graph returns an error wrapping ErrNotKept.
func (rep *Report) Results() Results {
	if rep == nil {
		return Results{}
	}
	return Results{rep: rep, of: -1}
}

// since is t as a duration since start, or NotReached for the zero time.
func since(t, start time.Time) time.Duration {
	if t.IsZero() {
		return NotReached
	}
	return t.Sub(start)
}

// report waits for every submitted job, settles each node's final state and
// builds the Report and Run's error. The Report keeps nothing of r.
func (r *run) report() (*Report, error) {
	rep := r.rep
	r.prefill(len(r.nodes))
	if r.keep {
		rep.vals = make([]any, len(r.nodes))
	}
	re := &RunError{Nodes: len(r.nodes)}
	for i := range r.nodes {
		n := &r.nodes[i]
		nr := &rep.Nodes[i]
		if j := n.job.Load(); j != nil {
			j.Wait(context.Background())
			if n.state != pool.Succeeded {
				r.settle(int32(i))
			}
			q, s, f := j.Timing()
			nr.Queued, nr.Started, nr.Finished = since(q, r.start), since(s, r.start), since(f, r.start)
		}
		nr.State, nr.Err, nr.Attempts = n.state, n.err, int(n.attempts)
		if r.keep && n.state == pool.Succeeded {
			rep.vals[i] = n.value
		}
		switch n.state {
		case pool.Failed:
			re.Failed++
			re.Errs = append(re.Errs, &NodeError{Name: nr.Name, State: n.state, Err: n.err})
		case pool.Cancelled:
			re.Cancelled++
			if r.stopped == nil {
				re.Errs = append(re.Errs, &NodeError{Name: nr.Name, State: n.state, Err: n.err})
			}
		case pool.Skipped:
			re.Skipped++
		}
	}
	if _, ok := r.stopped.(*NodeError); r.stopped != nil && !ok {
		re.Errs = append(re.Errs, r.stopped)
	}
	rep.criticalPath(r.pl)
	rep.Elapsed = time.Since(r.start)
	if re.Failed+re.Cancelled+re.Skipped > 0 {
		return rep, re
	}
	return rep, nil
}

// prefillChunk is how many NodeReports prefill fills at a time while the
// run goes on.
const prefillChunk = 4096

// prefill gives up to k more NodeReports of the Report their name and
// NotReached timings. Run's goroutine calls it while the nodes run, so that
// the first touch of the Report's memory overlaps the run.
func (r *run) prefill(k int) {
	end := min(r.filled+k, len(r.nodes))
	for i := r.filled; i < end; i++ {
		nr := &r.rep.Nodes[i]
		nr.Name = r.pl.nodes[i].name
		nr.Queued, nr.Started, nr.Finished = NotReached, NotReached, NotReached
	}
	r.filled = end
}

// criticalPath finds, in one pass over the topological order, the longest
// chain of run time ending at each node, then follows it back from the node
// that finished last.
func (rep *Report) criticalPath(pl *plan) {
	n := len(rep.Nodes)
	best := make([]time.Duration, n) // -1: the node never ran
	prev := make([]int32, n)
	last := int32(-1)
	// A node that a node which ran depends on cannot end the path, even if
	// its job's completion was stamped after its dependent's: the run learns
	// a node is done when its function returns, before the pool finishes
	// the job's bookkeeping.
	feeds := make([]bool, n)
	for _, i := range pl.order {
		if rep.Nodes[i].Started >= 0 {
			for _, d := range pl.deps(i) {
				feeds[d] = true
			}
		}
	}
	for _, i := range pl.order {
		nr := &rep.Nodes[i]
		prev[i] = -1
		if nr.Started < 0 {
			best[i] = -1
			continue
		}
		var longest time.Duration
		for _, d := range pl.deps(i) {
			if best[d] >= 0 && (prev[i] < 0 || best[d] > longest) {
				longest, prev[i] = best[d], d
			}
		}
		best[i] = longest + nr.RunTime()
		if feeds[i] {
			continue
		}
		if last < 0 || nr.Finished > rep.Nodes[last].Finished ||
			nr.Finished == rep.Nodes[last].Finished && i < last {
			last = i
		}
	}
	if last < 0 {
		return
	}
	rep.CriticalTime = best[last]
	k := 0
	for i := last; i >= 0; i = prev[i] {
		k++
	}
	path := make([]string, k)
	for i := last; i >= 0; i = prev[i] {
		k--
		path[k] = rep.Nodes[i].Name
	}
	rep.CriticalPath = path
}
