// Package examples holds small runnable programs, one idea each; this test
// builds and runs every one of them and checks what it prints, so that
// none can rot.
package examples

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/internal/testbin"

	// The programs' dependencies, linked into this test so that a change to
	// any of them invalidates go test's cached result.
	_ "github.com/threadsystem/threadsystem/cron"
	_ "github.com/threadsystem/threadsystem/dag"
	_ "github.com/threadsystem/threadsystem/durable"
	_ "github.com/threadsystem/threadsystem/durable/embedded"
	_ "github.com/threadsystem/threadsystem/event"
	_ "github.com/threadsystem/threadsystem/pool"
	_ "github.com/threadsystem/threadsystem/prom"
	_ "github.com/threadsystem/threadsystem/retry"
	_ "github.com/threadsystem/threadsystem/schedule"
)

// bin is the folder the programs are built into.
var bin string

// TestMain builds every program before the tests run and removes them
// after.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(testbin.Main(m, func(dir string) error {
		bin = dir
		var pkgs []string
		for _, p := range programs {
			pkgs = append(pkgs, "./"+p.name)
		}
		return testbin.Build(dir+string(filepath.Separator), pkgs...)
	}))
}

// programs lists every example with the output it must print.
var programs = []struct {
	name, want string
}{
	{"quickstart", `indexed doc-1
upload ended succeeded, error <nil>
answer 42 <nil>
`},
	{"priorities", `ran in order: [highest high normal low lowest]
squares: [1 4 9 16] <nil>
lengths: [1 2 3] <nil>
future 1 cancelled (context.Canceled: true)
`},
	{"cronretry", `next: Mon 2026-12-07 09:30
next: Tue 2026-12-08 09:30
next: Wed 2026-12-09 09:30
attempt 1 failed (upstream busy); next in 10ms
attempt 2 failed (upstream busy); next in 20ms
retry.Do: 3 calls, error <nil>
cron entry: 3 runs, 6 attempts, last error <nil>
`},
	{"dag", `fetch    succeeded after 1 attempt(s)
parse    succeeded after 1 attempt(s)
validate succeeded after 1 attempt(s)
store    succeeded after 1 attempt(s)
result: stored 15 bytes <nil>
critical path: fetch -> parse -> store
`},
	{"events", `submitted: 3
started: 3
succeeded: 2
failed: 1
failures: [job-1: disk full]
`},
	{"durable", `second enqueue refused: true, same job: true
sent "Welcome" to ada@example.com on attempt 2 of 5
`},
	{"prometheus", `threadsystem_jobs_submitted_total{pool="api"} 5
threadsystem_jobs_total{pool="api",state="cancelled"} 0
threadsystem_jobs_total{pool="api",state="failed"} 1
threadsystem_jobs_total{pool="api",state="skipped"} 0
threadsystem_jobs_total{pool="api",state="succeeded"} 4
`},
}

// TestExamplesPrintWhatTheySay runs each program and compares its output.
func TestExamplesPrintWhatTheySay(t *testing.T) {
	for _, p := range programs {
		t.Run(p.name, func(t *testing.T) {
			// Reading the source lets go test's cache see it change.
			if _, err := os.ReadFile(filepath.Join(p.name, "main.go")); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var stdout, stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, filepath.Join(bin, p.name))
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v\nstderr:\n%s", p.name, err, stderr.String())
			}
			if got := stdout.String(); got != p.want {
				t.Errorf("%s printed:\n%s\nwant:\n%s", p.name, got, p.want)
			}
		})
	}
}

// TestEveryExampleIsTested: each folder here is a program in the table.
func TestEveryExampleIsTested(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, p := range programs {
		listed[p.name] = true
	}
	for _, e := range entries {
		if e.IsDir() && !listed[e.Name()] {
			t.Errorf("examples/%s is not run by TestExamplesPrintWhatTheySay", e.Name())
		}
	}
}

// TestReadmeQuickStartIsQuickstart: the Go block under each of the README's
// quick starts is its example program, byte for byte, so the README shows
// programs that compile and run.
func TestReadmeQuickStartIsQuickstart(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ section, program string }{
		{"## Quick start", "quickstart"},
		{"## Durable jobs", "durable"},
	} {
		program, err := os.ReadFile(filepath.Join(tt.program, "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		_, section, ok := strings.Cut(string(readme), "\n"+tt.section+"\n")
		if !ok {
			t.Errorf("README.md has no %q section", tt.section)
			continue
		}
		_, block, ok := strings.Cut(section, "\n```go\n")
		if !ok {
			t.Errorf("%s has no ```go block", tt.section)
			continue
		}
		block, _, ok = strings.Cut(block, "\n```\n")
		if !ok {
			t.Errorf("%s's ```go block does not end", tt.section)
			continue
		}
		if block+"\n" != string(program) {
			t.Errorf("README %s differs from examples/%s/main.go; copy the program into the README.\nREADME:\n%s", tt.section, tt.program, block)
		}
	}
}
