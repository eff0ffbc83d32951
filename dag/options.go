package dag

import (
	"errors"
	"fmt"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// NodeOption configures one node in Add. An invalid option makes Add return
// an error wrapping ErrInvalidOption, and nothing is added. The interface is
// sealed: options come from this package's functions.
type NodeOption interface {
	applyNode(*node) error
}

type nodeOptionFunc func(*node) error

func (f nodeOptionFunc) applyNode(n *node) error { return f(n) }

// DependsOn makes the node wait for the named nodes: it runs only once each
// of them has ended (under the default policy, Succeeded), and its function
// reads their results through its Results. Names may refer to nodes added
// later; Validate reports the ones that never appear. Several DependsOn
// options add up. An empty name is an error, and so is a name given twice.
// The order of names is kept: it is the order Validate follows to spell a
// cycle and the order ties are broken in the critical path.
func DependsOn(names ...string) NodeOption {
	return nodeOptionFunc(func(n *node) error {
		for _, d := range names {
			if d == "" {
				return errors.New("DependsOn: empty name")
			}
		}
		n.deps = append(n.deps, names...)
		return nil
	})
}

// WithPriority runs the node's job at priority p on the pool (see
// pool.WithPriority): among nodes ready at the same time, the pool's workers
// take higher priorities first. The default is pool.Normal. A value other
// than the five levels is an error.
func WithPriority(p pool.Priority) NodeOption {
	return nodeOptionFunc(func(n *node) error {
		if p < pool.Lowest || p > pool.Highest {
			return fmt.Errorf("WithPriority(%d): unknown priority", int8(p))
		}
		n.prio = p
		return nil
	})
}

// WithTimeout ends the node's context d after its job starts (it is passed
// on as pool.WithTimeout). The timeout covers every attempt when the node
// also has WithRetry. A node whose function returns that context's error
// ends Failed with an error matching context.DeadlineExceeded. The default
// is no timeout; d <= 0 is an error.
func WithTimeout(d time.Duration) NodeOption {
	return nodeOptionFunc(func(n *node) error {
		if d <= 0 {
			return fmt.Errorf("WithTimeout(%v): timeout must be > 0", d)
		}
		n.timeout = d
		return nil
	})
}

// WithRetry runs the node's function under retry.Do with policy p: a failed
// attempt is retried, on the same worker, after p's backoff, until it
// succeeds or p gives up. The node's error is then retry's *retry.Error,
// which wraps the last attempt's error. NodeReport.Attempts counts the
// attempts. The default is one attempt; an invalid p is an error wrapping
// retry.ErrInvalidPolicy too.
func WithRetry(p retry.Policy) NodeOption {
	return nodeOptionFunc(func(n *node) error {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("WithRetry: %w", err)
		}
		n.retry = &p
		return nil
	})
}

// RunOption configures one Run. The interface is sealed: the run options are
// the FailurePolicy constants, KeepResults and NameJobs.
type RunOption interface {
	applyRun(*runConfig) error
}

type runConfig struct {
	policy FailurePolicy
	keep   bool
	names  bool
}

// KeepResults makes the Report of the run keep every node's result, for
// Report.Results. Without it (the default since December 2026) the Report
// keeps only what Nodes and the critical path hold, about 70 bytes a node,
// and results live only while the run needs them: a node reads its
// dependencies' through its Results, and a result wanted after Run is best
// written by its node where the caller can read it. With it the Report
// also keeps each result, 16 bytes a node plus the result itself.
func KeepResults() RunOption { return keepResults{} }

type keepResults struct{}

func (keepResults) applyRun(c *runConfig) error {
	c.keep = true
	return nil
}

// NameJobs names each node's pool job after its node (pool.WithName), so
// the pool's observer, Diagnostics, traces and profiler labels show it.
// Without it (the default since December 2026) the jobs have no name, which
// saves two allocations and about 150 bytes a node: pool.WithName's option
// spec and the job's extension record.
func NameJobs() RunOption { return nameJobs{} }

type nameJobs struct{}

func (nameJobs) applyRun(c *runConfig) error {
	c.names = true
	return nil
}

// FailurePolicy says what a run does when a node does not succeed (ends
// Failed or Cancelled, or could not be submitted). Each constant is a
// RunOption; the last one given to Run wins.
type FailurePolicy uint8

const (
	// SkipDependents, the default, ends every descendant of the failed node
	// Skipped, with a *DependencyError, without running it; every node that
	// does not depend on it, directly or not, still runs. Run returns once
	// all nodes have ended.
	SkipDependents FailurePolicy = iota
	// FailFast stops the run at the first failure: every job still queued
	// ends Cancelled without running its node (also one a worker takes
	// between the failure and the coordinator hearing of it), every running
	// job has its context cancelled (it ends Cancelled if its function
	// returns that context's error, otherwise as its function returns), and
	// every node not yet submitted, descendants of the failed node
	// included, ends Cancelled. Nodes that did not run have an error
	// wrapping ErrStopped and the failed node's *NodeError.
	FailFast
	// RunAll runs every node once all its dependencies have ended, whatever
	// their outcome: nothing is Skipped. A node reads a failed dependency's
	// error through its Results (Get returns that dependency's *NodeError),
	// and decides for itself. Use it for clean-up and reporting nodes.
	RunAll
)

// String returns the policy's name.
func (f FailurePolicy) String() string {
	switch f {
	case SkipDependents:
		return "skip-dependents"
	case FailFast:
		return "fail-fast"
	case RunAll:
		return "run-all"
	}
	return fmt.Sprintf("FailurePolicy(%d)", uint8(f))
}

func (f FailurePolicy) applyRun(c *runConfig) error {
	if f > RunAll {
		return invalidf("unknown %v", f)
	}
	c.policy = f
	return nil
}
