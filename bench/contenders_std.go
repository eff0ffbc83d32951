package main

import (
	"sync"

	"golang.org/x/sync/errgroup"
)

// rawRunner starts one goroutine per job and waits with a WaitGroup.
type rawRunner struct{ wg sync.WaitGroup }

func (r *rawRunner) Submit(t *Task) Handle {
	r.wg.Go(t.Fn)
	return nil
}

func (r *rawRunner) Wait() { r.wg.Wait() }

func rawGoroutines() Contender {
	return Contender{Name: "raw goroutines + WaitGroup", Queues: true, Unbounded: true,
		New: func(Config) (Runner, error) { return &rawRunner{}, nil }}
}

// chanRunner is the baseline: a buffered chan func() and fixed workers
// ranging over it.
type chanRunner struct {
	ch chan func()
	wg sync.WaitGroup
}

func (r *chanRunner) Submit(t *Task) Handle {
	r.ch <- t.Fn
	return nil
}

func (r *chanRunner) Wait() {
	close(r.ch)
	r.wg.Wait()
}

func bufferedChannel() Contender {
	return Contender{Name: baselineName, Queues: true,
		New: func(c Config) (Runner, error) {
			n := c.QueueCap
			if n <= 0 {
				n = 1024
			}
			r := &chanRunner{ch: make(chan func(), n)}
			for range c.Workers {
				r.wg.Go(func() {
					for f := range r.ch {
						f()
					}
				})
			}
			return r, nil
		}}
}

// egRunner is an errgroup.Group limited to Workers goroutines.
type egRunner struct{ g errgroup.Group }

func (r *egRunner) Submit(t *Task) Handle {
	r.g.Go(t.FnErr)
	return nil
}

func (r *egRunner) Wait() { must(r.g.Wait()) }

func errGroup() Contender {
	return Contender{Name: "errgroup (SetLimit)",
		New: func(c Config) (Runner, error) {
			r := &egRunner{}
			r.g.SetLimit(c.Workers)
			return r, nil
		}}
}
