package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// demoOutput is what a demo run printed, parsed.
type demoOutput struct {
	lines                []string
	headerJobs, workers  int
	progressDone, ofJobs int
	rows                 map[string]tally // both tables' rows by name
	reconciled           map[string][]uint64
	waits                map[string]uint64 // by priority, and "all"
	dagNodes, beats      int
	flakyAttempts        int
	cpuStarted, cpuStop  int
	cpuWorkers           int
	ioStarted, ioScaled  int
	ioStopped, ioRetired int
	ioClosed             int
	// The durable part: its header's email count, its table's rows by
	// kind (and "= stored records"), and its closing line's figures.
	durableJobs  int
	durableRows  map[string]durableRow
	durableAdded []int // enqueued, succeeded, dead
	durableLines int   // lines starting "durable: "
}

var (
	headerRe      = regexp.MustCompile(`^threadsys demo: (\d+) main jobs on the cpu pool \((\d+) workers`)
	progressRe    = regexp.MustCompile(`main jobs done (\d+)/(\d+)`)
	rowRe         = regexp.MustCompile(`^  (\S.*?)\s{2,}(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)
	reconcileRe   = regexp.MustCompile(`^(\w+) pool Stats reconcile: submitted (\d+) = pending (\d+) \+ queued (\d+) \+ running (\d+) \+ succeeded (\d+) \+ failed (\d+) \+ cancelled (\d+) \+ skipped (\d+);`)
	waitRe        = regexp.MustCompile(`^\s+(highest|high|normal|low|lowest|all)\s+(\d+)\s`)
	dagRe         = regexp.MustCompile(`^dag: (\d+) nodes, `)
	schedRe       = regexp.MustCompile(`^schedule: heartbeat ran (\d+) times, every 20ms; sync-upstream succeeded after (\d+) attempts$`)
	durableHeadRe = regexp.MustCompile(`^durable: an embedded JetStream server with file storage in a temporary directory; (\d+) email jobs`)
	durableRowRe  = regexp.MustCompile(`^  (\S.*?)\s{2,}(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)
	durableSumRe  = regexp.MustCompile(`^durable: the kind rows add up to the stored records: (\d+) enqueued = (\d+) succeeded \+ (\d+) dead;`)
	workersRe     = regexp.MustCompile(`^worker events: cpu pool (\d+) started and (\d+) stopped \(its (\d+) workers, at New and at Close\); ` +
		`io pool (\d+) started = 1 at New \+ (\d+) scaled up, (\d+) stopped = (\d+) retired when idle \+ (\d+) at Close$`)
)

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func parseDemo(t *testing.T, out string) demoOutput {
	t.Helper()
	d := demoOutput{lines: strings.Split(out, "\n"), rows: map[string]tally{},
		reconciled: map[string][]uint64{}, waits: map[string]uint64{}, durableRows: map[string]durableRow{}}
	u := func(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }
	inDurable := false // after the durable table's header
	for _, l := range d.lines {
		if strings.HasPrefix(l, "durable: ") {
			d.durableLines++
		}
		if m := durableHeadRe.FindStringSubmatch(l); m != nil {
			d.durableJobs = atoi(m[1])
		}
		if strings.HasPrefix(strings.TrimSpace(l), "durable jobs ") {
			inDurable = true
			continue
		}
		if inDurable {
			if m := durableRowRe.FindStringSubmatch(l); m != nil {
				d.durableRows[m[1]] = durableRow{atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6])}
				continue
			}
			inDurable = false
		}
		if m := durableSumRe.FindStringSubmatch(l); m != nil {
			d.durableAdded = []int{atoi(m[1]), atoi(m[2]), atoi(m[3])}
		}
		if m := headerRe.FindStringSubmatch(l); m != nil {
			d.headerJobs, d.workers = atoi(m[1]), atoi(m[2])
		}
		if m := progressRe.FindStringSubmatch(l); m != nil {
			d.progressDone, d.ofJobs = atoi(m[1]), atoi(m[2])
		}
		if m := rowRe.FindStringSubmatch(l); m != nil {
			d.rows[m[1]] = tally{u(m[2]), u(m[3]), u(m[4]), u(m[5]), u(m[6]), u(m[7])}
		}
		if m := reconcileRe.FindStringSubmatch(l); m != nil {
			for _, s := range m[2:] {
				d.reconciled[m[1]] = append(d.reconciled[m[1]], u(s))
			}
		}
		if m := waitRe.FindStringSubmatch(l); m != nil {
			d.waits[m[1]] = u(m[2])
		}
		if m := dagRe.FindStringSubmatch(l); m != nil {
			d.dagNodes = atoi(m[1])
		}
		if m := schedRe.FindStringSubmatch(l); m != nil {
			d.beats, d.flakyAttempts = atoi(m[1]), atoi(m[2])
		}
		if m := workersRe.FindStringSubmatch(l); m != nil {
			d.cpuStarted, d.cpuStop, d.cpuWorkers = atoi(m[1]), atoi(m[2]), atoi(m[3])
			d.ioStarted, d.ioScaled, d.ioStopped, d.ioRetired, d.ioClosed = atoi(m[4]), atoi(m[5]), atoi(m[6]), atoi(m[7]), atoi(m[8])
		}
	}
	return d
}

