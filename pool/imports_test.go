package pool_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPoolImportsOnlyTheStandardLibrary: the core links nothing outside the
// standard library and this module, and not net/http either (its HTTP
// health handler lives in package health), so a program using pool alone
// does not link an HTTP stack or crypto/tls.
func TestPoolImportsOnlyTheStandardLibrary(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH:", err)
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{.Standard}} {{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	const module = "github.com/threadsystem/threadsystem/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		std, path, _ := strings.Cut(line, " ")
		if std != "true" && !strings.HasPrefix(path, module) {
			t.Errorf("pool depends on %s, outside the standard library", path)
		}
		if path == "net/http" || path == "crypto/tls" {
			t.Errorf("pool depends on %s", path)
		}
	}
}
