package durable

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/threadsystem/threadsystem/retry"
)

// handlerFunc runs one attempt of a job on its payload bytes and returns
// its result as JSON (nil for none).
type handlerFunc func(ctx context.Context, payload []byte) (json.RawMessage, error)

// Handle registers fn as the handler of jobs named name on w: each attempt
// decodes the job's JSON payload into a new P and calls fn. A payload that
// does not decode makes the job dead at once (a permanent error). fn runs on
// the worker's pool, many calls at once; it should return when ctx ends
// (context.Cause says why: a timeout, [ErrCancelled], [ErrShutdown]) and be
// idempotent (see the package doc, Delivery guarantee). An error retries the
// job; wrap it with retry.Permanent to make the job dead at once.
//
// Register every handler before Run: Handle returns an error wrapping
// [ErrRunning] afterwards, and one wrapping [ErrInvalid] for an empty name,
// a nil fn or a name already registered.
func Handle[P any](w *Worker, name string, fn func(ctx context.Context, p P) error) error {
	if fn == nil {
		return fmt.Errorf("%w: nil handler for %q", ErrInvalid, name)
	}
	return w.register(name, func(ctx context.Context, data []byte) (json.RawMessage, error) {
		var p P
		if err := decode(name, data, &p); err != nil {
			return nil, err
		}
		return nil, fn(ctx, p)
	})
}

// HandleResult is Handle for a handler with a result: when fn succeeds its
// result is encoded as JSON and stored in the job's record (Record.Result)
// for the record's retention. A result that does not encode fails the
// attempt permanently.
func HandleResult[P, R any](w *Worker, name string, fn func(ctx context.Context, p P) (R, error)) error {
	if fn == nil {
		return fmt.Errorf("%w: nil handler for %q", ErrInvalid, name)
	}
	return w.register(name, func(ctx context.Context, data []byte) (json.RawMessage, error) {
		var p P
		if err := decode(name, data, &p); err != nil {
			return nil, err
		}
		r, err := fn(ctx, p)
		if err != nil {
			return nil, err
		}
		out, err := json.Marshal(r)
		if err != nil {
			return nil, retry.Permanent(fmt.Errorf("durable: result of %s does not encode as JSON: %w", name, err))
		}
		return out, nil
	})
}

// HandleRaw is Handle for payloads enqueued with the Raw option: fn gets the
// payload bytes as enqueued, which it must not keep after it returns.
func HandleRaw(w *Worker, name string, fn func(ctx context.Context, payload []byte) error) error {
	if fn == nil {
		return fmt.Errorf("%w: nil handler for %q", ErrInvalid, name)
	}
	return w.register(name, func(ctx context.Context, data []byte) (json.RawMessage, error) {
		return nil, fn(ctx, data)
	})
}

func decode(name string, data []byte, p any) error {
	if err := json.Unmarshal(data, p); err != nil {
		return retry.Permanent(fmt.Errorf("durable: payload of %s does not decode as %T: %w", name, p, err))
	}
	return nil
}

// Info describes the job a handler runs; FromContext returns it.
type Info struct {
	ID          string
	Name        string
	Queue       string
	Attempt     int // this attempt, counting from 1
	MaxAttempts int // retry.Forever (-1): no limit
}

type infoKey struct{}

// FromContext returns the job that ctx, a handler's context, belongs to;
// false outside a handler.
func FromContext(ctx context.Context) (Info, bool) {
	i, ok := ctx.Value(infoKey{}).(*Info)
	if !ok {
		return Info{}, false
	}
	return *i, true
}
