package main

import "sync"

// handles collects the Handles a runner returns, to wait on them later.
type handles []Handle

// keep appends h unless it is nil.
func (hs *handles) keep(h Handle) {
	if h != nil {
		*hs = append(*hs, h)
	}
}

// wait waits on every handle kept.
func (hs handles) wait() {
	for _, h := range hs {
		must(h.Wait())
	}
}

// gate holds workers busy until opened.
type gate struct {
	ch      chan struct{}
	started sync.WaitGroup
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

// blocker returns a Task that reports it started, then waits for open.
// Call expect with the number of blockers about to be submitted.
func (g *gate) blocker() *Task {
	return newTask(func() { g.started.Done(); <-g.ch })
}

// expect readies awaitStarted for n more blockers.
func (g *gate) expect(n int) { g.started.Add(n) }

// awaitStarted waits until every expected blocker runs.
func (g *gate) awaitStarted() { g.started.Wait() }

// open releases every blocker.
func (g *gate) open() { close(g.ch) }