// TestDemoCountsAddUp: every figure the demo prints agrees with the others:
// the header, the progress line and the main row give -jobs; -fail 1 fails
// every main job; the rows by origin add up to the cpu pool's Stats, which
// reconcile and match the events on the bus; worker events add up; waits
// are one per attempt.
func TestDemoCountsAddUp(t *testing.T) {
	tests := []struct {
		name              string
		args              []string
		jobs, workers     int
		allFail, noneFail bool
		durableJobs       int // 0: the durable part is off
	}{
		{"mixed", []string{"-jobs", "2000", "-workers", "2", "-work", "1us", "-durable-jobs", "120"}, 2000, 2, false, false, 120},
		{"all fail", []string{"-jobs", "10", "-fail", "1", "-work", "0s", "-durable=false"}, 10, 0, true, false, 0},
		{"none fail", []string{"-jobs", "10", "-fail", "0", "-workers", "3", "-work", "0s", "-durable=false"}, 10, 3, false, true, 0},
		{"durable default", []string{"-jobs", "10", "-work", "0s"}, 10, 0, false, false, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := threadsys(t, append([]string{"demo"}, tt.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q; stdout:\n%s", code, stderr, stdout)
			}
			d := parseDemo(t, stdout)
			fail := func(format string, args ...any) {
				t.Helper()
				t.Errorf(format+"\noutput:\n%s", append(args, stdout)...)
			}
			main, cpu, io := d.rows["main jobs"], d.rows["= cpu pool Stats"], d.rows["io jobs (io pool Stats)"]
			if d.headerJobs != tt.jobs || d.ofJobs != tt.jobs || d.progressDone != tt.jobs || main.submitted != uint64(tt.jobs) {
				fail("-jobs %d: header %d, progress %d/%d, main row %d", tt.jobs, d.headerJobs, d.progressDone, d.ofJobs, main.submitted)
			}
			if tt.workers > 0 && (d.workers != tt.workers || d.cpuWorkers != tt.workers) {
				fail("-workers %d: header %d, worker events line %d", tt.workers, d.workers, d.cpuWorkers)
			}
			if main.succeeded+main.failed != main.submitted ||
				(tt.allFail && main.failed != main.submitted) || (tt.noneFail && main.failed != 0) {
				fail("main row %+v", main)
			}
			if d.dagNodes != 4 || d.rows["dag nodes"].submitted != 4 || d.beats != heartbeatRuns ||
				d.rows["heartbeat runs"].submitted != heartbeatRuns || d.rows["retried job"].retried != uint64(d.flakyAttempts-1) {
				fail("extras: dag line %d nodes, row %+v; heartbeat line %d, row %+v; %d attempts, row %+v",
					d.dagNodes, d.rows["dag nodes"], d.beats, d.rows["heartbeat runs"], d.flakyAttempts, d.rows["retried job"])
			}
			sum := main.plus(d.rows["dag nodes"]).plus(d.rows["heartbeat runs"]).plus(d.rows["retried job"])
			if sum != cpu || cpu == (tally{}) {
				fail("cpu rows sum to %+v, cpu pool Stats %+v", sum, cpu)
			}
			if io.submitted != ioJobs || io.succeeded != ioJobs {
				fail("io row %+v, want %d submitted and succeeded", io, ioJobs)
			}
			for name, want := range map[string]tally{"cpu pool": cpu, "io pool": io} {
				if got := d.rows[name]; got != want {
					fail("%s events %+v, Stats %+v", name, got, want)
				}
			}
			for name, row := range map[string]tally{"cpu": cpu, "io": io} {
				r := d.reconciled[name]
				if len(r) != 8 || r[0] != r[1]+r[2]+r[3]+r[4]+r[5]+r[6]+r[7] || r[0] != row.submitted || r[4] != row.succeeded {
					fail("%s reconcile line %v, row %+v", name, r, row)
				}
			}
			if d.cpuStarted != d.cpuWorkers || d.cpuStop != d.cpuWorkers ||
				d.ioStarted != 1+d.ioScaled || d.ioStopped != d.ioRetired+d.ioClosed {
				fail("worker events do not add up")
			}
			var waits uint64
			for _, p := range pool.Priorities {
				waits += d.waits[p.String()]
			}
			if waits != d.waits["all"] || waits != cpu.submitted+cpu.retried {
				fail("waits by priority sum to %d, all %d, want %d (one per attempt)", waits, d.waits["all"], cpu.submitted+cpu.retried)
			}
			checkDurable(t, d, tt.durableJobs, fail)
		})
	}
}

