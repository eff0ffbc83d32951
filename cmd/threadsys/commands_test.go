package main

import (
	"runtime"
	"strings"
	"testing"
)

// TestCommands: each command line gives its exit code, and its output on
// the right stream.
func TestCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // each must appear; nil: stdout must be empty
		wantStderr []string // each must appear; nil: stderr must be empty
	}{
		{"no command", nil, 2, nil, []string{"usage: threadsys <command>", "demo", "version", "help"}},
		{"unknown command", []string{"frobnicate"}, 2, nil, []string{`unknown command "frobnicate"`, "usage: threadsys"}},
		{"help", []string{"help"}, 0, []string{"usage: threadsys <command>", "  demo ", "  version ", "  help "}, nil},
		{"-h", []string{"-h"}, 0, []string{"usage: threadsys <command>"}, nil},
		{"help demo", []string{"help", "demo"}, 0, []string{"usage: threadsys demo [flags]", "Demo runs a workload", "-jobs n", "-metrics address", "the durable part starts an embedded JetStream", "-durable-jobs n"}, nil},
		{"help version", []string{"help", "version"}, 0, []string{"usage: threadsys version"}, nil},
		{"help unknown", []string{"help", "nope"}, 2, nil, []string{`threadsys help: unknown command "nope"`}},
		{"help two", []string{"help", "demo", "version"}, 2, nil, []string{"want one command"}},
		{"demo -h", []string{"demo", "-h"}, 0, []string{"usage: threadsys demo [flags]", "Demo runs a workload", "-jobs n"}, nil},
		{"version", []string{"version"}, 0, []string{"threadsys ", "module github.com/threadsystem/threadsystem", "built with " + runtime.Version()}, nil},
		{"version extra", []string{"version", "x"}, 2, nil, []string{`unexpected argument "x"`, "usage: threadsys version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := threadsys(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("threadsys %q exited %d, want %d", tt.args, code, tt.wantCode)
			}
			checkStream(t, "stdout", stdout, tt.wantStdout)
			checkStream(t, "stderr", stderr, tt.wantStderr)
		})
	}
}

func checkStream(t *testing.T, name, got string, want []string) {
	t.Helper()
	if want == nil && got != "" {
		t.Errorf("%s = %q, want it empty", name, got)
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", name, w, got)
		}
	}
}

// TestHelpDemoIsDemoH: "help demo" and "demo -h" print the same help.
func TestHelpDemoIsDemoH(t *testing.T) {
	a, _, _ := threadsys(t, "help", "demo")
	b, _, _ := threadsys(t, "demo", "-h")
	if a != b {
		t.Errorf("help demo:\n%s\ndemo -h:\n%s", a, b)
	}
}

// TestUsageListsEveryCommand: the usage is built from the command table.
func TestUsageListsEveryCommand(t *testing.T) {
	var b strings.Builder
	usage(&b)
	for _, c := range commands {
		if !strings.Contains(b.String(), "  "+c.name+" ") || !strings.Contains(b.String(), c.summary) {
			t.Errorf("usage lacks command %s (%s):\n%s", c.name, c.summary, b.String())
		}
	}
}

// TestDemoRejectsBadInputBeforeStarting: a bad flag value or an extra
// argument names itself, prints the usage to stderr and exits 2; nothing
// started, so stdout is empty.
func TestDemoRejectsBadInputBeforeStarting(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-jobs", "0"}, `invalid value "0" for flag -jobs: must be at least 1`},
		{[]string{"-jobs", "many"}, `invalid value "many" for flag -jobs: not a whole number`},
		{[]string{"-workers", "-1"}, `invalid value "-1" for flag -workers: must be at least 1`},
		{[]string{"-fail", "1.5"}, `invalid value "1.5" for flag -fail: must be a fraction from 0 to 1`},
		{[]string{"-fail", "NaN"}, `invalid value "NaN" for flag -fail: must be a fraction from 0 to 1`},
		{[]string{"-work", "-1s"}, `invalid value "-1s" for flag -work: must not be negative`},
		{[]string{"-work", "soon"}, `invalid value "soon" for flag -work: not a duration`},
		{[]string{"-durable-jobs", "0"}, `invalid value "0" for flag -durable-jobs: must be at least 1`},
		{[]string{"-durable=maybe"}, `invalid boolean value "maybe" for -durable`},
		{[]string{"-metrics", "bogus"}, `invalid value "bogus" for flag -metrics: not host:port`},
		{[]string{"-metrics", "127.0.0.1:http-nope"}, `invalid value "127.0.0.1:http-nope" for flag -metrics: bad port`},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"extra-arg"}, `threadsys demo: unexpected argument "extra-arg"`},
		{[]string{"-jobs", "10", "extra-arg"}, `threadsys demo: unexpected argument "extra-arg"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code := threadsys(t, append([]string{"demo"}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing: the demo must not start", stdout)
			}
			checkStream(t, "stderr", stderr, []string{tt.want, "usage: threadsys demo [flags]", "-jobs n"})
		})
	}
}
