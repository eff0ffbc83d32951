package durable_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/pool"
)

// otherClient returns a client on a connection of its own, as another
// process on the same server would have.
func (e *env) otherClient() *durable.Client {
	e.t.Helper()
	nc, err := nats.Connect("", nats.InProcessServer(e.srv.NATS()))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(nc.Close)
	c, err := durable.New(nc)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// counter registers "digest", which counts its runs per job ID.
type counter struct {
	mu   sync.Mutex
	runs map[string]int
}

func (c *counter) register(w *durable.Worker) {
	durable.Handle(w, "digest", func(ctx context.Context, _ string) error {
		info, _ := durable.FromContext(ctx)
		c.mu.Lock()
		c.runs[info.ID]++
		c.mu.Unlock()
		return nil
	})
}

func TestThreeSchedulersFireOncePerTick(t *testing.T) {
	e := newEnv(t)
	cnt := &counter{runs: map[string]int{}}
	fires := make(chan durable.Fire, 64)
	var scheds []*durable.Scheduler
	var wg sync.WaitGroup
	// The clients first: durable.New updates the stream, which races (in
	// nats-server v2.15.3, under -race) with a worker creating consumers.
	clients := []*durable.Client{e.otherClient(), e.otherClient(), e.otherClient()}
	e.worker(cnt.register)
	for _, c := range clients {
		s, err := durable.NewScheduler(c, durable.OnFire(func(f durable.Fire) { fires <- f }))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add("digest", "@every 1s", "digest", "weekly"); err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
		wg.Go(func() {
			if err := s.Run(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	// Wait until three ticks were handled by all three schedulers.
	byTick := map[int64][]durable.Fire{}
	complete := 0
	for complete < 3 {
		select {
		case f := <-fires:
			if f.Err != nil {
				t.Fatalf("fire %+v", f)
			}
			k := f.Tick.Unix()
			byTick[k] = append(byTick[k], f)
			if len(byTick[k]) == 3 {
				complete++
			}
		case <-e.ctx.Done():
			t.Fatalf("three full ticks never came: %v", byTick)
		}
	}
	for _, s := range scheds {
		s.Stop()
	}
	wg.Wait()
	close(fires)
	for f := range fires {
		byTick[f.Tick.Unix()] = append(byTick[f.Tick.Unix()], f)
	}
	var enqueued []string
	for tick, fs := range byTick {
		n := 0
		for _, f := range fs {
			if f.Enqueued {
				n++
				enqueued = append(enqueued, f.ID)
			}
		}
		if len(fs) == 3 && n != 1 {
			t.Errorf("tick %d: %d of 3 schedulers enqueued, want 1", tick, n)
		}
		if n > 1 {
			t.Errorf("tick %d enqueued %d times", tick, n)
		}
	}
	for _, id := range enqueued {
		e.wait(id, durable.Succeeded)
	}
	cnt.mu.Lock()
	defer cnt.mu.Unlock()
	if len(cnt.runs) != len(enqueued) {
		t.Errorf("%d jobs ran for %d enqueued ticks", len(cnt.runs), len(enqueued))
	}
	for id, n := range cnt.runs {
		if n != 1 || !strings.HasPrefix(id, "cron_digest_") {
			t.Errorf("job %s ran %d times", id, n)
		}
	}
	counts, err := e.inspector().Counts(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts.Queues[durable.DefaultQueue].Succeeded; got != int64(len(enqueued)) {
		t.Errorf("%d succeeded records for %d ticks", got, len(enqueued))
	}
}

func TestATickIsClaimedOnce(t *testing.T) {
	e := newEnv(t)
	var scheds []*durable.Scheduler
	for range 3 {
		s, err := durable.NewScheduler(e.otherClient())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add("nightly report/eu", "0 3 * * *", "digest", "x"); err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	tick := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)
	fire := func(at time.Time) (n int, ids []string) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, s := range scheds {
			wg.Go(func() {
				f, err := s.FireTick(e.ctx, "nightly report/eu", at)
				if err != nil || f.Err != nil {
					t.Errorf("FireTick: %v %v", err, f.Err)
				}
				mu.Lock()
				defer mu.Unlock()
				ids = append(ids, f.ID)
				if f.Enqueued {
					n++
				}
			})
		}
		wg.Wait()
		return n, ids
	}
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{"first", tick, 1},
		{"again", tick, 0},
		{"earlier", tick.Add(-24 * time.Hour), 0},
		{"next", tick.Add(24 * time.Hour), 1},
	}
	for _, tt := range tests {
		n, ids := fire(tt.at)
		if n != tt.want {
			t.Errorf("%s: %d enqueued, want %d", tt.name, n, tt.want)
		}
		if ids[0] != ids[1] || ids[1] != ids[2] {
			t.Errorf("%s: schedulers disagree on the ID: %v", tt.name, ids)
		}
	}
	in := e.inspector()
	counts, err := in.Counts(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if q := counts.Queues[durable.DefaultQueue]; q == nil || q.Queued != 2 {
		t.Fatalf("records after two claimed ticks: %+v, want 2 queued", q)
	}
	entries, err := in.Periodic(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := tick.Add(24 * time.Hour)
	if len(entries) != 1 || entries[0].Entry != "nightly report/eu" || entries[0].Spec != "0 3 * * *" ||
		!entries[0].LastTick.Equal(next) || !strings.HasSuffix(entries[0].LastID, fmt.Sprint(next.Unix())) {
		t.Fatalf("Periodic() = %+v, want the entry at its last tick %v", entries, next)
	}
	if _, err := in.Job(e.ctx, entries[0].LastID); err != nil {
		t.Fatalf("the last tick's job: %v", err)
	}
}

func TestSchedulerRefusesBadEntries(t *testing.T) {
	e := newEnv(t)
	s, err := durable.NewScheduler(e.c)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add("taken", "@hourly", "digest", nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, entry, spec, job string
		opts                   []durable.Option
		also                   error
	}{
		{"bad spec", "e", "* * *", "digest", nil, cron.ErrSyntax},
		{"bad every", "e", "@every soon", "digest", nil, cron.ErrSyntax},
		{"never fires", "e", "0 0 30 2 *", "digest", nil, nil},
		{"empty name", "", "@hourly", "digest", nil, nil},
		{"added twice", "taken", "@hourly", "digest", nil, nil},
		{"empty job", "e", "@hourly", "", nil, nil},
		{"bad option", "e", "@hourly", "digest", []durable.Option{durable.Queue("no spaces")}, nil},
	}
	for _, tt := range tests {
		err := s.Add(tt.entry, tt.spec, tt.job, nil, tt.opts...)
		if !errors.Is(err, durable.ErrInvalid) || (tt.also != nil && !errors.Is(err, tt.also)) {
			t.Errorf("%s: Add = %v, want ErrInvalid (and %v)", tt.name, err, tt.also)
		}
	}
	if !s.Remove("taken") || s.Remove("taken") {
		t.Error("Remove did not report the entry once")
	}
	if _, err := durable.NewScheduler(nil); !errors.Is(err, durable.ErrInvalid) {
		t.Errorf("NewScheduler(nil) = %v", err)
	}
	s.Stop()
	if err := s.Run(context.Background()); !errors.Is(err, durable.ErrShutdown) {
		t.Errorf("Run after Stop = %v, want ErrShutdown", err)
	}
}

func TestEveryTicksAgreeAcrossStartTimes(t *testing.T) {
	s, _ := cron.Parse("@every 5s")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct{ from, want time.Time }{
		{base, base.Add(5 * time.Second)},
		{base.Add(1300 * time.Millisecond), base.Add(5 * time.Second)},
		{base.Add(4999 * time.Millisecond), base.Add(5 * time.Second)},
		{base.Add(5 * time.Second), base.Add(10 * time.Second)},
	}
	for _, tt := range tests {
		if got := durable.NextTick(s, tt.from); !got.Equal(tt.want) {
			t.Errorf("NextTick(@every 5s, %v) = %v, want %v", tt.from, got, tt.want)
		}
	}
}

func ExampleScheduler() {
	client, cleanup := exampleServer()
	defer cleanup()
	p, _ := pool.New(2)
	defer p.Close()
	w, _ := durable.NewWorker(client, p)
	ran := make(chan string, 1)
	durable.Handle(w, "email.digest", func(ctx context.Context, list string) error {
		select {
		case ran <- list:
		default:
		}
		return nil
	})
	go w.Run(context.Background())
	defer w.Shutdown(context.Background())

	// Every process of the service adds the same entry; each tick is
	// enqueued by one of them.
	s, _ := durable.NewScheduler(client)
	if err := s.Add("digest", "@every 1s", "email.digest", "subscribers"); err != nil {
		fmt.Println(err)
		return
	}
	go s.Run(context.Background())
	defer s.Stop()
	fmt.Println("digest sent to", <-ran)

	err := s.Add("typo", "*/5 * * *", "email.digest", "x")
	fmt.Println(errors.Is(err, durable.ErrInvalid), errors.Is(err, cron.ErrSyntax))
	// Output:
	// digest sent to subscribers
	// true true
}