// checkDurable checks the durable part's figures: off, it prints nothing;
// on, its kind rows add up to the stored records, every job ended as its kind
// should (the flaky one after 3 attempts, the doomed one dead after 3, one
// report for two enqueues, every export run on A then redelivered to B), and
// the closing line agrees.
func checkDurable(t *testing.T, d demoOutput, jobs int, fail func(string, ...any)) {
	t.Helper()
	if jobs == 0 {
		if d.durableLines != 0 || len(d.durableRows) != 0 {
			fail("-durable=false, yet %d durable lines and %d rows", d.durableLines, len(d.durableRows))
		}
		return
	}
	want := map[string]durableRow{
		"email":  {enqueued: jobs, succeeded: jobs},
		"flaky":  {enqueued: 1, succeeded: 1},
		"doomed": {enqueued: 1, dead: 1},
		"report": {enqueued: 1, succeeded: 1},
		"export": {enqueued: durableExports, succeeded: durableExports, onA: durableExports, onB: durableExports},
	}
	runs := map[string]int{"email": jobs, "flaky": 3, "doomed": durableAttempts, "report": 1, "export": 2 * durableExports}
	var sum durableRow
	for kind, w := range want {
		got := d.durableRows[kind]
		sum = sum.plus(got)
		if got.enqueued != w.enqueued || got.succeeded != w.succeeded || got.dead != w.dead || got.onA+got.onB < runs[kind] ||
			(kind != "email" && got.onA+got.onB != runs[kind]) || (kind == "export" && got != w) {
			fail("durable %s row %+v, want %+v with %d runs on A and B", kind, got, w, runs[kind])
		}
	}
	stored := d.durableRows["= stored records"]
	if d.durableJobs != jobs || sum != stored || stored.enqueued != jobs+3+durableExports {
		fail("durable: header %d jobs, rows sum to %+v, stored records %+v", d.durableJobs, sum, stored)
	}
	if len(d.durableAdded) != 3 || d.durableAdded[0] != stored.enqueued || d.durableAdded[1] != stored.succeeded ||
		d.durableAdded[2] != stored.dead || d.durableAdded[0] != d.durableAdded[1]+d.durableAdded[2] {
		fail("durable closing line %v, stored records %+v", d.durableAdded, stored)
	}
}

// TestDemoOutputOrder: the header comes first and the sections follow in a
// fixed order; every event line names its pool.
func TestDemoOutputOrder(t *testing.T) {
	stdout, _, code := threadsys(t, "demo", "-jobs", "200", "-work", "1us", "-metrics", "127.0.0.1:0")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
	order := []string{"threadsys demo: 200 main jobs", "counted apart:", "serving http://127.0.0.1:", "main jobs done 200/200",
		"dag: ", "schedule: ", "main jobs: 200 ended", "jobs by origin", "job events on the bus", "worker events:", "time in queue by priority",
		"durable: an embedded JetStream server", "durable: unique key", "durable: worker A stopped mid-run", "durable: flaky: succeeded after 3 attempts",
		"durable: doomed: dead after 3 attempts", "durable: exports:", "durable: emails:", "durable jobs", "= stored records", "durable: the kind rows add up"}
	lines := strings.Split(stdout, "\n")
	i := 0
	for _, l := range lines {
		if i < len(order) && strings.Contains(l, order[i]) {
			i++
		}
	}
	if i != len(order) {
		t.Errorf("output lacks %q in its place; order wanted %q:\n%s", order[i], order, stdout)
	}
	if !strings.HasPrefix(lines[0], order[0]) {
		t.Errorf("first line %q, want the header", lines[0])
	}
	events := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "  event: ") {
			events++
			if !regexp.MustCompile(`^  event: (cpu|io) pool: `).MatchString(l) {
				t.Errorf("event line does not name its pool: %q", l)
			}
		}
	}
	if events == 0 {
		t.Errorf("no event lines:\n%s", stdout)
	}
	if !strings.Contains(stdout, "/healthz (every pool), /healthz/cpu, /healthz/io and /debug/pprof/") {
		t.Errorf("serving line does not list /healthz and /debug/pprof/:\n%s", stdout)
	}
}

