package cron_test

import (
	"testing"
	_ "time/tzdata" // zones load the same on every host

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
