package pool

import (
	"context"
)

// Go runs fn on the pool at Normal priority, fire and forget. It allocates
// nothing inside the pool (the closure is the caller's) and is the cheapest way
// in: see docs/performance.md for measured costs.
//
// Under the Block policy Go waits for a free slot in a full bounded queue, with
// no way to give up; prefer Submit with a context where that matters. Called
// from inside a job of the same pool, Go never waits: it is admitted past the
// bound (see Block). It returns ErrClosed after Close
// or Shutdown began, ErrQueueFull under the Reject policy, and ErrNilFunc for a
// nil fn; in each case fn never runs. A panic in fn is recovered, counted as
// Failed and passed to the panic handler.
func (p *Pool) Go(fn func()) error {
	if fn == nil {
		return ErrNilFunc
	}
	if p.shards != nil && p.pushShard(funcItem(fn)) {
		return nil
	}
	err := p.enqueue(context.Background(), funcItem(fn), Normal.level(), true)
	if err != nil && p.obs != nil {
		p.rejectedSubmit(err, Normal, "")
	}
	return err
}

// Submit queues fn and returns its handle. fn receives a context that ends
// when ctx ends, when the job is cancelled, when its timeout passes, or when
// the pool shuts down; its values come from ctx, then from the pool's base
// context. Why it ended is in the Job's Err and in context.Cause of the
// job's context: an error matching ErrShutdown (and context.Canceled) when
// Shutdown cancels it, one matching context.DeadlineExceeded when its
// timeout passes, ctx's cause when ctx ends, the base context's when that
// ends, and context.Canceled for Cancel.
//
// Under the Block policy Submit waits while the bounded queue is full, and
// returns ctx's error if ctx ends first. A job that submits to its own pool
// is admitted past the bound instead, so it never deadlocks (see Block). Submit returns ErrClosed after Close or Shutdown began,
// ErrQueueFull under the Reject policy, ErrNilFunc for a nil fn, ctx's error
// if ctx has already ended, and an error wrapping ErrInvalidOption for a bad
// option; in each case nothing was enqueued and fn never runs. It makes one
// allocation, the Job, when ctx is context.Background() or context.TODO()
// and no option needs more; any other ctx adds the job's context state,
// which a cancellable one would need when the job starts anyway.
func (p *Pool) Submit(ctx context.Context, fn func(context.Context) error, opts ...JobOption) (*Job, error) {
	return p.submit(ctx, fn, opts, true)
}

// TrySubmit is Submit that never waits: a full bounded queue gives
// ErrQueueFull (or, under DropOldest, an eviction) at once.
func (p *Pool) TrySubmit(ctx context.Context, fn func(context.Context) error, opts ...JobOption) (*Job, error) {
	return p.submit(ctx, fn, opts, false)
}

func (p *Pool) submit(ctx context.Context, fn func(context.Context) error, opts []JobOption, block bool) (*Job, error) {
	var spec jobSpec
	if len(opts) > 0 {
		var err error
		if spec, err = applyJobOptions(opts); err != nil {
			return nil, err
		}
	}
	if err := p.checkSubmit(ctx, fn); err != nil {
		if p.obs != nil {
			p.rejectedSubmit(err, spec.prio, spec.name)
		}
		return nil, err
	}
	j := &Job{}
	if err := p.submitJob(ctx, j, fn, spec, block); err != nil {
		return nil, err
	}
	return j, nil
}

// submitJob fills in j, which the caller allocated (alone, or inside a
// Future), and admits it.
func (p *Pool) submitJob(ctx context.Context, j *Job, fn func(context.Context) error, spec jobSpec, block bool) error {
	// A store of a word without pointers first: on a page the kernel has
	// not backed yet, a pointer store while the GC marks reads the slot's
	// old value first (the write barrier), which maps the shared zero
	// page, and the store then faults a second time. A million fresh Jobs
	// took 47 k page faults that way against 32 k (docs/performance.md).
	state := Queued
	if len(spec.deps) > 0 {
		state = Pending
	}
	j.initWord(p.ids.Add(1), spec.prio, state)
	j.pool, j.fn = p, fn
	j.keepParent(ctx)
	if spec.name != "" || spec.timeout != 0 || spec.deps != nil || spec.retry != nil || spec.breaker != nil {
		j.ext = &jobExt{name: spec.name, timeout: spec.timeout, deps: spec.deps, retry: spec.retry, breaker: spec.breaker}
	}
	var err error
	if state == Pending {
		err = p.admitPending(j)
	} else {
		j.queuedAt = p.now() // j is not yet published
		if p.shards != nil && spec.prio == Normal {
			if p.pushShard(jobItem(j)) {
				return nil
			}
		}
		err = p.enqueue(ctx, jobItem(j), spec.prio.level(), block)
	}
	if err != nil && p.obs != nil {
		p.rejectedSubmit(err, spec.prio, spec.name)
	}
	return err
}

func (p *Pool) checkSubmit(ctx context.Context, fn func(context.Context) error) error {
	if fn == nil {
		return ErrNilFunc
	}
	if ctx == nil {
		return invalidf("nil context")
	}
	return ctx.Err()
}

// applyJobOptions is apart from submit because the options' interface calls
// make the spec escape: a submit with no options then allocates only the Job.
func applyJobOptions(opts []JobOption) (jobSpec, error) {
	var spec jobSpec
	for _, o := range opts {
		if o == nil {
			return spec, invalidf("nil JobOption")
		}
		if err := o.applyJob(&spec); err != nil {
			return spec, err
		}
	}
	return spec, nil
}
