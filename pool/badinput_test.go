package pool_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/threadsystem/threadsystem/pool"
)

// TestMapAndStreamRefuseBadArguments: a nil context, pool, sequence or func
// is an error naming it (yielded once by Stream), never a panic, and
// nothing runs.
func TestMapAndStreamRefuseBadArguments(t *testing.T) {
	p := newPool(t, 1)
	double := func(_ context.Context, v int) (int, error) { return 2 * v, nil }
	seq := slices.Values([]int{1, 2})
	var nilCtx context.Context
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		p     *pool.Pool
		in    iter.Seq[int]
		fn    func(context.Context, int) (int, error)
		want  error
		names string
	}{
		{"nil context", nilCtx, p, seq, double, pool.ErrInvalidOption, "nil context"},
		{"nil pool", context.Background(), nil, seq, double, pool.ErrInvalidOption, "nil pool"},
		{"nil sequence", context.Background(), p, nil, double, pool.ErrInvalidOption, "nil sequence"},
		{"nil func", context.Background(), p, seq, nil, pool.ErrNilFunc, "nil function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.in != nil {
				out, err := pool.Map(tc.ctx, tc.p, []int{1, 2}, tc.fn)
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.names) || out != nil {
					t.Errorf("Map: %v, %v; want an error matching %v naming %q", out, err, tc.want, tc.names)
				}
			}
			var errs []error
			for v, err := range pool.Stream(tc.ctx, tc.p, tc.in, 2, tc.fn) {
				if v != 0 {
					t.Errorf("Stream yielded %d", v)
				}
				errs = append(errs, err)
			}
			if len(errs) != 1 || !errors.Is(errs[0], tc.want) || !strings.Contains(errs[0].Error(), tc.names) {
				t.Errorf("Stream yielded %v; want one error matching %v naming %q", errs, tc.want, tc.names)
			}
		})
	}
	if s := p.Stats(); s.Submitted != 0 {
		t.Fatalf("%d jobs submitted by bad calls", s.Submitted)
	}
}
