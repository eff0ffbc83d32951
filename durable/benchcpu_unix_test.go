//go:build unix

package durable_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process (the embedded server included) has
// used: on a shared machine, CPU per job varies much less than jobs/s.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
