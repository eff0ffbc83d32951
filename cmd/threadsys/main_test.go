package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/internal/testbin"
)

// binary is the path of the threadsys binary the tests build and run.
var binary string

// TestMain builds the binary before the tests run and removes it after.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(testbin.Main(m, func(dir string) error {
		binary = filepath.Join(dir, "threadsys")
		return testbin.Build(binary, ".")
	}))
}

// threadsys runs the built binary with args and returns its stdout, stderr
// and exit code.
func threadsys(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running threadsys %q: %v", args, err)
	}
	return out.String(), errb.String(), 0
}

// TestMainExitsWithRunsCode checks main passes run's code to exit.
func TestMainExitsWithRunsCode(t *testing.T) {
	saved, savedArgs := exit, os.Args
	defer func() { exit, os.Args = saved, savedArgs }()
	for _, tt := range []struct {
		args []string
		want int
	}{{[]string{"threadsys", "help"}, 0}, {[]string{"threadsys"}, 2}} {
		got := -1
		exit = func(code int) { got = code }
		os.Args = tt.args
		main()
		if got != tt.want {
			t.Errorf("main with %q exited %d, want %d", tt.args, got, tt.want)
		}
	}
}
