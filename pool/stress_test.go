package pool_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// The adversarial suite: many submitters on every shape of pool, with
// random priorities, cancels, timeouts, panics, retries, dependencies and
// nested waits, race a Shutdown (expired or live) and Close. After Close,
// every accepted job must have reached exactly one terminal state, and the
// counts must reconcile with nothing queued or running (pool.Check).
//
// The default is short, for go test ./...; STRESS_LONG=1 or -stress.rounds
// runs longer (CI does so under -race). A failure prints the seed and the
// command that replays its choices: the schedule itself is the runtime's,
// so a rerun repeats every submitter's decisions, not the interleaving.
var (
	stressSeed   = flag.Uint64("stress.seed", 0, "TestStress: seed of the first round (0: from the clock)")
	stressRounds = flag.Int("stress.rounds", 0, "TestStress: rounds per pool shape (0: 2, or 60 with STRESS_LONG=1)")
)

// terminalLedger counts terminal events per job ID through the observer.
type terminalLedger struct {
	mu       sync.Mutex
	terminal map[uint64]int
	funcs    atomic.Int64 // terminal events of Go funcs (no ID)
}

func newLedger() *terminalLedger { return &terminalLedger{terminal: make(map[uint64]int)} }

func (l *terminalLedger) Observe(e pool.Event) {
	switch e.Kind {
	case pool.EventSucceeded, pool.EventFailed, pool.EventCancelled, pool.EventSkipped:
	default:
		return
	}
	if e.JobID == 0 {
		l.funcs.Add(1)
		return
	}
	l.mu.Lock()
	l.terminal[e.JobID]++
	l.mu.Unlock()
}

// stressShape is one way to build the pools under test.
type stressShape struct {
	name    string
	workers int
	opts    []pool.Option
	observe bool // with a terminalLedger
	typed   bool // a Typed pool of two keys, one bounded and borrowing
}

var stressShapes = []stressShape{
	{name: "unbounded-1", workers: 1},
	{name: "unbounded-8", workers: 8},
	{name: "block-1-q1", workers: 1, opts: []pool.Option{pool.WithQueueSize(1), pool.WithFullPolicy(pool.Block)}},
	{name: "block-4-q8", workers: 4, opts: []pool.Option{pool.WithQueueSize(8)}},
	{name: "reject-2-q4", workers: 2, opts: []pool.Option{pool.WithQueueSize(4), pool.WithFullPolicy(pool.Reject)}},
	{name: "dropoldest-2-q4", workers: 2, opts: []pool.Option{pool.WithQueueSize(4), pool.WithFullPolicy(pool.DropOldest)}},
	{name: "adaptive-1-6", workers: 1, opts: []pool.Option{pool.WithMinWorkers(1), pool.WithMaxWorkers(6), pool.WithIdleTimeout(50 * time.Microsecond)}},
	{name: "ratelimited-4", workers: 4, opts: []pool.Option{pool.WithRateLimit(200_000, 64)}},
	{name: "observer-4", workers: 4, observe: true},
	{name: "observer-block-1-q2", workers: 1, opts: []pool.Option{pool.WithQueueSize(2)}, observe: true},
	{name: "observer-dropoldest-3-q2", workers: 3, opts: []pool.Option{pool.WithQueueSize(2), pool.WithFullPolicy(pool.DropOldest)}, observe: true},
	{name: "typed", typed: true, observe: true},
}

// TestStress runs stress rounds on every shape.
func TestStress(t *testing.T) {
	rounds, submitters, perSubmitter := 2, 4, 150
	if os.Getenv("STRESS_LONG") != "" {
		rounds, submitters, perSubmitter = 60, 8, 1000
	}
	if *stressRounds > 0 {
		rounds = *stressRounds
	}
	seed := *stressSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	for _, sh := range stressShapes {
		t.Run(sh.name, func(t *testing.T) {
			for r := range rounds {
				s := seed + uint64(r)
				if err := stressRound(sh, s, submitters, perSubmitter); err != nil {
					t.Fatalf("round %d, seed %d: %v\nrerun: go test ./pool -run 'TestStress/%s$' -count=1 -stress.rounds=1 -stress.seed=%d",
						r, s, err, sh.name, s)
				}
			}
		})
	}
}

// stressTarget is what the submitters use: a Pool, or a Typed pool's keys.
type stressTarget struct {
	pools   []*pool.Pool
	ledgers []*terminalLedger // one per pool, or nil
	submit  func(ctx context.Context, key int, fn func(context.Context) error, try bool, opts ...pool.JobOption) (*pool.Job, error)
	goFn    func(fn func()) error // nil: no Go on this shape
	close   func() error
	shut    func(ctx context.Context) error
}

