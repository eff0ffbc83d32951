package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
)

var (
	jobsFlag    = flag.Int("crash.jobs", 10000, "jobs per crash test")
	ackWaitFlag = flag.Duration("crash.ackwait", time.Second, "the workers' AckWait: how soon a killed worker's jobs come back")
	workFlag    = flag.Duration("crash.work", 200*time.Microsecond, "how long each job of a worker child works after recording its ID")
)

// jobCount is the number of jobs of a crash test: -crash.jobs (10,000 by
// default, as the issue asks; under -race each test takes 30-50s on two
// shared cores with it, -crash.jobs=5000 halves that).
func jobCount(t *testing.T) int {
	t.Helper()
	n := *jobsFlag
	if n < 100 {
		t.Fatalf("-crash.jobs=%d: want at least 100", n)
	}
	return n
}

// TestMain checks for leaked goroutines. A child process (CRASHTEST_ROLE
// set) runs only TestCrashChild, which exits the process itself, so goleak
// never sees it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// uniqueLease is the UniqueLease of a server child with unique keys.
const uniqueLease = time.Second

// jobName is the handler every crash test job runs.
const jobName = "crash.job"

// Environment of a child process.
const (
	envRole    = "CRASHTEST_ROLE"    // "worker", "server" or "both"
	envURL     = "CRASHTEST_URL"     // worker: the server to connect to
	envLog     = "CRASHTEST_LOG"     // the file a child appends job IDs to
	envAckWait = "CRASHTEST_ACKWAIT" // worker: AckWait
	envConc    = "CRASHTEST_CONC"    // worker: Concurrency
	envDir     = "CRASHTEST_DIR"     // server: the store directory
	envJobs    = "CRASHTEST_JOBS"    // server, both: how many jobs to enqueue
	envIDs     = "CRASHTEST_IDS"     // both: the file the enqueued IDs go to
	envUnique  = "CRASHTEST_UNIQUE"  // server: "1" gives job i the unique key "key-<i>", claimed with a lease of uniqueLease
	envWork    = "CRASHTEST_WORK"    // worker: how long each job works after recording its ID
)

