package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version prints the main module's path and version and the Go version the
// binary was built with, from its build information.
func version(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "threadsys version: unexpected argument %q\n\n", args[0])
		versionHelp(stderr)
		return 2
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(stderr, "threadsys version: this binary carries no build information")
		return 1
	}
	fmt.Fprintf(stdout, "threadsys %s\nmodule %s\n", bi.Main.Version, bi.Main.Path)
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			fmt.Fprintf(stdout, "%s %s\n", s.Key, s.Value)
		}
	}
	fmt.Fprintf(stdout, "built with %s %s/%s\n", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
	return 0
}

func versionHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: threadsys version\n\nVersion prints the module path and version of this binary, its VCS revision\nwhen built from a checkout, and the Go version it was built with.")
}