func newStressTarget(sh stressShape) (*stressTarget, error) {
	if sh.typed {
		// Each key is a pool with IDs of its own: each gets its ledger.
		l0, l1 := newLedger(), newLedger()
		tp, err := pool.NewTyped([]pool.Key[int]{
			{Key: 0, Workers: 2, Lend: true, Options: []pool.Option{pool.WithObserver(l0)}},
			{Key: 1, Workers: 1, Options: []pool.Option{pool.WithQueueSize(2), pool.WithObserver(l1)}, Borrow: true},
		})
		if err != nil {
			return nil, err
		}
		p0, _ := tp.Pool(0)
		p1, _ := tp.Pool(1)
		return &stressTarget{
			pools:   []*pool.Pool{p0, p1},
			ledgers: []*terminalLedger{l0, l1},
			submit: func(ctx context.Context, key int, fn func(context.Context) error, try bool, opts ...pool.JobOption) (*pool.Job, error) {
				if try {
					return tp.TrySubmit(ctx, key%2, fn, opts...)
				}
				return tp.Submit(ctx, key%2, fn, opts...)
			},
			close: tp.Close,
			shut:  tp.Shutdown,
		}, nil
	}
	var ledgers []*terminalLedger
	opts := sh.opts
	if sh.observe {
		ledgers = []*terminalLedger{newLedger()}
		opts = append([]pool.Option{pool.WithObserver(ledgers[0])}, opts...)
	}
	p, err := pool.New(sh.workers, opts...)
	if err != nil {
		return nil, err
	}
	return &stressTarget{
		pools:   []*pool.Pool{p},
		ledgers: ledgers,
		submit: func(ctx context.Context, _ int, fn func(context.Context) error, try bool, opts ...pool.JobOption) (*pool.Job, error) {
			if try {
				return p.TrySubmit(ctx, fn, opts...)
			}
			return p.Submit(ctx, fn, opts...)
		},
		goFn:  p.Go,
		close: p.Close,
		shut:  p.Shutdown,
	}, nil
}

