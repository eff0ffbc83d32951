package registry

import "errors"

// Sentinel errors. Each error returned by this package matches one of them
// with errors.Is and adds detail (the type and name of the service) to the
// message. They are plain values, safe to compare from any goroutine.
var (
	// ErrNotFound is returned by Resolve and ResolveFrom when nothing is
	// provided for the requested type and name. The message names both, as in
	// `registry: no service *foo.DB named "primary"`.
	ErrNotFound = errors.New("registry: no service")

	// ErrDuplicate is returned by Provide and ProvideFunc when the type and
	// name are already taken; the first registration stays.
	ErrDuplicate = errors.New("registry: duplicate service")

	// ErrClosed is returned by Provide, ProvideFunc, Resolve and ResolveFrom
	// once Registry.Close has started, and by a Resolve whose build finished
	// after Close started (the value it built has then been closed).
	ErrClosed = errors.New("registry: closed")

	// ErrCycle is returned by Resolve when building a service needs, directly
	// or through other factories, the service itself. The message spells the
	// cycle, as in "registry: cycle: *a.A -> *b.B -> *a.A".
	ErrCycle = errors.New("registry: cycle")

	// ErrNilFactory is returned by ProvideFunc when the factory is nil.
	ErrNilFactory = errors.New("registry: nil factory")

	// ErrInvalidOption is returned when an option does not apply to the call:
	// Transient given to Provide or Resolve.
	ErrInvalidOption = errors.New("registry: invalid option")

	// ErrNoRegistry is returned by Resolve, Provide and ProvideFunc given a
	// nil *Registry, and by ResolveFrom when the context carries no registry
	// (see NewContext).
	ErrNoRegistry = errors.New("registry: no registry")
)
