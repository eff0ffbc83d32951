package durable

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// TestCodecMatchesEncodingJSON checks that the hand encoding of Meta and
// Record gives json.Marshal's bytes and that decodeMeta reads what
// json.Unmarshal reads, on values covering every field and the escapes.
func TestCodecMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 3, 13, 4, 5, 123456789, time.UTC)
	zone := time.FixedZone("x", 5*3600+30*60)
	metas := []Meta{
		{},
		{ID: "abc", Name: "email.send", Queue: "default", MaxAttempts: 3, EnqueuedAt: at},
		{ID: "a1", Name: "n", Queue: "q", Priority: pool.Highest, MaxAttempts: retry.Forever,
			Timeout: time.Second, Deadline: at.Add(time.Hour), Retention: time.Minute,
			Backoff: &BackoffSpec{InitialDelay: time.Millisecond, Multiplier: 1.5, MaxDelay: time.Second, Jitter: 1},
			Unique:  "welcome:42", EnqueuedAt: at.In(zone), RunAt: at.Add(time.Second), Retried: 2, RetriedAt: at, ReadRecord: true},
		{ID: "esc", Name: "a\"b\\c<d>&e\n", Queue: "q", Priority: pool.Lowest, Unique: "ünï\u2028", EnqueuedAt: at.Truncate(time.Second)},
		{ID: "neg", Name: "x", Queue: "q", Priority: -1, MaxAttempts: -1, Timeout: -5, EnqueuedAt: time.Unix(0, 0)},
	}
	for i, m := range metas {
		want, err := json.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendMeta(nil, &m); !bytes.Equal(got, want) {
			t.Errorf("meta %d: appendMeta\n got %s\nwant %s", i, got, want)
		}
		var viaJSON, viaFast Meta
		if err := json.Unmarshal(want, &viaJSON); err != nil {
			t.Fatal(err)
		}
		if err := decodeMeta(string(want), &viaFast); err != nil {
			t.Errorf("meta %d: decodeMeta: %v", i, err)
		}
		if !reflect.DeepEqual(viaFast, viaJSON) {
			t.Errorf("meta %d: decodeMeta\n got %+v\nwant %+v", i, viaFast, viaJSON)
		}
		recs := []Record{
			{Meta: m, State: Queued},
			{Meta: m, State: Running, Attempts: 2, GivenBack: 1, StartedAt: at, Payload: []byte("payload\x00\xff")},
			{Meta: m, State: Dead, Attempts: 3, FinishedAt: at, StartedAt: at,
				Errors: []AttemptError{{Attempt: 1, At: at, Error: "boom <x>", Stack: "s"}, {Attempt: 2, At: at, Error: "e"}}},
			{Meta: m, State: Succeeded, Result: json.RawMessage(` {"a": "<b>", "c": [1, 2]} `), FinishedAt: at},
		}
		for k, r := range recs {
			want, err := json.Marshal(&r)
			if err != nil {
				t.Fatal(err)
			}
			if got := appendRecord(nil, &r); !bytes.Equal(got, want) {
				t.Errorf("meta %d record %d: appendRecord\n got %s\nwant %s", i, k, got, want)
			}
		}
	}
}

// TestCodecKnowsEveryField fails when Meta or Record gained a field that
// the hand encoding does not write (it then falls back to encoding/json):
// add it to appendMetaFields or appendRecord and to codecFields.
func TestCodecKnowsEveryField(t *testing.T) {
	if !codecOK {
		t.Fatal("Meta or Record fields differ from codecFields: teach codec.go the new fields")
	}
}

// TestDecodeMetaBadInput checks that headers the fast path does not take
// give json.Unmarshal's answer.
func TestDecodeMetaBadInput(t *testing.T) {
	for _, h := range []string{
		``, `{`, `{}`, `{"id":}`, `{"id":"a","name":"b"`, `{"ID":"a","Name":"b"}`,
		`{"id":"a","extra":{"x":[1,2]},"name":"b"}`, `{"id":"a\u0041","name":"b"}`,
		`{"priority":999}`, `{"enqueued_at":"yesterday"}`, `{"read_record":1}`,
		`{"id":"a","name":"b"} `, `{"id":"a" ,"name":"b"}`, `null`,
	} {
		var want, got Meta
		wantErr := json.Unmarshal([]byte(h), &want)
		gotErr := decodeMeta(h, &got)
		if (gotErr == nil) != (wantErr == nil) || (wantErr == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("%q: decodeMeta = %+v, %v; json.Unmarshal = %+v, %v", h, got, gotErr, want, wantErr)
		}
	}
}
