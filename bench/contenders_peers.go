package main

import (
	"sync"

	"github.com/alitto/pond/v2"
	"github.com/gammazero/workerpool"
	"github.com/panjf2000/ants/v2"
	concpool "github.com/sourcegraph/conc/pool"
)

// antsRunner is an ants.Pool. ants has no "wait for all", so each job is
// wrapped to count down a WaitGroup: one closure per job, as callers do.
type antsRunner struct {
	p  *ants.Pool
	wg sync.WaitGroup
}

func (r *antsRunner) Submit(t *Task) Handle {
	r.wg.Add(1)
	must(r.p.Submit(func() { t.Fn(); r.wg.Done() }))
	return nil
}

func (r *antsRunner) Wait() {
	r.wg.Wait()
	r.p.Release()
}

func antsPool() Contender {
	return Contender{Name: "ants Pool (Submit)",
		New: func(c Config) (Runner, error) {
			p, err := ants.NewPool(c.Workers)
			if err != nil {
				return nil, err
			}
			return &antsRunner{p: p}, nil
		}}
}

// antsFuncRunner is an ants.PoolWithFunc whose function runs the *Task it is
// given, so Invoke needs no closure.
type antsFuncRunner struct {
	p  *ants.PoolWithFunc
	wg sync.WaitGroup
}

func (r *antsFuncRunner) Submit(t *Task) Handle {
	r.wg.Add(1)
	must(r.p.Invoke(t))
	return nil
}

func (r *antsFuncRunner) Wait() {
	r.wg.Wait()
	r.p.Release()
}

func antsPoolWithFunc() Contender {
	return Contender{Name: "ants PoolWithFunc (Invoke)",
		New: func(c Config) (Runner, error) {
			r := &antsFuncRunner{}
			p, err := ants.NewPoolWithFunc(c.Workers, func(a any) {
				a.(*Task).Fn()
				r.wg.Done()
			})
			if err != nil {
				return nil, err
			}
			r.p = p
			return r, nil
		}}
}

// pondRunner is a pond v2 pool with its default unbounded queue.
type pondRunner struct {
	p      pond.Pool
	submit bool
}

func (r *pondRunner) Submit(t *Task) Handle {
	if r.submit {
		return r.p.Submit(t.Fn)
	}
	must(r.p.Go(t.Fn))
	return nil
}

func (r *pondRunner) Wait() { r.p.StopAndWait() }

func pondGo() Contender {
	return Contender{Name: "pond Go", Queues: true,
		New: func(c Config) (Runner, error) { return &pondRunner{p: pond.NewPool(c.Workers)}, nil }}
}

func pondSubmit() Contender {
	return Contender{Name: "pond Submit", Queues: true, Handles: true,
		New: func(c Config) (Runner, error) {
			return &pondRunner{p: pond.NewPool(c.Workers), submit: true}, nil
		}}
}

// wpRunner is a gammazero workerpool (unbounded waiting queue).
type wpRunner struct{ p *workerpool.WorkerPool }

func (r *wpRunner) Submit(t *Task) Handle {
	r.p.Submit(t.Fn)
	return nil
}

func (r *wpRunner) Wait() { r.p.StopWait() }

func workerPool() Contender {
	return Contender{Name: "workerpool (Submit)", Queues: true,
		New: func(c Config) (Runner, error) { return &wpRunner{p: workerpool.New(c.Workers)}, nil }}
}

// concRunner is a sourcegraph/conc pool limited to Workers goroutines.
type concRunner struct{ p *concpool.Pool }

func (r *concRunner) Submit(t *Task) Handle {
	r.p.Go(t.Fn)
	return nil
}

func (r *concRunner) Wait() { r.p.Wait() }

func concPool() Contender {
	return Contender{Name: "conc pool (Go)",
		New: func(c Config) (Runner, error) {
			return &concRunner{p: concpool.New().WithMaxGoroutines(c.Workers)}, nil
		}}
}
