package registry_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/threadsystem/threadsystem/registry"
)

func TestSentinelsAreDistinctAndPrefixed(t *testing.T) {
	sentinels := []error{registry.ErrNotFound, registry.ErrDuplicate, registry.ErrClosed, registry.ErrCycle,
		registry.ErrNilFactory, registry.ErrInvalidOption, registry.ErrNoRegistry}
	for i, err := range sentinels {
		if !strings.HasPrefix(err.Error(), "registry: ") {
			t.Errorf("%q lacks the package prefix", err)
		}
		for _, other := range sentinels[i+1:] {
			if errors.Is(err, other) || err.Error() == other.Error() {
				t.Errorf("%q and %q cannot be told apart", err, other)
			}
		}
	}
}
