//go:build !unix

package durable_test

import "time"

// cpuTime is not measured here: the benchmark reports 0 CPU per job.
func cpuTime() time.Duration { return 0 }
