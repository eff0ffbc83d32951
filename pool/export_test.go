package pool

// Check runs the internal accounting check for the external tests (the
// stress suite): see check.
func Check(p *Pool, jobs []*Job, funcs uint64) error { return p.check(jobs, funcs) }
