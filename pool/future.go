package pool

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"sync"
	"unsafe"
)

// Future is the typed result of a job submitted with Call. Its methods are
// safe for concurrent use; Await may be called any number of times.
type Future[T any] struct {
	job Job // first: runFuture finds the Future from its Job
	fn  func(context.Context) (T, error)
	val T // written by the job before it completes
}

// Call runs fn on p like Submit and returns a Future for its result. It makes
// one allocation, the Future, which holds the Job, where Submit would make
// one (see Submit for ctx). Errors are Submit's: nothing was enqueued when
// err != nil.
func Call[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error), opts ...JobOption) (*Future[T], error) {
	var spec jobSpec
	if len(opts) > 0 {
		var err error
		if spec, err = applyJobOptions(opts); err != nil {
			return nil, err
		}
	}
	if fn == nil {
		return nil, ErrNilFunc
	}
	run := futureRunner[T]()
	if err := p.checkSubmit(ctx, run); err != nil {
		return nil, err
	}
	f := &Future[T]{fn: fn}
	if err := p.submitJob(ctx, &f.job, run, spec, true); err != nil {
		return nil, err
	}
	return f, nil
}

// runners caches runFuture[T] per T: inside generic code, taking the
// function's value allocates a closure each time.
var runners sync.Map // reflect.Type → func(context.Context) error

func futureRunner[T any]() func(context.Context) error {
	key := reflect.TypeFor[T]()
	if r, ok := runners.Load(key); ok {
		return r.(func(context.Context) error)
	}
	r, _ := runners.LoadOrStore(key, runFuture[T])
	return r.(func(context.Context) error)
}

// runFuture is the function of every Future[T]'s job. A static function
// rather than a method value, so that Call allocates only the Future: it
// finds the Future from the job, its first field.
func runFuture[T any](ctx context.Context) error {
	f := (*Future[T])(unsafe.Pointer(jobOf(ctx)))
	v, err := f.fn(ctx)
	f.val = v
	return err
}

// jobOf returns the job of a job's context, cheaply for the pool's own.
func jobOf(ctx context.Context) *Job {
	switch c := ctx.(type) {
	case jobContext:
		return c.j
	case attemptContext:
		return c.rs.job
	}
	j, _ := JobFromContext(ctx) // wrapped for profiler labels or tracing
	return j
}

// Job returns the future's job handle, for its state, timings and Cancel.
func (f *Future[T]) Job() *Job { return &f.job }

// Cancel asks the future's job to stop, as [Job.Cancel] does: a job not yet
// running never runs and ends Cancelled with an error matching
// context.Canceled; a running one has its context cancelled and ends
// Cancelled if its function returns that context's error. Cancel returns
// nothing and does not wait: [Future.Await] then reports how the job ended.
// It is safe from many goroutines; calling it again, or on a future that is
// done, does nothing.
func (f *Future[T]) Cancel() { f.job.Cancel() }

// Done returns a channel closed when the result is ready, for use in select.
func (f *Future[T]) Done() <-chan struct{} { return f.job.Done() }

