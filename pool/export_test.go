package pool

// Check runs the internal accounting check for the external tests (the
// stress suite): see check.
func Check(p *Pool, jobs []*Job, funcs uint64) error { return p.check(jobs, funcs) }

// PoolOf returns the pool that accepted j.
func PoolOf(j *Job) *Pool { return j.pool }
