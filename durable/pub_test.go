package durable

import (
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// TestAckError checks how the publisher reads publish acknowledgements.
func TestAckError(t *testing.T) {
	for _, c := range []struct {
		data string
		want error // nil, jetstream.ErrInvalidJSAck or an *APIError
		code jetstream.ErrorCode
	}{
		{data: `{"stream":"KV_TS_JOBS_records","seq":12}`},
		{data: `{"stream":"TS_JOBS","seq":3,"duplicate":true}`},
		{data: `{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 3"},"stream":"x","seq":0}`, code: jetstream.JSErrCodeStreamWrongLastSequence},
		{data: ``, want: jetstream.ErrInvalidJSAck},
		{data: `nope`, want: jetstream.ErrInvalidJSAck},
		{data: `{"seq":1}`, want: jetstream.ErrInvalidJSAck},
		{data: `{"error":null}`, want: jetstream.ErrInvalidJSAck},
	} {
		err := ackError([]byte(c.data))
		var apiErr *jetstream.APIError
		switch {
		case c.code != 0:
			if !errors.As(err, &apiErr) || apiErr.ErrorCode != c.code {
				t.Errorf("%s: %v, want API error %d", c.data, err, c.code)
			}
		case !errors.Is(err, c.want) && err != c.want:
			t.Errorf("%s: %v, want %v", c.data, err, c.want)
		}
	}
}

// TestPubAckFuture checks *pubAck as a jetstream.PubAckFuture, asked
// before and after its outcome.
func TestPubAckFuture(t *testing.T) {
	ack := []byte(`{"stream":"S","seq":7}`)
	boom := errors.New("boom")
	for _, c := range []struct {
		name   string
		before bool
		err    error
	}{
		{"ok asked before", true, nil},
		{"ok asked after", false, nil},
		{"error asked before", true, boom},
		{"error asked after", false, boom},
	} {
		a := &pubAck{done: make(chan struct{})}
		var ok <-chan *jetstream.PubAck
		var errc <-chan error
		if c.before {
			ok, errc = a.Ok(), a.Err()
		}
		a.finish(c.err, ack)
		if !c.before {
			ok, errc = a.Ok(), a.Err()
		}
		if got := wait(t.Context(), a); got != c.err {
			t.Errorf("%s: wait = %v, want %v", c.name, got, c.err)
		}
		if c.err == nil {
			if pa := <-ok; pa.Stream != "S" || pa.Sequence != 7 {
				t.Errorf("%s: Ok gave %+v", c.name, pa)
			}
		} else if got := <-errc; got != c.err {
			t.Errorf("%s: Err gave %v", c.name, got)
		}
	}
}
