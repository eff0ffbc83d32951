package main

import "context"

// Task is one job in the shapes the contenders accept. Workloads build a Task
// once and submit the same pointer many times, so no contender pays for a
// per-job adaptor that a real caller would not write.
type Task struct {
	Fn    func()
	FnErr func() error
	FnCtx func(context.Context) error
}

// newTask builds the three shapes of fn.
func newTask(fn func()) *Task {
	return &Task{
		Fn:    fn,
		FnErr: func() error { fn(); return nil },
		FnCtx: func(context.Context) error { fn(); return nil },
	}
}

// Config sizes a runner.
type Config struct {
	Workers  int // jobs running at once
	QueueCap int // buffer for contenders with a fixed buffer (the channel); 0 = 1024
}

// Handle is a per-job completion handle, for contenders that return one.
type Handle interface{ Wait() error }

// Runner is one live instance of a contender.
type Runner interface {
	// Submit hands t to the runner. It may block (ants, conc, errgroup
	// and a full channel do) and returns a Handle or nil.
	Submit(t *Task) Handle
	// Wait waits for every submitted job and stops the runner. It is called
	// once, after every Submit has returned.
	Wait()
}

// PrioRunner is a Runner that can submit at a priority.
type PrioRunner interface {
	SubmitPrio(t *Task, high bool) Handle
}

// Contender is one way of running jobs.
type Contender struct {
	Name string
	// Queues: Submit can hold jobs beyond Workers without blocking.
	Queues bool
	// Unbounded: no worker limit at all (one goroutine per job).
	Unbounded bool
	// Handles: Submit returns a Handle that callers wait on.
	Handles bool
	// Priority: the Runner is a PrioRunner.
	Priority bool
	New      func(Config) (Runner, error)
}

// baselineName names the contender every ratio is taken against.
const baselineName = "buffered channel + fixed workers"

// contenders lists every contender in table order.
func contenders() []Contender {
	return []Contender{
		threadsystemGo(),
		threadsystemSubmit(),
		rawGoroutines(),
		bufferedChannel(),
		antsPool(),
		antsPoolWithFunc(),
		pondGo(),
		pondSubmit(),
		workerPool(),
		concPool(),
		errGroup(),
	}
}
