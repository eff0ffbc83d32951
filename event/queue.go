package event

import (
	"context"
	"fmt"
)

// state is where a buffered subscription is in its life.
type state int

const (
	stateOpen    state = iota // accepting and delivering
	stateClosing              // delivering what is buffered, then exiting
	stateRemoved              // unsubscribed: buffer discarded
	stateAborted              // Close gave up: buffer discarded
)

// enqueue buffers e, applying the full policy when there is no room.
func (s *sub[E]) enqueue(ctx context.Context, ac *eventCtx, e E) error {
	st := &s.bus.stats
	s.mu.Lock()
	for {
		switch s.state {
		case stateRemoved:
			s.mu.Unlock()
			st.dropped.Add(1)
			return nil
		case stateAborted:
			s.mu.Unlock()
			st.rejected.Add(1)
			return fmt.Errorf("%w (subscriber %s)", ErrClosed, s.name)
		}
		if s.n == len(s.buf) && len(s.buf) < s.capacity {
			s.grow()
		}
		if s.n < len(s.buf) {
			i := s.head + s.n
			if i >= len(s.buf) {
				i -= len(s.buf)
			}
			s.buf[i] = envelope[E]{ctx: ac, e: e}
			s.n++
			if s.once {
				// The one event is in: every delivery goroutine but the
				// one that takes it must see the end and exit, and none
				// is woken later (drain skips a closing subscription),
				// so wake them all now.
				s.state = stateClosing
				s.wakeAllLocked()
			} else if s.idle > 0 {
				s.idle--
				s.wake <- struct{}{}
			} else if s.workers < s.maxWorkers {
				// Every delivery goroutine is busy: start another, up to
				// Concurrent's n, rather than all n at Subscribe.
				s.workers++
				go s.run()
			}
			s.mu.Unlock()
			return nil
		}
		switch s.policy {
		case Drop:
			s.mu.Unlock()
			st.dropped.Add(1)
			return nil
		case Fail:
			s.mu.Unlock()
			st.rejected.Add(1)
			return fmt.Errorf("%w (subscriber %s)", ErrFull, s.name)
		}
		if s.space == nil {
			s.space = make(chan struct{})
		}
		space := s.space
		s.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			st.rejected.Add(1)
			return fmt.Errorf("event: publish to subscriber %s: %w", s.name, ctx.Err())
		}
		s.mu.Lock()
	}
}

// grow doubles the full ring buffer, up to capacity, keeping buffer order.
// A large WithBuffer so costs memory only when that many events wait.
func (s *sub[E]) grow() {
	nb := make([]envelope[E], min(2*len(s.buf), s.capacity))
	k := copy(nb, s.buf[s.head:])
	copy(nb[k:], s.buf[:s.head])
	s.buf, s.head = nb, 0
}

// run is a delivery goroutine: it handles buffered events until the
// subscription stops or drains, then exits. A handler that calls
// runtime.Goexit ends the goroutine, so run starts its replacement.
func (s *sub[E]) run() {
	exited := false
	defer func() {
		if !exited {
			go s.run()
		}
	}()
	for {
		s.mu.Lock()
		for s.n == 0 {
			if s.state != stateOpen {
				s.workers--
				last := s.workers == 0
				s.mu.Unlock()
				exited = true
				if last {
					s.bus.forget(s)
				}
				return
			}
			s.idle++
			s.mu.Unlock()
			<-s.wake
			s.mu.Lock()
		}
		env := s.buf[s.head]
		s.buf[s.head] = envelope[E]{}
		s.head++
		if s.head == len(s.buf) {
			s.head = 0
		}
		s.n--
		s.freeLocked()
		s.mu.Unlock()
		if s.invoke(env.ctx, env.e) {
			s.bus.stats.delivered.Add(1)
		}
	}
}

// freeLocked wakes publishers waiting for room or for a change of state.
func (s *subBase) freeLocked() {
	if s.space != nil {
		close(s.space)
		s.space = nil
	}
}

// wakeAllLocked wakes every idle delivery goroutine and waiting publisher.
func (s *subBase) wakeAllLocked() {
	for ; s.idle > 0; s.idle-- {
		s.wake <- struct{}{}
	}
	s.freeLocked()
}

func (s *sub[E]) drain() {
	s.mu.Lock()
	if s.state == stateOpen {
		s.state = stateClosing
		s.wakeAllLocked()
	}
	s.mu.Unlock()
}

func (s *sub[E]) stop(to state) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stateRemoved || s.state == stateAborted {
		return 0
	}
	n := s.n
	clear(s.buf)
	s.head, s.n = 0, 0
	s.state = to
	s.wakeAllLocked()
	return uint64(n)
}
