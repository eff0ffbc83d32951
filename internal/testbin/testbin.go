// Package testbin builds the programs that tests run as separate
// processes: the threadsys command and the examples.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
)

// Runner is what goleak.VerifyTestMain runs: a *testing.M, or the value
// Main returns.
type Runner interface{ Run() int }

// Main returns a Runner that makes a temporary folder, calls build with
// it, runs m's tests and removes the folder. If build fails it reports the
// error on stderr and runs no test. Use it in TestMain:
//
//	goleak.VerifyTestMain(testbin.Main(m, func(dir string) error { ... }))
func Main(m Runner, build func(dir string) error) Runner {
	return runner(func() int {
		dir, err := os.MkdirTemp("", "threadsystem-testbin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "testbin:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		if err := build(dir); err != nil {
			fmt.Fprintln(os.Stderr, "testbin:", err)
			return 1
		}
		return m.Run()
	})
}

type runner func() int

func (r runner) Run() int { return r() }

// Build runs "go build -o out pkgs..." in the current folder, with the race
// detector when the calling test runs with it, so that the programs a
// -race test starts are checked too. out is a file for one package, or a
// folder ending in a separator for several.
func Build(out string, pkgs ...string) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("no go command to build %v: %w", pkgs, err)
	}
	args := []string{"build"}
	if race {
		args = append(args, "-race")
	}
	args = append(append(args, "-o", out), pkgs...)
	if b, err := exec.Command(gobin, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, b)
	}
	return nil
}
