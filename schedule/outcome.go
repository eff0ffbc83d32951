package schedule

// Outcome is what became of one firing of an entry: a run that finished, or a
// firing that never reached the pool.
type Outcome uint8

const (
	// None means the entry has not fired yet.
	None Outcome = iota
	// Succeeded: the run's function returned nil.
	Succeeded
	// Failed: the run's function returned an error (or panicked) that is not
	// its context's error, and no retry follows.
	Failed
	// Cancelled: the run's context ended and the function returned its
	// error, or the pool dropped or cancelled the job before it started.
	Cancelled
	// Skipped: the overlap policy turned the firing away because a previous
	// run (or its retry) was still in progress.
	Skipped
	// Rejected: the pool refused the job (queue full, or closed).
	Rejected
	// Missed: the scheduler got to the firing after the following one was
	// already due, and MissedSkip dropped it.
	Missed
	// Retrying: the run failed and a retry is waiting in the scheduler.
	Retrying
)

var outcomeNames = [...]string{"none", "succeeded", "failed", "cancelled", "skipped", "rejected", "missed", "retrying"}

// String returns the outcome's lower-case name.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "unknown"
}
