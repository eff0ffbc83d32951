package retry_test

import (
	"context"
	"testing"

	"github.com/threadsystem/threadsystem/retry"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		err  *retry.Error
		want string
	}{
		{&retry.Error{Attempts: 1, Err: errBoom}, "retry: gave up after 1 attempt: boom"},
		{&retry.Error{Attempts: 3, Err: errBoom}, "retry: gave up after 3 attempts: boom"},
		{&retry.Error{Attempts: 2, Err: errBoom, CtxErr: context.DeadlineExceeded}, "retry: context deadline exceeded after 2 attempts: boom"},
		{&retry.Error{CtxErr: context.Canceled}, "retry: context canceled before the first attempt"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}
