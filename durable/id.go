package durable

import (
	"bytes"
	"strconv"
	"strings"
)

// A generated job ID is "<nonce>-<seq>": a nuid and the stream sequence the
// server gave the job's message. Enqueue learns the sequence from the
// publish acknowledgement, so the message's own Ts-Meta header says
// "<nonce>+" ('+' is never in an ID) and readers complete it with the
// sequence they read the message at. The ID then finds the message by
// itself: a queued job needs no record of its own (one stored write per
// job rather than two, and no server memory per queued job), and a job
// whose record is missing is looked up by a direct get of its sequence,
// whose header must carry the same nonce. The nonce keeps IDs unique
// across a stream that is deleted and made again (its sequences restart).
//
// A delayed job keeps the ID of its first message: when it is due and
// moves to its ready subject, its header is rewritten with the complete
// ID and a queued record is written first, since the ID's sequence then
// names a message that is gone. IDs given with the ID option are stored
// whole in the header and always have a record.

// seqMark ends the header ID of a job whose ID is completed by the stream
// sequence of its message.
const seqMark = '+'

// pendingID is the header form of a generated ID with this nonce.
func pendingID(nonce string) string { return nonce + string(seqMark) }

// isPending reports whether id is a header ID still to be completed.
func isPending(id string) bool { return id != "" && id[len(id)-1] == seqMark }

// completeID returns the ID of a job whose header ID is id and whose
// message is stored at seq: id itself unless it is pending.
func completeID(id string, seq uint64) string {
	if !isPending(id) {
		return id
	}
	return string(strconv.AppendUint(append([]byte(id[:len(id)-1]), '-'), seq, 10))
}

// splitID returns the nonce and stream sequence a generated ID names; ok is
// false for an ID that cannot be a generated one.
func splitID(id string) (nonce string, seq uint64, ok bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 || i == len(id)-1 {
		return "", 0, false
	}
	seq, err := strconv.ParseUint(id[i+1:], 10, 64)
	if err != nil || seq == 0 {
		return "", 0, false
	}
	return id[:i], seq, true
}

// sameJob reports whether a unique key's holder (a complete ID, or the
// pending header ID of a job still being enqueued) is the job id.
func sameJob(holder, id string) bool {
	if holder == id {
		return true
	}
	if !isPending(holder) {
		return false
	}
	nonce, _, ok := splitID(id)
	return ok && nonce == holder[:len(holder)-1]
}

// ackSeq reads the stream sequence from a publish acknowledgement,
// {"stream":"S","seq":N,...}, without decoding the rest.
func ackSeq(ack []byte) (uint64, bool) {
	i := bytes.Index(ack, []byte(`"seq":`))
	if i < 0 {
		return 0, false
	}
	i += len(`"seq":`)
	j := i
	for j < len(ack) && ack[j] >= '0' && ack[j] <= '9' {
		j++
	}
	n, err := strconv.ParseUint(string(ack[i:j]), 10, 64)
	return n, err == nil && n > 0
}