// TestCrashChild is not a test: it is the entry point of a child process
// that a crash test starts from this binary, and it skips when run as a
// test. It exits the process with the child's status.
func TestCrashChild(t *testing.T) {
	role := os.Getenv(envRole)
	if role == "" {
		t.Skip("the child process of the crash tests; runs only with " + envRole + " set")
	}
	var err error
	switch role {
	case "worker":
		err = workerChild()
	case "server":
		err = serverChild()
	case "both":
		err = bothChild()
	default:
		err = fmt.Errorf("unknown %s %q", envRole, role)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashtest child %s: %v\n", role, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// appender appends one line per job ID to a file opened O_APPEND, with one
// write(2) per line: a line written is in the kernel's page cache and
// survives a SIGKILL of the writer (a message published on core NATS sits in
// the client's buffer first and may not).
type appender struct{ f *os.File }

func openAppender(path string) (*appender, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &appender{f}, nil
}

func (a *appender) add(id string) error {
	_, err := a.f.Write([]byte(id + "\n"))
	return err
}

// workerChild connects to the server by URL and runs jobs until its stdin
// closes, recording each job it runs.
func workerChild() error {
	c, err := durable.Connect(os.Getenv(envURL))
	if err != nil {
		return err
	}
	defer c.Close()
	return runWorker(c)
}

// runWorker runs a worker on c until stdin closes; each job appends its ID
// to the log, then works for the CRASHTEST_WORK duration.
func runWorker(c *durable.Client) error {
	aw, err := time.ParseDuration(os.Getenv(envAckWait))
	if err != nil {
		return err
	}
	conc, err := strconv.Atoi(os.Getenv(envConc))
	if err != nil {
		return err
	}
	work, err := time.ParseDuration(os.Getenv(envWork))
	if err != nil {
		return err
	}
	log, err := openAppender(os.Getenv(envLog))
	if err != nil {
		return err
	}
	p, err := pool.New(4)
	if err != nil {
		return err
	}
	defer p.Close()
	w, err := durable.NewWorker(c, p, durable.AckWait(aw), durable.Concurrency(conc))
	if err != nil {
		return err
	}
	if err := durable.HandleRaw(w, jobName, func(ctx context.Context, _ []byte) error {
		info, _ := durable.FromContext(ctx)
		if err := log.add(info.ID); err != nil {
			return err
		}
		time.Sleep(work) // the job's work, after its side effect
		return nil
	}); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	return w.Run(ctx)
}

// bothChild embeds a server on its directory, enqueues the jobs with
// EnqueueBatch, writes their IDs to a file once it returned, and runs a
// worker on them.
func bothChild() error {
	n, err := strconv.Atoi(os.Getenv(envJobs))
	if err != nil {
		return err
	}
	srv, err := embedded.Start(os.Getenv(envDir), embedded.InProcessOnly())
	if err != nil {
		return err
	}
	defer srv.Shutdown(context.Background())
	c, err := durable.New(srv.Conn())
	if err != nil {
		return err
	}
	defer c.Close()
	ids, err := c.EnqueueBatch(context.Background(), crashJobs(n))
	if err != nil {
		return err
	}
	if err := os.WriteFile(os.Getenv(envIDs), []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	return runWorker(c)
}

// crashJobs returns n jobs for the handler jobName.
func crashJobs(n int) []durable.Job {
	jobs := make([]durable.Job, n)
	for i := range jobs {
		jobs[i] = durable.Job{Name: jobName, Payload: []byte(strconv.Itoa(i)), Options: []durable.Option{durable.Raw()}}
	}
	return jobs
}

// serverChild embeds a server on its directory and enqueues jobs one by
// one from a few goroutines, recording the ID of each Enqueue that returned
// success.
func serverChild() error {
	n, err := strconv.Atoi(os.Getenv(envJobs))
	if err != nil {
		return err
	}
	log, err := openAppender(os.Getenv(envLog))
	if err != nil {
		return err
	}
	srv, err := embedded.Start(os.Getenv(envDir), embedded.InProcessOnly())
	if err != nil {
		return err
	}
	defer srv.Shutdown(context.Background())
	unique := os.Getenv(envUnique) == "1"
	var copts []durable.ClientOption
	if unique {
		copts = append(copts, durable.UniqueLease(uniqueLease))
	}
	c, err := durable.New(srv.Conn(), copts...)
	if err != nil {
		return err
	}
	defer c.Close()
	const enqueuers = 4
	var wg sync.WaitGroup
	errs := make(chan error, enqueuers)
	for g := range enqueuers {
		wg.Go(func() {
			for i := g; i < n; i += enqueuers {
				opts := []durable.Option{durable.Raw()}
				if unique {
					opts = append(opts, durable.Unique("key-"+strconv.Itoa(i)))
				}
				id, err := c.Enqueue(context.Background(), jobName, []byte(strconv.Itoa(i)), opts...)
				if err != nil {
					errs <- err
					return
				}
				if err := log.add(id); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return errors.Join(<-errs)
}

// child is a running child process.
type child struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *syncBuffer
	done  chan struct{} // closed when the process has exited
	err   error         // Wait's error, once done is closed
	log   string
}

// startChild re-executes this test binary as a child with role and env.
func startChild(t *testing.T, role, log string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envRole+"="+role, envLog+"="+log), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, stdin: stdin, out: out, done: make(chan struct{}), log: log}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// syncBuffer is the output of a child: written by exec's copying goroutine,
// printed by the test when it fails.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		c.t.Fatal(err)
	}
	<-c.done
	if c.err == nil {
		c.t.Fatalf("child exited 0 before the kill:\n%s", c.out)
	}
}

// stop closes the child's stdin and waits (until timeout) for it to exit 0.
func (c *child) stop(timeout time.Duration) {
	c.t.Helper()
	_ = c.stdin.Close()
	select {
	case <-c.done:
		if c.err != nil {
			c.t.Fatalf("child: %v\n%s", c.err, c.out)
		}
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		c.t.Fatalf("child did not exit within %v of its stdin closing (%v):\n%s", timeout, c.err, c.out)
	}
}

// idLog reads the lines a child appended so far.
type idLog struct {
	path    string
	off     int64
	partial []byte
	ids     []string
}

// poll reads what was appended since the last call.
func (l *idLog) poll() error {
	f, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(l.off, io.SeekStart); err != nil {
		return err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	l.off += int64(len(b))
	b = append(l.partial, b...)
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		l.ids = append(l.ids, string(b[:i]))
		b = b[i+1:]
	}
	l.partial = append([]byte(nil), b...)
	return nil
}

// waitLines polls the log until it holds n lines or the child exits or the
// deadline passes.
func (l *idLog) waitLines(t *testing.T, c *child, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := l.poll(); err != nil {
			t.Fatal(err)
		}
		if len(l.ids) >= n {
			return
		}
		select {
		case <-c.done:
			t.Fatalf("child exited (%v) with %d of %d lines:\n%s", c.err, len(l.ids), n, c.out)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d lines after %v; child output:\n%s", len(l.ids), n, timeout, c.out)
		}
	}
}

// records follows every job record of a deployment: the latest state of
// each ID and when each first said succeeded.
type records struct {
	mu        sync.Mutex
	state     map[string]durable.State
	succeeded map[string]time.Time
	changed   chan struct{} // a token after each batch of updates
	kw        jetstream.KeyWatcher
	done      chan struct{}
}

// watchRecords starts following the records bucket of c.
func watchRecords(t *testing.T, ctx context.Context, c *durable.Client) *records {
	t.Helper()
	kv, err := c.JetStream().KeyValue(ctx, c.Prefix()+"_records")
	if err != nil {
		t.Fatal(err)
	}
	kw, err := kv.WatchAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := &records{state: map[string]durable.State{}, succeeded: map[string]time.Time{},
		changed: make(chan struct{}, 1), kw: kw, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for e := range kw.Updates() {
			if e == nil {
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				r.mu.Lock()
				delete(r.state, e.Key())
				r.mu.Unlock()
				continue
			}
			var v struct {
				State durable.State `json:"state"`
			}
			_ = json.Unmarshal(e.Value(), &v)
			now := time.Now()
			r.mu.Lock()
			r.state[e.Key()] = v.State
			if _, ok := r.succeeded[e.Key()]; !ok && v.State == durable.Succeeded {
				r.succeeded[e.Key()] = now
			}
			r.mu.Unlock()
			select {
			case r.changed <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *records) stop() {
	_ = r.kw.Stop()
	<-r.done
}

// get returns the state of id as last seen.
func (r *records) get(id string) durable.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state[id]
}

// succeededAt returns when id was first seen succeeded.
func (r *records) succeededAt(id string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.succeeded[id]
	return at, ok
}

// waitFor waits until cond (called under the lock) holds or timeout passes.
func (r *records) waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-deadline.C:
			r.mu.Lock()
			n, ok := len(r.state), len(r.succeeded)
			r.mu.Unlock()
			t.Fatalf("after %v: not %s (%d records, %d succeeded)", timeout, what, n, ok)
		}
	}
}

// count returns how many records there are, barriers left out.
func (r *records) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, st := range r.state {
		if st != barrierState {
			n++
		}
	}
	return n
}

