package dag

import (
	"fmt"
	"reflect"

	"github.com/threadsystem/threadsystem/pool"
)

// Results gives read access to node results by name. A node's function gets
// the Results of its dependencies, and sees only those; Report.Results sees
// every node of the run, when it ran with KeepResults. Reading is safe from many goroutines, allocates
// nothing for a node that succeeded, and looks a dependency up by scanning
// the node's dependency list (a map lookup for a Report's Results). The zero
// Results holds nothing: every lookup returns ErrNotFound.
type Results struct {
	r   *run    // a node's, during its run
	rep *Report // a Report's
	of  int32   // the node whose dependencies are visible, or -1 for all
}

// Value returns the result of the node named name. When that node did not
// succeed (possible under RunAll, and on a Report), the error is a
// *NodeError wrapping the node's error. A name outside the visible set gives
// an error wrapping ErrNotFound.
func (in Results) Value(name string) (any, error) {
	i, ok := in.lookup(name)
	if !ok {
		if in.of >= 0 && in.r != nil {
			return nil, fmt.Errorf("%w: node %q does not depend on %q",
				ErrNotFound, in.r.pl.nodes[in.of].name, name)
		}
		return nil, fmt.Errorf("%w: no node %q", ErrNotFound, name)
	}
	if rep := in.rep; rep != nil {
		nr := &rep.Nodes[i]
		switch {
		case nr.State != pool.Succeeded:
			return nil, &NodeError{Name: name, State: nr.State, Err: nr.Err}
		case rep.vals == nil:
			return nil, fmt.Errorf("%w: node %q", ErrNotKept, name)
		}
		return rep.vals[i], nil
	}
	n := &in.r.nodes[i]
	if n.state != pool.Succeeded {
		return nil, &NodeError{Name: name, State: n.state, Err: n.err}
	}
	return n.value, nil
}

func (in Results) lookup(name string) (int32, bool) {
	var pl *plan
	switch {
	case in.rep != nil:
		pl = in.rep.pl
	case in.r != nil:
		pl = in.r.pl
	}
	if pl == nil {
		return 0, false
	}
	if in.of < 0 {
		i, ok := pl.index[name]
		return i, ok
	}
	for _, d := range pl.deps(in.of) {
		if pl.nodes[d].name == name {
			return d, true
		}
	}
	return 0, false
}

// Get returns the result of the node named name as a T. It returns the
// errors of Results.Value, and an error wrapping ErrType when the result is
// not a T. A nil result is a zero T only when T is an interface type.
func Get[T any](in Results, name string) (T, error) {
	var zero T
	v, err := in.Value(name)
	if err != nil {
		return zero, err
	}
	if t, ok := v.(T); ok {
		return t, nil
	}
	if v == nil && any(zero) == nil { // T is an interface type
		return zero, nil
	}
	return zero, fmt.Errorf("%w: node %q holds %T, not %v", ErrType, name, v, reflect.TypeFor[T]())
}
