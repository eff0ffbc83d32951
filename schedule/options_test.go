package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/threadsystem/threadsystem/cron"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
	"github.com/threadsystem/threadsystem/schedule"
)

func nop(context.Context) error { return nil }

func TestValidation(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		call func(s *schedule.Scheduler) (*schedule.Entry, error)
		want []error
	}{
		{"negative After", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(-1, nop) }, nil},
		{"Every zero", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.Every(0, nop) }, nil},
		{"Every negative", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.Every(-time.Second, nop) }, nil},
		{"bad cron", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.Cron("61 * * * *", nop) }, []error{cron.ErrSyntax}},
		{"nil fn", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(0, nil) }, nil},
		{"nil option", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(0, nop, nil) }, nil},
		{"EndAt before StartAt", func(s *schedule.Scheduler) (*schedule.Entry, error) {
			return s.Every(time.Second, nop, schedule.StartAt(now), schedule.EndAt(now.Add(-1)))
		}, nil},
		{"MaxRuns zero", func(s *schedule.Scheduler) (*schedule.Entry, error) {
			return s.Every(time.Second, nop, schedule.MaxRuns(0))
		}, nil},
		{"negative jitter", func(s *schedule.Scheduler) (*schedule.Entry, error) {
			return s.Every(time.Second, nop, schedule.WithJitter(-1))
		}, nil},
		{"FixedDelay on After", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(0, nop, schedule.FixedDelay) }, nil},
		{"InLocation on Every", func(s *schedule.Scheduler) (*schedule.Entry, error) {
			return s.Every(time.Second, nop, schedule.InLocation(time.UTC))
		}, nil},
		{"nil InLocation", func(s *schedule.Scheduler) (*schedule.Entry, error) {
			return s.Cron("@hourly", nop, schedule.InLocation(nil))
		}, nil},
		{"bad retry policy", func(s *schedule.Scheduler) (*schedule.Entry, error) {
			return s.After(0, nop, schedule.WithRetry(retry.Policy{MaxAttempts: -5}))
		}, []error{retry.ErrInvalidPolicy}},
		{"bad priority", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(0, nop, schedule.WithPriority(9)) }, nil},
		{"bad overlap", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(0, nop, schedule.Overlap(9)) }, nil},
		{"bad misfire", func(s *schedule.Scheduler) (*schedule.Entry, error) { return s.After(0, nop, schedule.Misfire(9)) }, nil},
		{"bad spacing", func(s *schedule.Scheduler) (*schedule.Entry, error) {
			return s.Every(time.Second, nop, schedule.Spacing(9))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, s := setup(t, 1)
				e, err := tt.call(s)
				if e != nil || !errors.Is(err, schedule.ErrInvalid) {
					t.Fatalf("got %v, %v; want nil, ErrInvalid", e, err)
				}
				for _, w := range tt.want {
					if !errors.Is(err, w) {
						t.Errorf("err %v does not match %v", err, w)
					}
				}
				if s.Len() != 0 {
					t.Errorf("Len = %d after a rejected call", s.Len())
				}
			})
		})
	}
}

func TestClosedAndNilPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 1)
		e, _ := s.After(time.Hour, nop)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close = %v", err)
		}
		if !isDone(e) || e.Cancel() {
			t.Error("entry not ended by Close, or Cancel reported stopping it")
		}
		nilSched := schedule.New(nil)
		for name, sc := range map[string]struct {
			s    *schedule.Scheduler
			want error
		}{"closed": {s, schedule.ErrClosed}, "nil pool": {nilSched, schedule.ErrNilPool}} {
			calls := []func() (*schedule.Entry, error){
				func() (*schedule.Entry, error) { return sc.s.After(0, nop) },
				func() (*schedule.Entry, error) { return sc.s.At(time.Now(), nop) },
				func() (*schedule.Entry, error) { return sc.s.Every(time.Second, nop) },
				func() (*schedule.Entry, error) { return sc.s.Cron("@daily", nop) },
			}
			for i, call := range calls {
				if e, err := call(); e != nil || !errors.Is(err, sc.want) {
					t.Errorf("%s: call %d = %v, %v; want %v", name, i, e, err, sc.want)
				}
			}
		}
		if err := nilSched.Close(); !errors.Is(err, schedule.ErrNilPool) {
			t.Errorf("Close on nil pool = %v", err)
		}
	})
}

