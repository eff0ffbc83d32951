package pool

import (
	"fmt"
)

// Priority orders queued jobs: a worker always takes the oldest job of the
// highest non-empty level. The zero value is Normal.
type Priority int8

// The five priority levels, lowest first.
const (
	Lowest  Priority = -2
	Low     Priority = -1
	Normal  Priority = 0
	High    Priority = 1
	Highest Priority = 2
)

// NumPriorities is the number of priority levels: the length of
// [Priorities] and of the per-priority arrays in [Stats] and [Diagnostics].
const NumPriorities = 5

// numLevels is NumPriorities inside the pool; level index = Priority + 2.
const numLevels = NumPriorities

func (p Priority) valid() bool { return p >= Lowest && p <= Highest }

// level maps a valid priority to its queue index, 0 (Lowest) to 4 (Highest).
func (p Priority) level() int { return int(p) + 2 }

// String returns the priority's name, or "Priority(n)" for an unknown value.
func (p Priority) String() string {
	switch p {
	case Lowest:
		return "lowest"
	case Low:
		return "low"
	case Normal:
		return "normal"
	case High:
		return "high"
	case Highest:
		return "highest"
	}
	return fmt.Sprintf("Priority(%d)", int8(p))
}

// Priorities lists the valid priorities from Lowest to Highest, in the order
// Stats reports queue depths.
var Priorities = [NumPriorities]Priority{Lowest, Low, Normal, High, Highest}

// State is a job's place in its lifecycle. A job moves forward only:
// Pending → Queued → Running → one terminal state, and may skip straight to a
// terminal state from Pending or Queued. Every accepted job reaches exactly one
// terminal state exactly once.
type State uint32

const (
	// Pending: accepted, waiting for its dependencies before it is queued.
	Pending State = iota + 1
	// Queued: waiting in the pool's queue for a worker.
	Queued
	// Running: a worker is executing the job's function.
	Running
	// Succeeded: the function returned nil.
	Succeeded
	// Failed: the function returned an error (or panicked, or timed out).
	Failed
	// Cancelled: the job's context ended before or while it ran, or the pool
	// dropped or shut it down; it never ran, or returned its context's error.
	Cancelled
	// Skipped: a dependency did not succeed, so the job never ran.
	Skipped
)

// String returns the state's lowercase name.
func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Queued:
		return "queued"
	case Running:
		return "running"
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Cancelled:
		return "cancelled"
	case Skipped:
		return "skipped"
	}
	return fmt.Sprintf("State(%d)", uint32(s))
}

// Terminal reports whether s is a final state: Succeeded, Failed, Cancelled or
// Skipped.
func (s State) Terminal() bool { return s >= Succeeded && s <= Skipped }
