//go:build !unix

package main

import "time"

// cpuTime is unknown off Unix: it reports 0, so CPU columns read 0.
func cpuTime() time.Duration { return 0 }
