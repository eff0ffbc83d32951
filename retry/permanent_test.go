package retry_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/threadsystem/threadsystem/retry"
)

func TestPermanent(t *testing.T) {
	pathErr := &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}
	tests := []struct {
		name          string
		err           error
		wantPermanent bool
	}{
		{"nil", nil, false},
		{"plain", errBoom, false},
		{"permanent", retry.Permanent(errBoom), true},
		{"wrapped", fmt.Errorf("op: %w", retry.Permanent(errBoom)), true},
		{"joined", errors.Join(errors.New("a"), retry.Permanent(errBoom)), true},
		{"in *retry.Error", &retry.Error{Attempts: 1, Err: retry.Permanent(errBoom)}, true},
	}
	for _, tt := range tests {
		if got := retry.IsPermanent(tt.err); got != tt.wantPermanent {
			t.Errorf("%s: IsPermanent(%v) = %v, want %v", tt.name, tt.err, got, tt.wantPermanent)
		}
	}
	if retry.Permanent(nil) != nil {
		t.Errorf("Permanent(nil) != nil")
	}
	p := retry.Permanent(pathErr)
	var pe *fs.PathError
	if p.Error() != pathErr.Error() || !errors.Is(p, fs.ErrNotExist) || !errors.As(p, &pe) || pe != pathErr {
		t.Errorf("Permanent(%v) = %q; want the same message, errors.Is and errors.As seeing through it", pathErr, p)
	}
}
