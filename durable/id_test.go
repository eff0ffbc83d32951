package durable

import (
	"strconv"
	"strings"
	"testing"
)

func TestGeneratedIDs(t *testing.T) {
	tests := []struct {
		name      string
		header    string
		seq       uint64
		want      string
		generated bool // splitID finds the nonce and seq again
	}{
		{"generated", pendingID("Abc123"), 42, "Abc123-42", true},
		{"first sequence", pendingID("n"), 1, "n-1", true},
		{"largest sequence", pendingID("n"), 1<<64 - 1, "n-18446744073709551615", true},
		{"given ID kept", "order-7", 42, "order-7", true},
		{"given ID without a dash", "order", 42, "order", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := completeID(tt.header, tt.seq)
			if got != tt.want {
				t.Fatalf("completeID(%q, %d) = %q, want %q", tt.header, tt.seq, got, tt.want)
			}
			if isPending(got) {
				t.Errorf("completeID gave a pending ID %q", got)
			}
			nonce, seq, ok := splitID(got)
			if ok != tt.generated {
				t.Fatalf("splitID(%q) ok = %v, want %v", got, ok, tt.generated)
			}
			if ok && isPending(tt.header) && (pendingID(nonce) != tt.header || seq != tt.seq) {
				t.Errorf("splitID(%q) = %q, %d; want the header's nonce and %d", got, nonce, seq, tt.seq)
			}
		})
	}
}

func TestSplitIDRefuses(t *testing.T) {
	for _, id := range []string{"", "-", "-5", "n-", "n-0", "n-x", "n-5x", "n-+5", "n-18446744073709551616"} {
		if n, s, ok := splitID(id); ok && completeID(pendingID(n), s) == id {
			t.Errorf("splitID(%q) = %q, %d, true; want no generated ID", id, n, s)
		}
	}
}

func TestSameJob(t *testing.T) {
	tests := []struct {
		holder, id string
		want       bool
	}{
		{"n-5", "n-5", true},
		{pendingID("n"), "n-5", true},   // a claim made before the ID was known
		{pendingID("n"), "m-5", false},  // another job's claim
		{pendingID("n"), "nn-5", false}, // the nonce must match whole
		{"n-5", "n-6", false},           // lasting claims compare whole IDs
		{"order", "order", true},        // given IDs
		{pendingID("order"), "order", false},
	}
	for _, tt := range tests {
		if got := sameJob(tt.holder, tt.id); got != tt.want {
			t.Errorf("sameJob(%q, %q) = %v, want %v", tt.holder, tt.id, got, tt.want)
		}
	}
}

func TestAckSeq(t *testing.T) {
	tests := []struct {
		ack  string
		want uint64
		ok   bool
	}{
		{`{"stream":"TS_JOBS","seq":17}`, 17, true},
		{`{"stream":"TS_JOBS","domain":"hub","seq":9007199254740993,"duplicate":false}`, 9007199254740993, true},
		{`{"stream":"TS_JOBS"}`, 0, false},
		{`{"stream":"TS_JOBS","seq":0}`, 0, false},
		{`{"stream":"TS_JOBS","seq":}`, 0, false},
	}
	for _, tt := range tests {
		got, ok := ackSeq([]byte(tt.ack))
		if got != tt.want || ok != tt.ok {
			t.Errorf("ackSeq(%s) = %d, %v; want %d, %v", tt.ack, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzGeneratedID checks that every generated ID gives back its nonce and
// sequence, and that splitID never accepts what completeID cannot make.
func FuzzGeneratedID(f *testing.F) {
	f.Add("Abc123", uint64(42), "n-5")
	f.Add("x", uint64(1), "order-07")
	f.Fuzz(func(t *testing.T, nonce string, seq uint64, id string) {
		if nonce != "" && seq > 0 && validToken(nonce, 100, false) {
			got := completeID(pendingID(nonce), seq)
			n, s, ok := splitID(got)
			if !ok || n != nonce || s != seq {
				t.Fatalf("splitID(completeID(%q, %d) = %q) = %q, %d, %v", nonce, seq, got, n, s, ok)
			}
		}
		if n, s, ok := splitID(id); ok {
			if s == 0 || n == "" || !strings.HasPrefix(id, n+"-") || strconv.FormatUint(s, 10) != strings.TrimLeft(id[len(n)+1:], "0") {
				t.Fatalf("splitID(%q) = %q, %d: not the ID's parts", id, n, s)
			}
		}
	})
}
