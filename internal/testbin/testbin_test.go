package testbin_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/internal/testbin"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fakeM struct{ ran bool }

func (m *fakeM) Run() int { m.ran = true; return 7 }

// TestMainBuildsRunsAndCleansUp: Main runs the tests after a good build,
// returning their code, and none after a failed one; the folder is gone
// afterwards either way.
func TestMainBuildsRunsAndCleansUp(t *testing.T) {
	tests := []struct {
		name     string
		buildErr error
		wantRan  bool
		wantCode int
	}{{"good build", nil, true, 7}, {"failed build", errors.New("no"), false, 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &fakeM{}
			var dir string
			code := testbin.Main(m, func(d string) error {
				dir = d
				if st, err := os.Stat(d); err != nil || !st.IsDir() {
					t.Errorf("build got %q, not a folder: %v", d, err)
				}
				return tt.buildErr
			}).Run()
			if code != tt.wantCode || m.ran != tt.wantRan {
				t.Errorf("Run = %d, tests ran %v; want %d, %v", code, m.ran, tt.wantCode, tt.wantRan)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("folder %s left behind: %v", dir, err)
			}
		})
	}
}

// TestBuildBuildsAProgramAndReportsFailure: Build makes a program that
// runs, and an error naming the build's output for a package that does
// not compile.
func TestBuildBuildsAProgramAndReportsFailure(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(body string) {
		os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644)
		os.WriteFile(filepath.Join(src, "main.go"), []byte(body), 0o644)
	}
	t.Chdir(src)
	write("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"hello\") }\n")
	out := filepath.Join(dir, "hello")
	if err := testbin.Build(out, "."); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(out).Output(); err != nil || string(b) != "hello" {
		t.Errorf("built program printed %q, %v; want hello", b, err)
	}
	write("package main\n\nfunc main() { undefined() }\n")
	if err := testbin.Build(out, "."); err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Errorf("Build of a broken package = %v, want the compiler's error", err)
	}
}
