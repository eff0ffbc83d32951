package dag

import (
	"errors"
	"fmt"
	"strings"

	"github.com/threadsystem/threadsystem/pool"
)

// Sentinel errors. Match them with errors.Is: the package wraps them with
// detail naming the nodes involved.
var (
	// ErrInvalidNode is returned by Add for an empty name or a nil function.
	// Nothing was added.
	ErrInvalidNode = errors.New("dag: invalid node")

	// ErrInvalidOption is returned by Add for a bad NodeOption (a nil option,
	// an empty dependency name, an unknown priority, a timeout <= 0, an
	// invalid retry policy), by Run for a bad RunOption, a nil context or a
	// nil pool, and by Add, Run and Validate for a nil *Graph; the message
	// names the argument. Nothing was added or run.
	ErrInvalidOption = errors.New("dag: invalid option")

	// ErrDuplicate is returned by Add when the name is already taken, or when
	// DependsOn lists the same dependency twice. Nothing was added.
	ErrDuplicate = errors.New("dag: duplicate")

	// ErrUnknownDependency is returned by Validate and Run when a node
	// depends on a name that no node has.
	ErrUnknownDependency = errors.New("dag: unknown dependency")

	// ErrCycle is returned by Validate and Run when the dependencies form a
	// cycle; the message spells one cycle, as in "dag: cycle: a -> b -> a",
	// where each arrow reads "depends on".
	ErrCycle = errors.New("dag: cycle")

	// ErrNotFound is returned by Get and Results.Value for a name that is not
	// a dependency of the asking node (inside a node's function) or not a
	// node of the graph (on a Report's Results).
	ErrNotFound = errors.New("dag: no such result")

	// ErrNotKept is returned by Get and Results.Value on the Results of a
	// Report from a Run without KeepResults.
	ErrNotKept = errors.New("dag: results not kept (Run without KeepResults)")

	// ErrType is returned by Get when the node's result is not of the
	// requested type.
	ErrType = errors.New("dag: wrong result type")

	// ErrStopped is the error of every node that never ran because the run
	// stopped first: its context ended, the pool was closed, or, under
	// FailFast, another node failed. It wraps the reason too, so errors.Is
	// matches context.Canceled, pool.ErrClosed or the failed node's error.
	ErrStopped = errors.New("dag: run stopped")
)

// NodeError is the error of a node that did not succeed, as Results.Value,
// Get and Run's *RunError report it. It unwraps to the node's own error.
type NodeError struct {
	// Name is the node's name.
	Name string
	// State is how the node ended: Failed, Cancelled or Skipped.
	State pool.State
	// Err is the node's error.
	Err error
}

// Error names the node and how it ended, then gives its error.
func (e *NodeError) Error() string {
	return fmt.Sprintf("dag: node %q %s: %v", e.Name, e.State, e.Err)
}

// Unwrap returns the node's error.
func (e *NodeError) Unwrap() error { return e.Err }

// DependencyError is the error of a node Skipped because one of its
// dependencies did not succeed. It names that dependency and the node where
// the chain of failures began, and unwraps to the origin's error, so a chain
// of skips a thousand nodes long still costs one small value per node.
type DependencyError struct {
	// Dependency is the direct dependency that did not succeed.
	Dependency string
	// State is how Dependency ended.
	State pool.State
	// Origin is the node whose failure or cancellation started the chain:
	// Dependency itself unless Dependency was Skipped too.
	Origin string
	// Err is Origin's error.
	Err error
}

// Error names the dependency, and the origin when it differs.
func (e *DependencyError) Error() string {
	if e.Origin == e.Dependency {
		return fmt.Sprintf("dag: skipped: dependency %q %s: %v", e.Dependency, e.State, e.Err)
	}
	return fmt.Sprintf("dag: skipped: dependency %q %s (node %q: %v)", e.Dependency, e.State, e.Origin, e.Err)
}

// Unwrap returns the origin's error.
func (e *DependencyError) Unwrap() error { return e.Err }

// RunError is the error Run returns when a node did not succeed. It counts
// the nodes by how they ended and holds the errors that explain them.
type RunError struct {
	// Nodes is the number of nodes in the run.
	Nodes int
	// Failed, Cancelled and Skipped count the nodes that ended so.
	Failed, Cancelled, Skipped int
	// Errs holds a *NodeError for each node that Failed, and for each that
	// was Cancelled while the run had not stopped (by a pool shutdown, say),
	// in the order the nodes were added; then, if the run stopped, the
	// reason (ctx's cause, pool.ErrClosed, or for FailFast nothing more: the
	// failed node is already listed). Skipped nodes are not listed: a
	// failure above explains each of them.
	Errs []error
}

// maxListed is how many errors RunError.Error spells before summarising.
const maxListed = 8

// Error summarises the counts and lists the first few errors.
func (e *RunError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dag: %d of %d nodes did not succeed (%d failed, %d cancelled, %d skipped)",
		e.Failed+e.Cancelled+e.Skipped, e.Nodes, e.Failed, e.Cancelled, e.Skipped)
	for i, err := range e.Errs {
		if i == maxListed {
			fmt.Fprintf(&b, "; and %d more", len(e.Errs)-maxListed)
			break
		}
		b.WriteString("; ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns Errs, so errors.Is and errors.As look into each of them.
func (e *RunError) Unwrap() []error { return e.Errs }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}