// TestNilSchedulerIsAnError is issue 16 item 7: a nil *Scheduler is refused
// with an error naming it, not a nil-pointer panic.
func TestNilSchedulerIsAnError(t *testing.T) {
	var s *schedule.Scheduler
	calls := map[string]func() error{
		"After": func() error { _, err := s.After(0, nop); return err },
		"At":    func() error { _, err := s.At(time.Now(), nop); return err },
		"Every": func() error { _, err := s.Every(time.Second, nop); return err },
		"Cron":  func() error { _, err := s.Cron("@daily", nop); return err },
		"Close": s.Close,
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, schedule.ErrInvalid) || !strings.Contains(err.Error(), "nil *Scheduler") {
			t.Errorf("%s on a nil *Scheduler = %v, want ErrInvalid naming it", name, err)
		}
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		policy schedule.Overlap
		want   []time.Duration
		peak   int
	}{
		// Every 1s, each run 2.5s, watched for 10.1s.
		{schedule.SkipIfRunning, secs(1, 4, 7, 10), 1},
		{schedule.QueueOne, secs(1, 3.5, 6, 8.5), 1},
		{schedule.AllowOverlap, secs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("overlap ", tt.policy), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, s := setup(t, 4)
				rec := newRecorder()
				e, err := s.Every(time.Second, rec.fn(2500*time.Millisecond), tt.policy)
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(8200 * time.Millisecond) // 8s: skipped by the run from 7s
				synctest.Wait()
				if tt.policy == schedule.SkipIfRunning && e.Outcome() != schedule.Skipped {
					t.Errorf("Outcome = %v at 8.2s, want skipped", e.Outcome())
				}
				time.Sleep(1900 * time.Millisecond)
				synctest.Wait()
				if got := rec.times(); !slices.Equal(got, tt.want) {
					t.Errorf("runs at %v, want %v", got, tt.want)
				}
				if rec.peak != tt.peak {
					t.Errorf("peak concurrency %d, want %d", rec.peak, tt.peak)
				}
			})
		})
	}
}

func TestJitterStaysWithinBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 2)
		rec := newRecorder()
		const n = 50
		e, _ := s.Every(10*time.Second, rec.fn(0), schedule.WithJitter(3*time.Second), schedule.MaxRuns(n))
		<-e.Done()
		got := rec.times()
		if len(got) != n {
			t.Fatalf("%d runs, want %d", len(got), n)
		}
		offsets := map[time.Duration]bool{}
		for i, at := range got {
			base := time.Duration(i+1) * 10 * time.Second
			if at < base || at >= base+3*time.Second {
				t.Errorf("run %d at %v, want in [%v, %v)", i, at, base, base+3*time.Second)
			}
			offsets[at-base] = true
		}
		if len(offsets) < n/2 {
			t.Errorf("only %d distinct jitters in %d runs", len(offsets), n)
		}
	})
}

func TestBounds(t *testing.T) {
	tests := []struct {
		name string
		add  func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error)
		want []time.Duration
	}{
		{"Every StartAt EndAt", func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Every(2*time.Second, fn, schedule.StartAt(t0.Add(5*time.Second)), schedule.EndAt(t0.Add(11*time.Second)))
		}, secs(5, 7, 9, 11)},
		{"Every StartAt in the past", func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Every(2*time.Second, fn, schedule.StartAt(t0.Add(-time.Hour)), schedule.MaxRuns(2))
		}, secs(2, 4)},
		{"Every MaxRuns", func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Every(time.Second, fn, schedule.MaxRuns(3))
		}, secs(1, 2, 3)},
		{"Cron StartAt inclusive", func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Cron("*/10 * * * * *", fn, schedule.StartAt(t0.Add(30*time.Second)), schedule.MaxRuns(2))
		}, secs(30, 40)},
		{"Cron EndAt", func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.Cron("*/10 * * * * *", fn, schedule.EndAt(t0.Add(35*time.Second)))
		}, secs(10, 20, 30)},
		{"After StartAt", func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.After(time.Second, fn, schedule.StartAt(t0.Add(4*time.Second)))
		}, secs(4)},
		{"EndAt passed", func(s *schedule.Scheduler, t0 time.Time, fn func(context.Context) error) (*schedule.Entry, error) {
			return s.After(time.Second, fn, schedule.EndAt(t0))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, s := setup(t, 2)
				rec := newRecorder()
				e, err := tt.add(s, rec.start, rec.fn(0))
				if err != nil {
					t.Fatal(err)
				}
				<-e.Done()
				if got := rec.times(); !slices.Equal(got, tt.want) {
					t.Errorf("runs at %v, want %v", got, tt.want)
				}
			})
		})
	}
}

