//go:build race

package crashtest

func init() { raceEnabled = true }