// waitSucceeded waits until every ID of ids has a record that says
// succeeded. It scans ids only once as many records have succeeded, so the
// watcher is not slowed down by the scans.
func (r *records) waitSucceeded(t *testing.T, ids []string, timeout time.Duration) {
	t.Helper()
	missing := func() int {
		if len(r.succeeded) < len(ids) {
			return len(ids) - len(r.succeeded)
		}
		n := 0
		for _, id := range ids {
			if _, ok := r.succeeded[id]; !ok {
				n++
			}
		}
		return n
	}
	r.waitFor(t, timeout, "every job succeeded", func() bool { return missing() == 0 })
}

// queuedJobs returns the IDs of the default queue's queued jobs, paging
// Inspector.Jobs (which reads the jobs stream).
func queuedJobs(t *testing.T, ctx context.Context, c *durable.Client) map[string]bool {
	t.Helper()
	in, err := durable.NewInspector(c)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	q := durable.JobQuery{Queue: durable.DefaultQueue, State: durable.Queued, Limit: 1000}
	for {
		page, err := in.Jobs(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range page.Jobs {
			out[j.ID] = true
		}
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
}

// openClient connects a durable client to srv, closed when the test ends
// (before srv shuts down).
func openClient(t *testing.T, srv *embedded.Server) *durable.Client {
	t.Helper()
	c, err := durable.New(srv.Conn())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// startServer starts an embedded server with its file store in dir, shut
// down when the test ends.
func startServer(t *testing.T, dir string) *embedded.Server {
	t.Helper()
	srv, err := embedded.Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return srv
}
