// Command threadsys runs and inspects threadsystem pools.
//
// Usage:
//
//	threadsys demo [flags]   run a mixed-priority workload and print a summary
//
// Run "threadsys demo -h" for the demo's flags.
package main

import (
	"fmt"
	"io"
	"os"
)

// exit is os.Exit, replaced in tests.
var exit = os.Exit

func main() {
	exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "demo":
		return demo(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "threadsys: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage: threadsys <command> [flags]

commands:
  demo    run a mixed-priority workload on a pool and print a summary of its Stats`)
}
