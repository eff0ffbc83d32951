// Command threadsys runs and inspects threadsystem pools.
//
// Usage:
//
//	threadsys demo [flags]     run a mixed-priority workload on pools and print what happened
//	threadsys version          print the module and Go versions of this binary
//	threadsys help [command]   print this usage, or a command's help
//
// Run "threadsys help demo" for the demo's flags.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// exit is os.Exit, replaced in tests.
var exit = os.Exit

func main() {
	exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// A command is one subcommand of threadsys. To add one, add an entry to
// commands: dispatch, the usage list and help all read the table.
type command struct {
	name    string
	summary string // one line for the usage list
	// run runs the command with the arguments after its name and returns
	// the exit code: 0 success, 1 failure, 2 bad usage.
	run func(args []string, stdout, stderr io.Writer) int
	// help prints the command's full help.
	help func(w io.Writer)
}

// commands is the command table, in the order usage lists them. It is
// filled in init because help reads it.
var commands []command

func init() {
	commands = []command{
		{"demo", "run a mixed-priority workload on pools and print what happened", demo, demoHelp},
		{"version", "print the module and Go versions of this binary", version, versionHelp},
		{"help", "print this usage, or a command's help (threadsys help demo)", help, helpHelp},
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run dispatches a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "threadsys: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, "usage: threadsys <command> [arguments]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRun \"threadsys help <command>\" for a command's flags.")
}

func help(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		usage(stdout)
		return 0
	case 1:
		c, ok := lookup(args[0])
		if !ok {
			fmt.Fprintf(stderr, "threadsys help: unknown command %q\n\n", args[0])
			usage(stderr)
			return 2
		}
		c.help(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "threadsys help: want one command, got %q\n\n", strings.Join(args, " "))
	helpHelp(stderr)
	return 2
}

func helpHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: threadsys help [command]\n\nHelp prints the list of commands, or the full help of one command.")
}
