package main

import (
	"context"

	"github.com/threadsystem/threadsystem/pool"
)

// tsRunner runs jobs on a threadsystem pool with an unbounded queue.
type tsRunner struct {
	p      *pool.Pool
	submit bool
}

func newTS(cfg Config, submit bool) (Runner, error) {
	p, err := pool.New(cfg.Workers) // queue size 0: unbounded
	if err != nil {
		return nil, err
	}
	return &tsRunner{p: p, submit: submit}, nil
}

// jobHandle adapts *pool.Job to Handle without allocating.
type jobHandle struct{ j *pool.Job }

func (h jobHandle) Wait() error { return h.j.Wait(context.Background()) }

func (r *tsRunner) Submit(t *Task) Handle {
	if !r.submit {
		must(r.p.Go(t.Fn))
		return nil
	}
	j, err := r.p.Submit(context.Background(), t.FnCtx)
	must(err)
	return jobHandle{j}
}

// SubmitPrio submits t at Highest or Lowest.
func (r tsPrioRunner) SubmitPrio(t *Task, high bool) Handle {
	prio := pool.Lowest
	if high {
		prio = pool.Highest
	}
	j, err := r.p.Submit(context.Background(), t.FnCtx, pool.WithPriority(prio))
	must(err)
	return jobHandle{j}
}

func (r *tsRunner) Wait() {
	must(r.p.Wait(context.Background()))
	must(r.p.Close())
}

func threadsystemGo() Contender {
	return Contender{Name: "threadsystem Go", Queues: true,
		New: func(c Config) (Runner, error) { return newTS(c, false) }}
}

// threadsystemSubmit only offers priorities through Submit, so only it
// implements PrioRunner; see prioRunner.
func threadsystemSubmit() Contender {
	return Contender{Name: "threadsystem Submit", Queues: true, Handles: true, Priority: true,
		New: func(c Config) (Runner, error) {
			r, err := newTS(c, true)
			if err != nil {
				return nil, err
			}
			return tsPrioRunner{r.(*tsRunner)}, nil
		}}
}

// tsPrioRunner is the Submit runner with priorities.
type tsPrioRunner struct{ *tsRunner }

var _ PrioRunner = tsPrioRunner{}

// must panics on an error no benchmark run should see.
func must(err error) {
	if err != nil {
		panic(err)
	}
}
