package main

import (
	"sync/atomic"
	"time"
)

// counter is bumped by the tiny job; runs check it to prove every job ran.
var counter atomic.Int64

// sink keeps the spin loop's result alive.
var sink atomic.Uint64

// tiny is the smallest useful job: one atomic add.
func tiny() { counter.Add(1) }

// spin runs n rounds of an xorshift step: pure CPU, no memory traffic.
func spin(n int) uint64 {
	x := uint64(88172645463325252)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// spinPerMicro is how many spin rounds take about 1 µs, set by calibrate.
var spinPerMicro int

// calibrate measures spin and sets spinPerMicro; it keeps the fastest of
// several tries so a descheduled try does not inflate the job size.
func calibrate() {
	const rounds = 2_000_000
	best := time.Duration(1 << 62)
	for range 7 {
		start := time.Now()
		if spin(rounds) == 0 {
			sink.Add(1)
		}
		if d := time.Since(start); d < best {
			best = d
		}
	}
	spinPerMicro = max(1, int(float64(rounds)*float64(time.Microsecond)/float64(best)))
}

// cpuJob burns about 1 µs of CPU.
func cpuJob() {
	if spin(spinPerMicro) == 0 {
		sink.Add(1)
	}
}

// sleepJob sleeps 1 ms and counts itself.
func sleepJob() {
	time.Sleep(time.Millisecond)
	counter.Add(1)
}
