package durable

import (
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

var (
	// ErrClosed is returned by Enqueue, EnqueueBatch and Cancel after
	// Client.Close, and by NewWorker on a closed client.
	ErrClosed = errors.New("durable: client closed")

	// ErrDuplicate is returned (wrapped) by Enqueue and EnqueueBatch when a
	// job with the same Unique key is not finished yet; the ID returned
	// alongside is that first job's.
	ErrDuplicate = errors.New("durable: duplicate unique key")

	// ErrInvalid is wrapped by every error about a bad argument or option:
	// an invalid queue name, a negative delay, a nil payload func, an empty
	// handler name. Nothing is enqueued or registered then.
	ErrInvalid = errors.New("durable: invalid argument")

	// ErrCancelled is the cause (context.Cause) of a running job's context
	// when Client.Cancel cancels it.
	ErrCancelled = errors.New("durable: job cancelled")

	// ErrShutdown is the cause of a running job's context when
	// Worker.Shutdown's context ends or Run's context ends first; the job is
	// given back for immediate redelivery.
	ErrShutdown = errors.New("durable: worker shut down")

	// ErrNotFound is returned by Cancel when no record has the job ID
	// (never enqueued, or its retention has passed).
	ErrNotFound = errors.New("durable: job not found")

	// ErrFinished is returned by Cancel when the job already succeeded or
	// is dead.
	ErrFinished = errors.New("durable: job already finished")

	// ErrUnknownHandler is in the error history of a job that no handler of
	// the worker that got it knows; such a job is dead at once.
	ErrUnknownHandler = errors.New("durable: no handler registered for the job's name")

	// ErrDeadline is in the error history of a job whose Deadline passed
	// before it succeeded.
	ErrDeadline = errors.New("durable: job deadline passed")

	// ErrRunning is returned by Handle and its variants when the worker is
	// already running (register every handler before Run), and by Run when
	// called twice.
	ErrRunning = errors.New("durable: worker already running")
)

// conflict reports whether err is a lost compare-and-set: a publish whose
// expected last sequence was not the subject's, or a KV Create or Update
// that found the key changed. The caller reads again and retries.
func conflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		(errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence)
}
