//go:build race

package testbin

// race reports whether this binary has the race detector.
const race = true
