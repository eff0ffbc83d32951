package pool

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
	j.word.Store(id<<idShift | uint64(prio-Lowest)<<prioShift | uint64(s))
}

func (j *Job) loadState() State { return State(j.word.Load() & stateMask) }

func (j *Job) prio() Priority { return Priority(j.word.Load()>>prioShift&stateMask) + Lowest }

// casState moves j from state old to new and reports whether it did, as a
// CompareAndSwap of the state alone would: the rest of the word is fixed, so
// a failed swap means the state moved, and it is read again.
func (j *Job) casState(old, new State) bool {
	for {
		w := j.word.Load()
		if State(w&stateMask) != old {
			return false
		}
		if j.word.CompareAndSwap(w, w&^stateMask|uint64(new)) {
			return true
		}
	}
}

// storeState sets j's state to s, whatever it was.
func (j *Job) storeState(s State) {
	for {
		w := j.word.Load()
		if j.word.CompareAndSwap(w, w&^stateMask|uint64(s)) {
			return
		}
	}
}