// Await waits for the result and returns it with the job's error; or, if ctx
// ends first, the zero T and ctx's error. The value is returned even with an
// error if fn returned one. Await on a future not yet done makes its Done
// channel, one small allocation shared by every waiter.
func (f *Future[T]) Await(ctx context.Context) (T, error) {
	if f.job.State().Terminal() || f.job.spinUntilDone() {
		f.job.settled()
		return f.val, f.job.errValue()
	}
	select {
	case <-f.job.Done():
		return f.val, f.job.errValue()
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// FutureError is the error [All] returns when a future did not succeed: it
// says which one and how it ended, and unwraps to the job's error, so
// errors.Is(err, context.Canceled) holds for a cancelled future.
type FutureError struct {
	// Index is the future's position in All's arguments.
	Index int
	// State is how its job ended: Failed, Cancelled or Skipped.
	State State
	// Err is the job's error.
	Err error
}

// Error names the future by index and state, then gives its error.
func (e *FutureError) Error() string {
	return fmt.Sprintf("pool: future %d %s: %v", e.Index, e.State, e.Err)
}

// Unwrap returns the job's error.
func (e *FutureError) Unwrap() error { return e.Err }

// All waits for every future and returns their values in input order. It
// returns as soon as one fails or is cancelled, with a [*FutureError]
// carrying its index, or when ctx ends, with ctx's error; it does not cancel
// the others. It is safe to call from many goroutines, on the same futures
// too.
func All[T any](ctx context.Context, futures ...*Future[T]) ([]T, error) {
	failed := make(chan int, 1)
	for i, f := range futures {
		f.job.whenDone(func(j *Job) {
			if j.State() != Succeeded {
				select {
				case failed <- i:
				default:
				}
			}
		})
	}
	out := make([]T, len(futures))
	for i, f := range futures {
		select {
		case <-f.Done():
		case k := <-failed:
			j := &futures[k].job
			return nil, &FutureError{Index: k, State: j.State(), Err: j.Err()}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		v, err := f.Await(ctx)
		if err != nil {
			return nil, &FutureError{Index: i, State: f.job.State(), Err: err}
		}
		out[i] = v
	}
	return out, nil
}

// Any returns the value of the first future to succeed. If all fail, it
// returns their errors joined; if ctx ends first, ctx's error. With no
// futures it returns an error.
func Any[T any](ctx context.Context, futures ...*Future[T]) (T, error) {
	var zero T
	if len(futures) == 0 {
		return zero, errors.New("pool: Any of no futures")
	}
	done := make(chan int, len(futures))
	for i, f := range futures {
		f.job.whenDone(func(*Job) { done <- i })
	}
	errs := make([]error, 0, len(futures))
	for range futures {
		select {
		case i := <-done:
			f := futures[i]
			if f.job.State() == Succeeded {
				return f.val, nil
			}
			errs = append(errs, fmt.Errorf("pool: future %d: %w", i, f.job.Err()))
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
	return zero, errors.Join(errs...)
}

// Map runs fn over items on p and returns the results in input order. The
// first error (in time) cancels the jobs still queued or running and is
// returned once every job Map started has ended, so nothing outlives the
// call. An item that did not succeed for any other reason (its job was
// cancelled by Shutdown, say) is an error too: Map never returns a zero
// value in place of a result. A nil fn returns ErrNilFunc, a nil ctx or p
// an error wrapping ErrInvalidOption that names it; nothing runs then.
func Map[In, Out any](ctx context.Context, p *Pool, items []In, fn func(context.Context, In) (Out, error), opts ...JobOption) ([]Out, error) {
	switch {
	case fn == nil:
		return nil, ErrNilFunc
	case ctx == nil:
		return nil, invalidf("Map: nil context")
	case p == nil:
		return nil, invalidf("Map: nil pool")
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([]Out, len(items))
	jobs := make([]*Job, 0, len(items))
	var submitErr error
	for i, item := range items {
		j, err := p.Submit(ctx, func(ctx context.Context) error {
			v, err := fn(ctx, item)
			if err != nil {
				cancel(err)
				return err
			}
			out[i] = v
			return nil
		}, opts...)
		if err != nil {
			submitErr = err
			cancel(err)
			break
		}
		jobs = append(jobs, j)
	}
	var first error // the first job that did not succeed, by input order
	for i, j := range jobs {
		j.Wait(context.Background())
		if j.State() != Succeeded && first == nil {
			first = fmt.Errorf("pool: Map item %d %s: %w", i, j.State(), j.Err())
		}
	}
	switch {
	case ctx.Err() != nil && context.Cause(ctx) != context.Canceled:
		// The earliest failure, in time, cancelled the rest with itself
		// as the cause.
		return nil, context.Cause(ctx)
	case first != nil:
		return nil, first
	case submitErr != nil:
		return nil, submitErr
	}
	return out, nil
}

// Stream runs fn over the values of in on p, at most limit at a time, and
// yields each result as it completes (not in input order). Inputs are read
// only as slots free up, so an endless or huge sequence never sits in
// memory or in the queue. Breaking out of the loop cancels the jobs still
// running and waits for them before the loop statement ends, so nothing
// leaks. A submit error (a closed pool, say) is yielded once and ends the
// stream. limit < 1 means one at a time. A nil fn yields ErrNilFunc, a nil
// ctx, p or in an error wrapping ErrInvalidOption that names it, once, and
// nothing runs.
func Stream[In, Out any](ctx context.Context, p *Pool, in iter.Seq[In], limit int, fn func(context.Context, In) (Out, error), opts ...JobOption) iter.Seq2[Out, error] {
	var bad error
	switch {
	case fn == nil:
		bad = ErrNilFunc
	case ctx == nil:
		bad = invalidf("Stream: nil context")
	case p == nil:
		bad = invalidf("Stream: nil pool")
	case in == nil:
		bad = invalidf("Stream: nil sequence")
	}
	if bad != nil {
		return func(yield func(Out, error) bool) {
			var zero Out
			yield(zero, bad)
		}
	}
	return func(yield func(Out, error) bool) {
		limit := max(limit, 1)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			v   Out
			err error
		}
		results := make(chan result, limit)
		inflight := 0
		stopped := false
		var mu sync.Mutex
		live := make(map[*Job]struct{}, limit)
		// On the way out, cancel the jobs still in flight (queued ones end
		// at once) and wait for them; their results are dropped.
		defer func() {
			cancel()
			mu.Lock()
			jobs := make([]*Job, 0, len(live))
			for j := range live {
				jobs = append(jobs, j)
			}
			mu.Unlock()
			for _, j := range jobs { // unlocked: Cancel runs the hook below
				j.Cancel()
			}
			for ; inflight > 0; inflight-- {
				<-results
			}
		}()
		next := func() bool {
			r := <-results
			inflight--
			if !yield(r.v, r.err) {
				stopped = true
			}
			return !stopped
		}
		for v := range in {
			if inflight == limit && !next() {
				return
			}
			var out Out
			j, err := p.Submit(ctx, func(ctx context.Context) error {
				var err error
				out, err = fn(ctx, v)
				return err
			}, opts...)
			if err == nil {
				mu.Lock()
				live[j] = struct{}{}
				mu.Unlock()
				// The hook, not the function, reports: a job cancelled
				// before it ran must still free its slot.
				j.whenDone(func(j *Job) {
					mu.Lock()
					delete(live, j)
					mu.Unlock()
					results <- result{out, j.Err()}
				})
			}
			if err != nil {
				var zero Out
				yield(zero, err)
				return
			}
			inflight++
		}
		for inflight > 0 {
			if !next() {
				return
			}
		}
	}
}
