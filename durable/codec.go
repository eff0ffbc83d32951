package durable

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/threadsystem/threadsystem/pool"
)

// The hot path encodes a Meta (the Ts-Meta header) and a Record for every
// job, and decodes the header of every delivered message. encoding/json
// does that by reflection at a cost comparable to the server's own work per
// job, so these functions append the same bytes json.Marshal gives (fields
// in declaration order, the same omitempty/omitzero rules, HTML-safe
// strings) by hand, and decode the header in one pass. Whatever they do not
// expect (a string needing escapes, a nested Backoff, an unknown key) goes
// through encoding/json, so the stored form stays exactly encoding/json's;
// codec_test.go compares both on a table of values.

// codecFields are the JSON fields (name and Go type, in order) the hand
// encoding writes, Meta's then Record's own.
var codecFields = []string{
	"id string", "name string", "queue string", "priority pool.Priority",
	"max_attempts int", "timeout time.Duration", "deadline time.Time",
	"retention time.Duration", "backoff *durable.BackoffSpec", "unique string",
	"enqueued_at time.Time", "run_at time.Time", "retried int",
	"retried_at time.Time", "read_record bool",
	"state durable.State", "attempts int", "given_back int",
	"errors []durable.AttemptError", "result json.RawMessage",
	"started_at time.Time", "finished_at time.Time", "payload []uint8",
}

// codecOK says the structs have exactly codecFields: a field added to Meta
// or Record without teaching appendMetaFields and appendRecord makes the
// encoders use encoding/json (slower, never wrong) and
// TestCodecKnowsEveryField fail.
var codecOK = func() bool {
	var got []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			got = append(got, name+" "+f.Type.String())
		}
	}
	walk(reflect.TypeFor[Record]())
	return slices.Equal(got, codecFields)
}()

// appendMeta appends m as JSON, as json.Marshal(m) does.
func appendMeta(b []byte, m *Meta) []byte {
	if !codecOK {
		return appendJSON(b, m)
	}
	b = append(b, '{')
	b = appendMetaFields(b, m)
	return append(b, '}')
}

func appendMetaFields(b []byte, m *Meta) []byte {
	b = append(b, `"id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, m.Name)
	b = append(b, `,"queue":`...)
	b = appendString(b, m.Queue)
	b = append(b, `,"priority":`...)
	b = strconv.AppendInt(b, int64(m.Priority), 10)
	b = append(b, `,"max_attempts":`...)
	b = strconv.AppendInt(b, int64(m.MaxAttempts), 10)
	if m.Timeout != 0 {
		b = append(b, `,"timeout":`...)
		b = strconv.AppendInt(b, int64(m.Timeout), 10)
	}
	if !m.Deadline.IsZero() {
		b = append(b, `,"deadline":`...)
		b = appendTime(b, m.Deadline)
	}
	if m.Retention != 0 {
		b = append(b, `,"retention":`...)
		b = strconv.AppendInt(b, int64(m.Retention), 10)
	}
	if m.Backoff != nil {
		b = append(b, `,"backoff":`...)
		b = appendJSON(b, m.Backoff)
	}
	if m.Unique != "" {
		b = append(b, `,"unique":`...)
		b = appendString(b, m.Unique)
	}
	b = append(b, `,"enqueued_at":`...)
	b = appendTime(b, m.EnqueuedAt)
	if !m.RunAt.IsZero() {
		b = append(b, `,"run_at":`...)
		b = appendTime(b, m.RunAt)
	}
	if m.Retried != 0 {
		b = append(b, `,"retried":`...)
		b = strconv.AppendInt(b, int64(m.Retried), 10)
	}
	if !m.RetriedAt.IsZero() {
		b = append(b, `,"retried_at":`...)
		b = appendTime(b, m.RetriedAt)
	}
	if m.ReadRecord {
		b = append(b, `,"read_record":true`...)
	}
	return b
}

// appendRecord appends r as JSON, as json.Marshal(r) does.
func appendRecord(b []byte, r *Record) []byte {
	if !codecOK {
		return appendJSON(b, r)
	}
	b = append(b, '{')
	b = appendMetaFields(b, &r.Meta)
	b = append(b, `,"state":`...)
	b = appendString(b, string(r.State))
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(r.Attempts), 10)
	if r.GivenBack != 0 {
		b = append(b, `,"given_back":`...)
		b = strconv.AppendInt(b, int64(r.GivenBack), 10)
	}
	if len(r.Errors) > 0 {
		b = append(b, `,"errors":`...)
		b = appendJSON(b, r.Errors)
	}
	if len(r.Result) > 0 {
		b = append(b, `,"result":`...)
		b = appendJSON(b, r.Result)
	}
	if !r.StartedAt.IsZero() {
		b = append(b, `,"started_at":`...)
		b = appendTime(b, r.StartedAt)
	}
	if !r.FinishedAt.IsZero() {
		b = append(b, `,"finished_at":`...)
		b = appendTime(b, r.FinishedAt)
	}
	if len(r.Payload) > 0 {
		b = append(b, `,"payload":"`...)
		b = base64.StdEncoding.AppendEncode(b, r.Payload)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendJSON appends v as json.Marshal gives it (the rare fields).
func appendJSON(b []byte, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, data...)
}

// appendString appends s as a JSON string: as is when it needs no escape
// (json.Marshal escapes control characters, '"', '\\', '<', '>', '&' and
// non-ASCII line separators), else through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return appendJSON(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendTime appends t as time.Time's MarshalJSON does.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	out, err := t.AppendText(b)
	if err != nil {
		return appendJSON(b[:len(b)-1], t)
	}
	return append(out, '"')
}

