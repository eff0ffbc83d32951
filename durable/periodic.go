package durable

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/cron"
)

// Scheduler enqueues durable jobs on cron schedules (package cron's
// dialect: five or six fields, descriptors such as @daily, "@every 5m",
// CRON_TZ=). Each tick of an entry is enqueued once across every process
// whose Scheduler has an entry of the same name: the first process to
// claim the tick in the "<prefix>_periodic" bucket (one key per entry,
// holding the last tick claimed, changed with compare-and-set) enqueues
// the job; the others see the tick taken and do nothing. So three copies
// of a service, each running a Scheduler with the same entries, send one
// digest per tick, not three. Processes should agree on an entry's spec:
// each fires the ticks of its own.
//
// The job of a tick has the ID "cron_<entry>_<tick, Unix seconds>" (an
// entry name that is not 1-64 of A-Z a-z 0-9 _ - is replaced by a hash),
// and Enqueue makes no second job with an ID whose record is retained, a
// second guard behind the claim. A tick is fired at most once: a
// process that dies between claiming a tick and storing its job (one round
// trip) loses that tick. Ticks missed while no Scheduler runs are not
// fired later. "@every" ticks fall on multiples of the interval since the
// Unix epoch, so that processes started at different times agree on them.
//
// Make one with NewScheduler, Add entries (before or while it runs), then
// Run it; Stop or the end of Run's context stops it. Its methods are safe
// for concurrent use. A zero Scheduler is not usable.
type Scheduler struct {
	c      *Client
	kv     jetstream.KeyValue
	onFire func(Fire)

	mu      sync.Mutex
	entries map[string]*periodicEntry
	running bool

	wake     chan struct{}
	stopCh   chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

type periodicEntry struct {
	name    string
	key     string // KV key and ID part
	spec    string
	sched   cron.Schedule
	job     string
	payload any
	opts    []Option
	next    time.Time
}

// Fire is what one Scheduler did at one tick of an entry, passed to the
// OnFire hook.
type Fire struct {
	Entry string
	Tick  time.Time
	// ID is the tick's job ID; Enqueued reports whether this process
	// claimed the tick and enqueued the job (false: another process had
	// claimed it, or Err).
	ID       string
	Enqueued bool
	Err      error
}

// SchedulerOption configures NewScheduler. A bad value makes it return an
// error wrapping [ErrInvalid].
type SchedulerOption interface{ applyScheduler(*Scheduler) error }

// schedOpt adapts a func to SchedulerOption.
type schedOpt func(*Scheduler) error

func (f schedOpt) applyScheduler(s *Scheduler) error { return f(s) }

// OnFire calls f after each tick this Scheduler handled, from its Run
// goroutine, one call at a time: f must not block for long.
func OnFire(f func(Fire)) SchedulerOption {
	return schedOpt(func(s *Scheduler) error {
		if f == nil {
			return fmt.Errorf("%w: nil OnFire func", ErrInvalid)
		}
		s.onFire = f
		return nil
	})
}

// NewScheduler returns a scheduler enqueueing on client's deployment. It
// creates the "<prefix>_periodic" bucket if needed (one round trip).
func NewScheduler(client *Client, opts ...SchedulerOption) (*Scheduler, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalid)
	}
	if client.isClosed() {
		return nil, ErrClosed
	}
	s := &Scheduler{c: client, entries: map[string]*periodicEntry{},
		wake: make(chan struct{}, 1), stopCh: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		if err := o.applyScheduler(s); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kv, err := client.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: client.cfg.prefix + "_periodic", Description: "threadsystem durable periodic ticks",
		Storage: jetstream.FileStorage, Replicas: client.cfg.replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("durable: create periodic bucket %s_periodic: %w", client.cfg.prefix, err)
	}
	s.kv = kv
	return s, nil
}