// TestDemoListenFailureStartsNothing: an address that cannot be listened on
// fails the demo before any pool starts.
func TestDemoListenFailureStartsNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stdout, stderr, code := threadsys(t, "demo", "-metrics", ln.Addr().String())
	if code != 1 || stdout != "" || !strings.Contains(stderr, "threadsys demo: -metrics "+ln.Addr().String()) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, the address named", code, stdout, stderr)
	}
}

// TestDemoServerPaths: the demo's server answers /healthz for every pool,
// /healthz/<key> for one, /metrics and /debug/pprof/.
func TestDemoServerPaths(t *testing.T) {
	tp, err := pool.NewTyped([]pool.Key[string]{{Key: "cpu", Workers: 1}, {Key: "io", Workers: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newDemoServer(tp)
	go srv.Serve(ln)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(path string) (int, string) {
		resp, err := client.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/healthz")
	var all struct {
		Status string
		Pools  map[string]struct{ Status string }
	}
	if err := json.Unmarshal([]byte(body), &all); code != 200 || err != nil || all.Status != "ok" ||
		all.Pools["cpu"].Status != "ok" || all.Pools["io"].Status != "ok" {
		t.Errorf("/healthz: %d %s (%v)", code, body, err)
	}
	for _, tt := range []struct{ path, want string }{
		{"/healthz/cpu", `"status":"ok"`},
		{"/healthz/io", `"status":"ok"`},
		{"/metrics", `threadsystem_jobs_submitted_total{pool="io"}`},
		{"/debug/pprof/", "goroutine"},
		{"/debug/pprof/cmdline", ""},
	} {
		if code, body := get(tt.path); code != 200 || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d, body lacks %q:\n%.300s", tt.path, code, tt.want, body)
		}
	}
}

// TestProgressEndsItsLine: on a terminal the progress line is rewritten in
// place and its last state ends with a newline, so the next output starts
// on a line of its own; plain progress prints whole lines.
func TestProgressEndsItsLine(t *testing.T) {
	tests := []struct {
		plain                     bool
		wantRewrites, wantNewline int
	}{{false, 3, 1}, {true, 1, 1}}
	for _, tt := range tests {
		t.Run("plain="+strconv.FormatBool(tt.plain), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, _ := pool.New(1)
				defer p.Close()
				m := &mainProgress{of: 10}
				var out bytes.Buffer
				stop, done := make(chan struct{}), make(chan struct{})
				go func() {
					defer close(done)
					progress(&out, demoConfig{jobs: 10, plain: tt.plain}, m, p, time.Now(), stop)
				}()
				time.Sleep(250 * time.Millisecond) // fake time: two ticks on a terminal
				close(stop)
				<-done
				s := out.String()
				if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != tt.wantNewline {
					t.Errorf("output %q: want %d newline, at the end", s, tt.wantNewline)
				}
				if got := strings.Count(s, "\r\033[K"); !tt.plain && got != tt.wantRewrites {
					t.Errorf("output %q: %d rewrites, want %d", s, got, tt.wantRewrites)
				}
				if tt.plain && strings.Contains(s, "\r") {
					t.Errorf("plain output %q has a carriage return", s)
				}
			})
		})
	}
}

// TestRunDemoInProcess runs the demo inside the test binary, so that -race
// sees its goroutines.
func TestRunDemoInProcess(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "-jobs", "300", "-workers", "2", "-work", "1us", "-metrics", "127.0.0.1:0"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q:\n%s", code, errb.String(), out.String())
	}
	if !strings.Contains(out.String(), "the four cpu rows add up") || !strings.Contains(out.String(), "each pool's job events match its Stats") {
		t.Errorf("figures do not add up:\n%s", out.String())
	}
}