func TestFixedRateAndFixedDelay(t *testing.T) {
	tests := []struct {
		spacing schedule.Spacing
		want    []time.Duration
	}{
		{schedule.FixedRate, secs(2, 4, 6, 8)},   // grid, whatever runs take
		{schedule.FixedDelay, secs(2, 5, 8, 11)}, // 2s after each 1s run ends
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			_, s := setup(t, 2)
			rec := newRecorder()
			e, _ := s.Every(2*time.Second, rec.fn(time.Second), tt.spacing, schedule.MaxRuns(4))
			<-e.Done()
			if got := rec.times(); !slices.Equal(got, tt.want) {
				t.Errorf("spacing %d: runs at %v, want %v", tt.spacing, got, tt.want)
			}
		})
	}
}

func TestRetryWaitsInTheSchedulerNotOnAWorker(t *testing.T) {
	boom := errors.New("boom")
	policy := retry.Policy{MaxAttempts: 3, InitialDelay: time.Second, Multiplier: 2}
	tests := []struct {
		name     string
		failures int // attempts that fail before one succeeds
		want     []time.Duration
		outcome  schedule.Outcome
	}{
		{"succeeds on the third", 2, secs(1, 2, 4), schedule.Succeeded},
		{"gives up after MaxAttempts", 5, secs(1, 2, 4), schedule.Failed},
		{"no retry needed", 0, secs(1), schedule.Succeeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, s := setup(t, 2)
				rec := newRecorder()
				attempts := 0
				e, _ := s.After(time.Second, func(ctx context.Context) error {
					rec.fn(0)(ctx)
					attempts++
					if attempts <= tt.failures {
						return boom
					}
					return nil
				}, schedule.WithRetry(policy))
				if tt.failures > 0 {
					time.Sleep(1500 * time.Millisecond)
					synctest.Wait()
					if st := p.Stats(); st.Running != 0 || st.Queued != 0 {
						t.Errorf("during the retry wait: %d running, %d queued; want none", st.Running, st.Queued)
					}
					if e.Outcome() != schedule.Retrying || !errors.Is(e.LastErr(), boom) || isDone(e) {
						t.Errorf("during the wait: Outcome %v LastErr %v done %v", e.Outcome(), e.LastErr(), isDone(e))
					}
				}
				<-e.Done()
				if got := rec.times(); !slices.Equal(got, tt.want) {
					t.Errorf("attempts at %v, want %v", got, tt.want)
				}
				if e.Outcome() != tt.outcome || e.Runs() != 1 {
					t.Errorf("Outcome %v Runs %d; want %v 1", e.Outcome(), e.Runs(), tt.outcome)
				}
			})
		})
	}
}

func TestPoolRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := setup(t, 1, pool.WithQueueSize(1))
		release := make(chan struct{})
		block := func(context.Context) error { <-release; return nil }
		p.Submit(context.Background(), block) // takes the worker
		p.Submit(context.Background(), block) // fills the queue
		rec := newRecorder()
		e, _ := s.Every(time.Second, rec.fn(0))
		time.Sleep(2500 * time.Millisecond)
		synctest.Wait()
		if e.Outcome() != schedule.Rejected || !errors.Is(e.LastErr(), pool.ErrQueueFull) || e.Runs() != 0 {
			t.Errorf("full queue: Outcome %v LastErr %v Runs %d", e.Outcome(), e.LastErr(), e.Runs())
		}
		close(release)
		time.Sleep(time.Second)
		synctest.Wait()
		if got := rec.times(); !slices.Equal(got, secs(3)) {
			t.Errorf("after the queue drained: runs at %v, want [3s]", got)
		}
		p.Close()
		time.Sleep(time.Second)
		<-e.Done()
		if e.Outcome() != schedule.Rejected || !errors.Is(e.LastErr(), pool.ErrClosed) {
			t.Errorf("closed pool: Outcome %v LastErr %v", e.Outcome(), e.LastErr())
		}
	})
}

