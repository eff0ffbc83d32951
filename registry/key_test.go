package registry_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/threadsystem/threadsystem/registry"
)

func TestKeyIsTheExactType(t *testing.T) {
	ctx := context.Background()
	r := registry.New()
	if err := registry.Provide[io.Reader](r, strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.Resolve[*strings.Reader](ctx, r); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Resolve[*strings.Reader] after Provide[io.Reader]: err = %v, want ErrNotFound", err)
	}
	if _, err := registry.Resolve[io.ReadCloser](ctx, r); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Resolve[io.ReadCloser] after Provide[io.Reader]: err = %v, want ErrNotFound", err)
	}
}
