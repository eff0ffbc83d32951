//go:build race

package examples

// raceFlags builds the programs under test with the race detector when the
// tests themselves run with it.
var raceFlags = []string{"-race"}