// stressRound runs one round and returns what went wrong, if anything.
func stressRound(sh stressShape, seed uint64, submitters, perSubmitter int) error {
	tg, err := newStressTarget(sh)
	if err != nil {
		return err
	}
	// A watchdog, not a synchronisation: a round takes milliseconds, and
	// one that hangs must say which seed hung rather than time the run out.
	watchdog := time.AfterFunc(2*time.Minute, func() {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		fmt.Fprintf(os.Stderr, "stress: shape %s, seed %d hangs\n%s", sh.name, seed, buf)
		os.Exit(2)
	})
	defer watchdog.Stop()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted []*pool.Job
		goOK     atomic.Uint64
		bad      = make(chan error, 1) // the first unexpected error
		total    atomic.Int64
		trigger  = make(chan struct{})
		once     sync.Once
	)
	report := func(err error) {
		select {
		case bad <- err:
		default:
		}
	}
	keep := func(j *pool.Job) {
		mu.Lock()
		accepted = append(accepted, j)
		mu.Unlock()
	}
	// A submit may fail only for these reasons.
	allowed := func(err error) bool {
		return errors.Is(err, pool.ErrClosed) || errors.Is(err, pool.ErrQueueFull) ||
			errors.Is(err, context.Canceled) || errors.Is(err, errStress)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	closeAt := int64(rng.IntN(submitters * perSubmitter))
	mode := rng.IntN(4)

	for s := range submitters {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(s)+1))
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			cancelAt := -1
			if r.IntN(3) == 0 {
				cancelAt = r.IntN(perSubmitter)
			}
			var mine []*pool.Job
			for i := range perSubmitter {
				if total.Add(1) == closeAt {
					once.Do(func() { close(trigger) })
				}
				if i == cancelAt {
					cancel(errStress)
				}
				if tg.goFn != nil && r.IntN(10) == 0 {
					panics := r.IntN(8) == 0
					if err := tg.goFn(func() {
						if panics {
							panic("stress: Go func panics")
						}
					}); err == nil {
						goOK.Add(1)
					} else if !allowed(err) {
						report(fmt.Errorf("Go: %w", err))
					} else if errors.Is(err, pool.ErrClosed) {
						break
					}
					continue
				}
				subCtx := context.Background()
				if r.IntN(2) == 0 {
					subCtx = ctx
				}
				opts := []pool.JobOption{pool.WithPriority(pool.Priorities[r.IntN(len(pool.Priorities))])}
				timed := r.IntN(8) == 0
				if timed {
					opts = append(opts, pool.WithTimeout(time.Duration(1+r.IntN(200))*time.Microsecond))
				}
				retried := r.IntN(8) == 0
				if retried {
					opts = append(opts, pool.WithRetry(retry.Policy{MaxAttempts: 3, InitialDelay: time.Microsecond}))
				}
				if len(mine) > 0 && r.IntN(8) == 0 {
					opts = append(opts, pool.After(mine[r.IntN(len(mine))]))
				}
				fn := stressFunc(r, keep, timed, retried)
				j, err := tg.submit(subCtx, s, fn, r.IntN(6) == 0, opts...)
				if err != nil {
					if !allowed(err) {
						report(fmt.Errorf("Submit: %w", err))
					}
					if errors.Is(err, pool.ErrClosed) {
						break
					}
					continue
				}
				keep(j)
				mine = append(mine, j)
				switch n := r.IntN(20); {
				case n == 0:
					j.Cancel()
				case n == 1:
					mine[r.IntN(len(mine))].Cancel()
				}
			}
		})
	}

	// The closer: once closeAt submits have happened, Shutdown (expired,
	// or live and then cancelled) or Close, racing the submitters.
	var closer sync.WaitGroup
	closer.Go(func() {
		<-trigger
		switch mode {
		case 0: // Shutdown whose time is up already
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			tg.shut(ctx)
		case 1: // Shutdown cancelled while it drains
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				runtime.Gosched()
				cancel()
			}()
			tg.shut(ctx)
			cancel()
		case 2:
			tg.close()
		case 3:
			tg.shut(context.Background())
		}
	})
	// Every round must close even if the submitters ended before closeAt.
	wg.Wait()
	once.Do(func() { close(trigger) })
	closer.Wait()
	tg.close()

	select {
	case err := <-bad:
		return err
	default:
	}
	var errs []error
	funcs := goOK.Load()
	for i, p := range tg.pools {
		f := uint64(0)
		if i == 0 {
			f = funcs // Go funcs go to the first (only) pool
		}
		if err := pool.Check(p, accepted, f); err != nil {
			errs = append(errs, fmt.Errorf("pool %d: %w", i, err))
		}
	}
	for i, l := range tg.ledgers {
		p := tg.pools[i]
		var mine int
		l.mu.Lock()
		for _, j := range accepted {
			if pool.PoolOf(j) != p {
				continue
			}
			mine++
			if n := l.terminal[j.ID()]; n != 1 {
				errs = append(errs, fmt.Errorf("pool %d, job %d: %d terminal events, want 1", i, j.ID(), n))
			}
		}
		if len(l.terminal) != mine {
			errs = append(errs, fmt.Errorf("pool %d: %d jobs had terminal events, %d accepted", i, len(l.terminal), mine))
		}
		l.mu.Unlock()
		if f := uint64(l.funcs.Load()); (i == 0 && f != funcs) || (i > 0 && f != 0) {
			errs = append(errs, fmt.Errorf("pool %d: %d terminal events of Go funcs, %d accepted", i, f, funcs))
		}
	}
	if len(errs) > 5 {
		errs = append(errs[:5], fmt.Errorf("and %d more", len(errs)-5))
	}
	return errors.Join(errs...)
}

// errStress is the cause with which a submitter cancels its context.
var errStress = errors.New("stress: submitter gave up")

// stressFunc picks what a job does: succeed, fail, panic, wait for its
// context (only when a timeout ends it), fail its first attempts (only when
// retried), or fan out to two inner jobs and wait for them.
func stressFunc(r *rand.Rand, keep func(*pool.Job), timed, retried bool) func(context.Context) error {
	switch n := r.IntN(20); {
	case n < 2:
		return func(context.Context) error { return errors.New("stress: job fails") }
	case n < 3:
		return func(context.Context) error { panic("stress: job panics") }
	case n < 6 && timed:
		return func(ctx context.Context) error {
			<-ctx.Done()
			return context.Cause(ctx)
		}
	case n < 8 && retried:
		var attempts atomic.Int32
		return func(context.Context) error {
			if attempts.Add(1) < 3 {
				return errors.New("stress: attempt fails")
			}
			return nil
		}
	case n < 9:
		// Into the job's own pool: a job of one pool blocking on a full
		// other pool whose jobs wait for the first is a cycle no pool can
		// break (a Typed pool's keys included).
		return func(ctx context.Context) error {
			self, _ := pool.JobFromContext(ctx)
			p := pool.PoolOf(self)
			var inner []*pool.Job
			for range 2 {
				j, err := p.Submit(ctx, func(context.Context) error { return nil })
				if err != nil {
					continue // closed, full under Reject, or ctx ended
				}
				keep(j)
				inner = append(inner, j)
			}
			for _, j := range inner {
				j.Wait(ctx)
			}
			return ctx.Err()
		}
	}
	return func(ctx context.Context) error { return ctx.Err() }
}