// TestDroppedJobEndsTheEntry checks that a run the pool evicts before it
// starts (so the function that reports back never runs) is noticed.
func TestDroppedJobEndsTheEntry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := setup(t, 1, pool.WithQueueSize(1), pool.WithFullPolicy(pool.DropOldest))
		release := make(chan struct{})
		p.Submit(context.Background(), func(context.Context) error { <-release; return nil })
		e, _ := s.After(0, nop, schedule.WithPriority(pool.Low))
		synctest.Wait()
		p.Submit(context.Background(), nop, pool.WithPriority(pool.High)) // evicts the entry's job
		close(release)
		<-e.Done()
		if e.Outcome() != schedule.Cancelled || !errors.Is(e.LastErr(), pool.ErrDropped) {
			t.Errorf("Outcome %v LastErr %v; want cancelled, ErrDropped", e.Outcome(), e.LastErr())
		}
	})
}

func TestPanicIsRecordedAndReachesThePool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := setup(t, 1)
		e, _ := s.After(0, func(context.Context) error { panic("oops") })
		<-e.Done()
		var pe *schedule.PanicError
		if e.Outcome() != schedule.Failed || !errors.As(e.LastErr(), &pe) || pe.Value != "oops" {
			t.Errorf("Outcome %v LastErr %v", e.Outcome(), e.LastErr())
		}
		p.Wait(context.Background()) // the entry learns of the run before the pool counts it
		if st := p.Stats(); st.Panicked != 1 {
			t.Errorf("pool counted %d panics, want 1", st.Panicked)
		}
	})
}

func TestCloseStopsFiringAndKeepsRunsGoing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := setup(t, 2)
		rec := newRecorder()
		e1, _ := s.Every(time.Second, rec.fn(5*time.Second))
		e2, _ := s.Cron("* * * * * *", rec.fn(0))
		time.Sleep(1500 * time.Millisecond)
		s.Close()
		if !isDone(e1) || !isDone(e2) {
			t.Error("Done not closed by Close")
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := rec.times(); len(got) != 2 {
			t.Errorf("runs at %v, want two at 1s", got)
		}
		if e1.Outcome() != schedule.Succeeded {
			t.Errorf("run in progress at Close: Outcome %v, want succeeded", e1.Outcome())
		}
	})
}

// TestEntryEndsWhenThePoolEndsEveryRun is issue 16 item 6: an entry with
// several runs in flight (AllowOverlap) ended only when the latest of them
// settled, so when the pool dropped or cancelled the others its Done never
// closed, though it could not fire again and no run of it was left.
func TestEntryEndsWhenThePoolEndsEveryRun(t *testing.T) {
	tests := []struct {
		name  string
		popts []pool.Option
		// end frees the busy worker once the three runs are in the pool.
		end func(p *pool.Pool, release chan struct{})
	}{
		{
			name:  "DropOldest evicts two runs",
			popts: []pool.Option{pool.WithQueueSize(1), pool.WithFullPolicy(pool.DropOldest)},
			end:   func(_ *pool.Pool, release chan struct{}) { close(release) },
		},
		{
			name: "expired Shutdown cancels all three",
			end: func(p *pool.Pool, _ chan struct{}) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				p.Shutdown(ctx)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, s := setup(t, 1, tt.popts...)
				release := make(chan struct{})
				p.Submit(context.Background(), func(ctx context.Context) error {
					select {
					case <-release:
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				})
				e, err := s.Every(time.Second, nop, schedule.AllowOverlap, schedule.MaxRuns(3))
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(3500 * time.Millisecond) // firings at 1s, 2s and 3s
				synctest.Wait()
				if e.Runs() != 3 {
					t.Fatalf("Runs() = %d before the pool ended them, want 3", e.Runs())
				}
				tt.end(p, release)
				select {
				case <-e.Done():
				case <-time.After(time.Hour):
					t.Fatalf("Done not closed an hour after the pool ended every run (outcome %v, err %v)",
						e.Outcome(), e.LastErr())
				}
				if s.Len() != 0 || !e.Next().IsZero() {
					t.Errorf("after Done: Len() = %d, Next() = %v; want 0 and the zero time", s.Len(), e.Next())
				}
			})
		})
	}
}