// Add registers the entry name: on each tick of spec it enqueues a job
// running the handler job with payload and opts, as Client.Enqueue would
// (an ID option is overridden by the tick's ID). It checks everything
// first: an empty name, a name already added, a spec that does not parse
// (the error wraps both ErrInvalid and cron.ErrSyntax), a schedule that
// never fires, or a job that Enqueue would refuse give an error wrapping
// [ErrInvalid], and nothing is added. Adding while the scheduler runs takes
// effect at once; the first tick is the first one after Add.
func (s *Scheduler) Add(name, spec, job string, payload any, opts ...Option) error {
	if name == "" || len(name) > 256 {
		return fmt.Errorf("%w: periodic entry name of %d bytes (1-256)", ErrInvalid, len(name))
	}
	sched, err := cron.Parse(spec)
	if err != nil {
		return fmt.Errorf("%w: periodic entry %q: %w", ErrInvalid, name, err)
	}
	e := &periodicEntry{name: name, key: entryKey(name), spec: spec, sched: sched, job: job, payload: payload,
		opts: append(append([]Option(nil), opts...), ID("cron_x_0"))}
	if _, _, _, err := s.c.prepare(Job{Name: job, Payload: payload, Options: e.opts}, time.Now()); err != nil {
		return fmt.Errorf("periodic entry %q: %w", name, err)
	}
	e.opts = e.opts[:len(e.opts)-1]
	e.next = nextTick(sched, time.Now())
	if e.next.IsZero() {
		return fmt.Errorf("%w: periodic entry %q: spec %q never fires", ErrInvalid, name, spec)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[name]; ok {
		return fmt.Errorf("%w: periodic entry %q added twice", ErrInvalid, name)
	}
	s.entries[name] = e
	s.poke()
	return nil
}

// Remove deletes the entry name from this scheduler and reports whether it
// was there. A tick being fired as Remove is called may still be fired;
// none after. Other processes' entries of the name go on.
func (s *Scheduler) Remove(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.entries[name]
	delete(s.entries, name)
	s.poke()
	return ok
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run fires the entries' ticks until ctx ends or Stop is called, then
// returns nil; it returns [ErrRunning] if the scheduler is already running
// and [ErrShutdown] after Stop. It holds one timer, whatever the number of
// entries, and fires due ticks one at a time (each a few round trips).
func (s *Scheduler) Run(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: nil context", ErrInvalid)
	}
	s.mu.Lock()
	select {
	case <-s.stopCh:
		s.mu.Unlock()
		return ErrShutdown
	default:
	}
	if s.running {
		s.mu.Unlock()
		return ErrRunning
	}
	s.running = true
	s.mu.Unlock()
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := time.Now()
		var due []*periodicEntry
		var next time.Time
		s.mu.Lock()
		for _, e := range s.entries {
			if e.next.IsZero() {
				continue // its schedule has ended
			}
			if !e.next.After(now) {
				due = append(due, e)
				continue
			}
			if next.IsZero() || e.next.Before(next) {
				next = e.next
			}
		}
		s.mu.Unlock()
		for _, e := range due {
			tick := e.next
			s.mu.Lock()
			e.next = nextTick(e.sched, now)
			live := s.entries[e.name] == e
			s.mu.Unlock()
			if live {
				s.report(s.fire(ctx, e, tick))
			}
		}
		if len(due) > 0 {
			continue
		}
		var tc <-chan time.Time
		if !next.IsZero() {
			timer.Reset(time.Until(next))
			tc = timer.C
		}
		select {
		case <-tc:
		case <-s.wake:
		case <-ctx.Done():
			return nil
		case <-s.stopCh:
			return nil
		}
	}
}

// Stop ends Run and waits for it to return (a tick being fired finishes
// first). The scheduler cannot run again. Repeat calls are no-ops that
// wait likewise; Stop before Run returns at once.
func (s *Scheduler) Stop() {
	s.stopOnce.Do(func() { close(s.stopCh) })
	s.mu.Lock()
	running := s.running
	s.mu.Unlock()
	if running {
		<-s.done
	}
}

func (s *Scheduler) report(f Fire) {
	if s.onFire != nil {
		s.onFire(f)
	}
}