// decodeMeta decodes a Ts-Meta header as json.Unmarshal does.
func decodeMeta(h string, m *Meta) error {
	if !fastMeta(h, m) {
		*m = Meta{}
		return json.Unmarshal([]byte(h), m)
	}
	return nil
}

// fastMeta decodes the form appendMeta writes; false means it met
// something else (m is then partly filled).
func fastMeta(h string, m *Meta) bool {
	i := 0
	if len(h) < 2 || h[0] != '{' || h[len(h)-1] != '}' {
		return false
	}
	i = 1
	if h[i] == '}' {
		return i == len(h)-1
	}
	for {
		key, j, ok := scanString(h, i)
		if !ok || j >= len(h) || h[j] != ':' {
			return false
		}
		i = j + 1
		if i >= len(h) {
			return false
		}
		switch key {
		case "id", "name", "queue", "unique":
			s, j, ok := scanString(h, i)
			if !ok {
				return false
			}
			switch key {
			case "id":
				m.ID = s
			case "name":
				m.Name = s
			case "queue":
				m.Queue = s
			default:
				m.Unique = s
			}
			i = j
		case "priority", "max_attempts", "timeout", "retention":
			j := i
			if j < len(h) && h[j] == '-' {
				j++
			}
			for j < len(h) && h[j] >= '0' && h[j] <= '9' {
				j++
			}
			n, err := strconv.ParseInt(h[i:j], 10, 64)
			if err != nil {
				return false
			}
			switch key {
			case "priority":
				if n < -128 || n > 127 {
					return false
				}
				m.Priority = pool.Priority(n)
			case "max_attempts":
				if n != int64(int(n)) {
					return false
				}
				m.MaxAttempts = int(n)
			case "timeout":
				m.Timeout = time.Duration(n)
			default:
				m.Retention = time.Duration(n)
			}
			i = j
		case "deadline", "enqueued_at", "run_at":
			s, j, ok := scanString(h, i)
			if !ok {
				return false
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return false
			}
			switch key {
			case "deadline":
				m.Deadline = t
			case "enqueued_at":
				m.EnqueuedAt = t
			default:
				m.RunAt = t
			}
			i = j
		case "read_record":
			switch {
			case len(h)-i >= 4 && h[i:i+4] == "true":
				m.ReadRecord, i = true, i+4
			case len(h)-i >= 5 && h[i:i+5] == "false":
				m.ReadRecord, i = false, i+5
			default:
				return false
			}
		default: // backoff, unknown keys, other spellings
			return false
		}
		if i >= len(h) {
			return false
		}
		switch h[i] {
		case ',':
			i++
		case '}':
			return i == len(h)-1
		default:
			return false
		}
	}
}

// scanString reads a JSON string without escapes at h[i:] and returns it
// and the index after it.
func scanString(h string, i int) (string, int, bool) {
	if i >= len(h) || h[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(h); j++ {
		switch c := h[j]; {
		case c == '"':
			return h[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", 0, false
		}
	}
	return "", 0, false
}
