package pool

import "sync/atomic"

// A Job keeps its ID, priority and state in one word, Job.word, so that it
// needs one word for what took two: bits 0-3 hold the State, bits 4-7 the
// Priority (less Lowest), and bits 8-63 the ID, 56 bits, which a pool
// submitting 40 million jobs a second would use up in 57 years. Only the
// state changes once the job is published: the ID is set, with the rest,
// by one store before any other goroutine can see the job.
const (
	stateMask = 1<<4 - 1
	prioShift = 4
	idShift   = 8
)

// initWord gives a job not yet published its ID, its priority and its
// first state.
func (j *Job) initWord(id uint64, prio Priority, s State) {
	j.word = id<<idShift | uint64(prio-Lowest)<<prioShift | uint64(s)
}

func (j *Job) loadWord() uint64 { return atomic.LoadUint64(&j.word) }

func (j *Job) loadState() State { return State(j.loadWord() & stateMask) }

func (j *Job) prio() Priority { return Priority(j.loadWord()>>prioShift&stateMask) + Lowest }

// casState moves j from state old to new and reports whether it did, as a
// CompareAndSwap of the state alone would: the rest of the word is fixed, so
// a failed swap means the state moved, and it is read again.
func (j *Job) casState(old, new State) bool {
	for {
		w := j.loadWord()
		if State(w&stateMask) != old {
			return false
		}
		if atomic.CompareAndSwapUint64(&j.word, w, w&^stateMask|uint64(new)) {
			return true
		}
	}
}

// storeState sets j's state to s, whatever it was.
func (j *Job) storeState(s State) {
	for {
		w := j.loadWord()
		if atomic.CompareAndSwapUint64(&j.word, w, w&^stateMask|uint64(s)) {
			return
		}
	}
}