// fire claims the entry's tick and enqueues its job if the claim is ours.
func (s *Scheduler) fire(ctx context.Context, e *periodicEntry, tick time.Time) Fire {
	f := Fire{Entry: e.name, Tick: tick, ID: "cron_" + e.key + "_" + strconv.FormatInt(tick.Unix(), 10)}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	won, err := s.claim(ctx, e, tick, f.ID)
	if err != nil || !won {
		f.Err = err
		return f
	}
	opts := append(append([]Option(nil), e.opts...), ID(f.ID))
	id, err := s.c.Enqueue(ctx, e.job, e.payload, opts...)
	if errors.Is(err, ErrDuplicate) && id == f.ID {
		return f // the tick's job exists already
	}
	f.Err, f.Enqueued = err, err == nil
	return f
}

// tickClaim is the value of an entry's key in the periodic bucket.
type tickClaim struct {
	Entry string    `json:"entry"`
	Spec  string    `json:"spec"`
	Tick  time.Time `json:"tick"`
	ID    string    `json:"id"`
}

// claim moves the entry's last claimed tick to tick, reporting whether this
// call did (false: the tick or a later one was claimed already).
func (s *Scheduler) claim(ctx context.Context, e *periodicEntry, tick time.Time, id string) (bool, error) {
	val, _ := json.Marshal(tickClaim{Entry: e.name, Spec: e.spec, Tick: tick, ID: id})
	for range 5 {
		cur, err := s.kv.Get(ctx, e.key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			_, err = s.kv.Create(ctx, e.key, val)
		case err != nil:
			return false, fmt.Errorf("durable: read periodic entry %q: %w", e.name, err)
		default:
			var last tickClaim
			if json.Unmarshal(cur.Value(), &last) == nil && !last.Tick.Before(tick) {
				return false, nil
			}
			_, err = s.kv.Update(ctx, e.key, val, cur.Revision())
		}
		if err == nil {
			return true, nil
		}
		if conflict(err) {
			continue // another process wrote first: look again
		}
		return false, fmt.Errorf("durable: claim tick of periodic entry %q: %w", e.name, err)
	}
	return false, fmt.Errorf("durable: claim tick of periodic entry %q: contended", e.name)
}

// entryKey is the entry's KV key and ID part.
func entryKey(name string) string {
	if validToken(name, 64, false) {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return "h" + base64.RawURLEncoding.EncodeToString(sum[:18])
}

// nextTick is the schedule's first tick after t; "@every" ticks are
// multiples of the interval since the Unix epoch.
func nextTick(sched cron.Schedule, t time.Time) time.Time {
	if ev, ok := sched.(cron.Every); ok {
		iv := int64(ev.Interval())
		return time.Unix(0, (t.UnixNano()/iv+1)*iv).In(t.Location())
	}
	return sched.Next(t)
}

// PeriodicEntry is one periodic entry as the periodic bucket stores it: the
// last tick claimed by any process, and that tick's job.
type PeriodicEntry struct {
	Entry    string
	Spec     string    // as the claiming process had it
	LastTick time.Time // the last tick claimed
	LastID   string    // the ID of its job (Inspector.Job reads it)
}

// Periodic returns every entry whose tick some Scheduler of the deployment
// has claimed, sorted by name, from one read of the periodic bucket
// (O(entries)). An entry appears after its first tick.
func (in *Inspector) Periodic(ctx context.Context) ([]PeriodicEntry, error) {
	if err := in.check(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	kv, err := in.c.js.KeyValue(ctx, in.c.cfg.prefix+"_periodic")
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("durable: open periodic bucket: %w", err)
	}
	kw, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("durable: read periodic bucket: %w", err)
	}
	defer kw.Stop()
	var out []PeriodicEntry
	for {
		select {
		case e, ok := <-kw.Updates():
			if !ok || e == nil {
				slices.SortFunc(out, func(a, b PeriodicEntry) int { return strings.Compare(a.Entry, b.Entry) })
				return out, nil
			}
			var tc tickClaim
			if json.Unmarshal(e.Value(), &tc) == nil {
				out = append(out, PeriodicEntry{Entry: tc.Entry, Spec: tc.Spec, LastTick: tc.Tick, LastID: tc.ID})
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("durable: read periodic bucket: %w", context.Cause(ctx))
		}
	}
}
