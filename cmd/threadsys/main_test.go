package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
	}{
		{"no command", nil, 2, []string{"usage"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
		{"help", []string{"help"}, 0, []string{"demo"}},
		{"demo", []string{"demo", "-jobs", "2000", "-workers", "2", "-work", "1us"}, 0,
			[]string{"2000 jobs on 2 cpu workers", "submitted", "highest", "lowest", "counts reconcile"}},
		{"demo with metrics", []string{"demo", "-jobs", "200", "-workers", "2", "-work", "1us", "-metrics", "127.0.0.1:0"}, 0,
			[]string{"serving http://127.0.0.1:", "dag: fetch=succeeded", "heartbeat ran 5 times", "after 3 attempts", "retried after"}},
		{"demo bad metrics address", []string{"demo", "-jobs", "10", "-metrics", "256.0.0.1:-5"}, 1, []string{"threadsys demo:"}},
		{"demo bad flag value", []string{"demo", "-jobs", "0"}, 2, []string{"-jobs and -workers must be >= 1"}},
		{"demo unknown flag", []string{"demo", "-nope"}, 2, []string{"flag provided but not defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(tt.args, &out, &out)
			if code != tt.wantCode {
				t.Errorf("run(%q) = %d, want %d; output:\n%s", tt.args, code, tt.wantCode, out.String())
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("run(%q) output lacks %q:\n%s", tt.args, want, out.String())
				}
			}
		})
	}
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
