package durable

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A queue's Rate holds across the cluster: its token bucket lives in the
// rates bucket (key = queue name, value = rateState), and a worker takes
// tokens from it by compare-and-set, a chunk of up to a twentieth of a
// second's worth at a time, keeping what it took but did not use for its
// next fetch. So the starts of all workers together keep to Rate, give or
// take one chunk per worker, and a worker pays two round trips per chunk.
// The bucket refills by the clock of the worker that takes from it, so
// hosts' clocks should agree to well within a second.

// rateState is a queue's shared token bucket.
type rateState struct {
	Tokens float64   `json:"tokens"`
	At     time.Time `json:"at"` // when Tokens was counted
}

// rateChunk is the share of a second's tokens a worker takes at once.
const rateChunk = 0.05

// take grants up to n starts from q under its rate, taking tokens from the
// queue's shared bucket when its own run out, and returns how many; when it
// grants none, how long until a token is likely.
func (w *Worker) take(q *queue, n int, now time.Time) (int, time.Duration) {
	q.mu.Lock()
	conf := q.conf
	if conf.Paused {
		q.mu.Unlock()
		return 0, 0
	}
	if conf.Rate <= 0 {
		q.mu.Unlock()
		return n, 0
	}
	if q.tokens < 1 {
		// Pay a debt (jobs a long poll brought unasked) with the chunk.
		want := int(math.Ceil(1-q.tokens)) + min(n, max(1, int(conf.Rate*rateChunk))) - 1
		q.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		got, wait, err := w.c.takeTokens(ctx, q.name, conf, want, now)
		cancel()
		if err != nil {
			return 0, 100 * time.Millisecond // the bucket is unreachable: try again soon
		}
		q.mu.Lock()
		q.tokens += float64(got)
		if q.tokens < 1 {
			q.mu.Unlock()
			return 0, max(wait, time.Millisecond)
		}
	}
	got := min(n, int(q.tokens))
	q.tokens -= float64(got)
	q.mu.Unlock()
	return got, 0
}

// takeTokens takes up to want tokens from the queue's shared bucket and
// returns how many; with none, how long until the bucket has one.
func (c *Client) takeTokens(ctx context.Context, queue string, conf QueueConfig, want int, now time.Time) (int, time.Duration, error) {
	burst := float64(max(1, conf.Burst))
	for range 5 {
		st := rateState{Tokens: burst, At: now}
		var rev uint64
		e, err := c.rates.Get(ctx, queue)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return 0, 0, err
		default:
			rev = e.Revision()
			if json.Unmarshal(e.Value(), &st) != nil {
				st = rateState{Tokens: burst, At: now}
			}
			if now.After(st.At) {
				st.Tokens += now.Sub(st.At).Seconds() * conf.Rate
				st.At = now
			}
			st.Tokens = min(st.Tokens, burst)
		}
		got := min(want, int(st.Tokens))
		if got <= 0 {
			return 0, time.Duration((1 - st.Tokens) / conf.Rate * float64(time.Second)), nil
		}
		st.Tokens -= float64(got)
		data, _ := json.Marshal(st)
		if rev == 0 {
			_, err = c.rates.Create(ctx, queue, data)
		} else {
			_, err = c.rates.Update(ctx, queue, data, rev)
		}
		if err == nil {
			return got, 0, nil
		}
		if !conflict(err) {
			return 0, 0, err
		}
	}
	return 0, time.Millisecond, nil // contended: another worker took them
}
