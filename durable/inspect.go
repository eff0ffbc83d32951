package durable

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Inspector reads and controls what a deployment stores: its queues, their
// counts and controls, and its jobs' records. It reads only JetStream (the
// jobs stream, its consumers and the buckets of the storage layout), never
// a worker's memory, so any process on the cluster sees the same answers;
// the CLI and the dashboard are built on it. Make one with NewInspector.
// Its methods are safe for concurrent use by many goroutines and each waits
// for the round trips it makes. Every answer is a snapshot: counts read
// from several places (the stream, its consumers, the records) are not
// atomic across queues or even within one, so a job moving meanwhile may be
// counted twice or not at all.
//
// What each call costs, with n the jobs and records stored:
//
//   - Queues: O(queues). Stream info with per-subject counts, one consumer
//     listing and the queues bucket; it reads no record.
//   - Job: one record read; for a queued or scheduled job that has no
//     record, a direct get of its message and a second record read.
//   - Jobs: one page. The message-backed states (scheduled, queued,
//     running, retrying) are read from the jobs stream with batched direct
//     gets, plus one batched read of their records: O(page) plus the jobs
//     of other states skipped. The record-backed ones (succeeded, dead,
//     cancelled) are read from the records bucket through an ephemeral
//     consumer: O(records scanned), at most [ScanBudget] per call
//     (JobQuery.Budget).
//   - Counts: Queues' round trips for the queued and scheduled counts,
//     then a scan of every record through an ephemeral consumer: O(records),
//     and queued jobs have none; Throughput: O(records written in its
//     window).
//   - Retry, Delete, Pause, Resume, SetQueueConfig: a few round trips;
//     RetryDead, DeleteDead and Purge scan as Counts does (Purge: only the
//     queue's messages).
//
// Measured on a 2-core machine with 1,000,000 jobs queued in one queue
// (BenchmarkInspect -inspect.jobs=1000000, embedded server, in-process
// connection; 1% of them cancelled): Queues 2.7ms, Job 0.8ms, a page of 50
// queued jobs 4.7ms at the start and 7.7ms halfway, a page of cancelled
// jobs 1.8ms, Counts 0.24s (the 10,000 cancelled records; queued jobs have
// none). Records are read at about 32,000 a second, so Counts costs a
// second per 32,000 retained records: a dashboard polls Queues, pages with
// Jobs, and calls Counts less often.
type Inspector struct {
	c *Client
}

// NewInspector returns an inspector of client's deployment (its Prefix).
// It makes no round trip. It fails with [ErrInvalid] for a nil client and
// [ErrClosed] for a closed one; after the client is closed, every method
// returns ErrClosed.
func NewInspector(client *Client) (*Inspector, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalid)
	}
	if client.isClosed() {
		return nil, ErrClosed
	}
	return &Inspector{c: client}, nil
}

// ScanBudget is the most messages or records one Jobs call reads: a page
// of a rare state may come back short (even empty) with a Next cursor, so
// that one call stays bounded at a million records.
const ScanBudget = 20000

// QueueInfo is one queue as the stream, its consumers and the queues bucket
// show it. The counts come from stream and consumer info, not from records.
type QueueInfo struct {
	Name string
	// Config is the queue's controls as stored (the zero value when none).
	Config QueueConfig
	// Queued counts ready jobs not handed to a worker yet.
	Queued int64
	// InFlight counts jobs handed to a worker and not acknowledged: running,
	// waiting for a pool worker, or waiting for their retry backoff
	// (Counts tells running from retrying).
	InFlight int64
	// Scheduled counts delayed jobs not due yet.
	Scheduled int64
	// Waiting counts the pull requests workers have open on the queue's
	// consumers: zero means no worker is fetching right now.
	Waiting int
	// Consumers reports whether workers have created the queue's consumers.
	Consumers bool
}

// Queues returns every queue that has stored jobs, consumers or controls,
// sorted by name. It costs three round trips and more only with many
// queues (consumer listing pages of 256); it reads no record.
func (in *Inspector) Queues(ctx context.Context) ([]QueueInfo, error) {
	if err := in.check(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	c := in.c
	byName := map[string]*QueueInfo{}
	get := func(name string) *QueueInfo {
		q := byName[name]
		if q == nil {
			q = &QueueInfo{Name: name}
			byName[name] = q
		}
		return q
	}
	s, err := c.js.Stream(ctx, c.stream)
	if err != nil {
		return nil, fmt.Errorf("durable: stream %s: %w", c.stream, err)
	}
	si, err := s.Info(ctx, jetstream.WithSubjectFilter(c.stream+".>"))
	if err != nil {
		return nil, fmt.Errorf("durable: stream %s info: %w", c.stream, err)
	}
	ready := map[string]int64{}
	for subj, n := range si.State.Subjects {
		name, delayed, ok := c.queueOf(subj)
		if !ok {
			continue
		}
		q := get(name)
		if delayed {
			q.Scheduled += int64(n)
		} else {
			ready[name] += int64(n)
		}
	}
	lister := s.ListConsumers(ctx)
	for ci := range lister.Info() {
		name, delayed, ok := c.queueOf(ci.Config.FilterSubject)
		if !ok {
			continue
		}
		q := get(name)
		q.Consumers = true
		q.Waiting += ci.NumWaiting
		if !delayed {
			q.InFlight += int64(ci.NumAckPending)
		}
	}
	if err := lister.Err(); err != nil {
		return nil, fmt.Errorf("durable: list consumers of %s: %w", c.stream, err)
	}
	confs, err := in.configs(ctx)
	if err != nil {
		return nil, err
	}
	for name, conf := range confs {
		get(name).Config = conf
	}
	out := make([]QueueInfo, 0, len(byName))
	for name, q := range byName {
		q.Queued = max(0, ready[name]-q.InFlight)
		q.InFlight = min(q.InFlight, ready[name])
		out = append(out, *q)
	}
	slices.SortFunc(out, func(a, b QueueInfo) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// queueOf parses a jobs stream subject (or consumer filter) into its queue.
func (c *Client) queueOf(subj string) (name string, delayed, ok bool) {
	if rest, found := strings.CutPrefix(subj, c.stream+".q."); found {
		i := strings.LastIndexByte(rest, '.')
		if i <= 0 {
			return "", false, false
		}
		return rest[:i], false, true
	}
	if rest, found := strings.CutPrefix(subj, c.stream+".delayed."); found && rest != "" {
		return rest, true, true
	}
	return "", false, false
}

// configs reads every queue's controls with one watch of the bucket.
func (in *Inspector) configs(ctx context.Context) (map[string]QueueConfig, error) {
	kw, err := in.c.queues.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("durable: read queue controls: %w", err)
	}
	defer kw.Stop()
	out := map[string]QueueConfig{}
	for {
		select {
		case e, ok := <-kw.Updates():
			if !ok || e == nil {
				return out, nil
			}
			var qc QueueConfig
			if json.Unmarshal(e.Value(), &qc) == nil {
				out[e.Key()] = qc
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("durable: read queue controls: %w", context.Cause(ctx))
		}
	}
}

// Job returns the record of the job with the given ID: its state, attempts,
// errors with their times and result. A queued or scheduled job that has
// no record yet (see the package doc, Storage layout) is read from its
// message, with its payload; a record carries the payload once a worker
// has run the job and until it succeeds. It costs one record read, and for
// a job without a record a direct get of its message and a second record
// read. It returns an error wrapping [ErrNotFound] when neither a record
// nor a message has the ID (never enqueued, deleted, or past its
// retention) and [ErrInvalid] for an ID that cannot be one. A job that has
// run for less than [RunningAfter] still reads queued.
func (in *Inspector) Job(ctx context.Context, id string) (*Record, error) {
	if err := in.check(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	r, _, err := in.c.lookup(ctx, id)
	return r, err
}

// JobQuery selects a page of Jobs: the jobs of Queue in State, from Cursor
// ("" for the first page), at most Limit of them (0 means 50; at most
// 1000), reading at most Budget messages or records (0 means
// [ScanBudget]; at least Limit).
type JobQuery struct {
	Queue  string
	State  State
	Cursor string
	Limit  int
	Budget int
}

// JobPage is one page of Jobs. Next is the cursor of the page after, empty
// at the end. Scanned counts the messages or records read for the page.
type JobPage struct {
	Jobs    []Record
	Next    string
	Scanned int
}

// Jobs returns one page of the jobs of a queue in a state, in a stable
// order: scheduled, queued, running and retrying jobs in the order their
// messages were stored (enqueue order, all priorities together), read from
// the jobs stream with their records; succeeded, dead and cancelled jobs in
// the order their records were last written, read from the records bucket.
// A record written again after a page passed it (a dead job retried and
// dead again) shows up again later; none is skipped. It reads at most
// [ScanBudget] messages or records, so a page may be short with a Next
// cursor (Budget). Jobs of a message-backed state carry their payload.
//
// A bad queue name, a state that is not one of the seven, a bad cursor or
// limit give an error wrapping [ErrInvalid].
func (in *Inspector) Jobs(ctx context.Context, q JobQuery) (JobPage, error) {
	if err := in.check(ctx); err != nil {
		return JobPage{}, err
	}
	if err := validQueue(q.Queue); err != nil {
		return JobPage{}, err
	}
	switch {
	case q.Limit == 0:
		q.Limit = 50
	case q.Limit < 0 || q.Limit > 1000:
		return JobPage{}, fmt.Errorf("%w: limit %d (1-1000)", ErrInvalid, q.Limit)
	}
	switch {
	case q.Budget == 0:
		q.Budget = ScanBudget
	case q.Budget < q.Limit:
		return JobPage{}, fmt.Errorf("%w: budget %d below limit %d", ErrInvalid, q.Budget, q.Limit)
	}
	var seq uint64 = 1
	if q.Cursor != "" {
		n, err := strconv.ParseUint(q.Cursor, 10, 64)
		if err != nil || n == 0 {
			return JobPage{}, fmt.Errorf("%w: cursor %q", ErrInvalid, q.Cursor)
		}
		seq = n
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	switch q.State {
	case Scheduled:
		return in.messageJobs(ctx, q, seq, in.c.stream+".delayed."+q.Queue)
	case Queued, Running, Retrying:
		return in.messageJobs(ctx, q, seq, in.c.stream+".q."+q.Queue+".>")
	case Succeeded, Dead, Cancelled:
		return in.recordJobs(ctx, q, seq)
	}
	return JobPage{}, fmt.Errorf("%w: state %q", ErrInvalid, q.State)
}

const scanBatch = 256

// messageJobs pages the messages of filter and keeps the jobs whose record
// says q.State.
func (in *Inspector) messageJobs(ctx context.Context, q JobQuery, seq uint64, filter string) (JobPage, error) {
	var page JobPage
	// The first batch asks for one page; later ones grow, for a sparse
	// state.
	size := q.Limit
	for page.Scanned < q.Budget {
		n := min(size, q.Budget-page.Scanned)
		size = min(2*size, scanBatch)
		msgs, more, err := in.c.directGet(ctx, in.c.stream, directReq{Seq: seq, NextFor: filter, Batch: n})
		if err != nil {
			return page, err
		}
		recs, err := in.recordsOf(ctx, msgs)
		if err != nil {
			return page, err
		}
		for i, m := range msgs {
			page.Scanned++
			seq = m.seq + 1
			r := recs[i]
			if r == nil || r.State != q.State {
				continue
			}
			page.Jobs = append(page.Jobs, *r)
			if len(page.Jobs) == q.Limit {
				if i < len(msgs)-1 || more > 0 {
					page.Next = strconv.FormatUint(seq, 10)
				}
				return page, nil
			}
		}
		if more == 0 || len(msgs) == 0 {
			return page, nil
		}
	}
	page.Next = strconv.FormatUint(seq, 10)
	return page, nil
}

// recordsOf returns the record of each job message (nil for a message that
// is not a job), with one batched read of their records; a job without a
// record gets one made from its message.
func (in *Inspector) recordsOf(ctx context.Context, msgs []storedMsg) ([]*Record, error) {
	out := make([]*Record, len(msgs))
	metas := make([]*Meta, len(msgs))
	var subjects []string
	for i, m := range msgs {
		meta, err := metaOf(m.header, m.seq)
		if err != nil {
			continue
		}
		metas[i] = meta
		subjects = append(subjects, in.c.recSubject+meta.ID)
	}
	found := map[string]*Record{}
	if len(subjects) > 0 {
		recs, _, err := in.c.directGet(ctx, in.c.recStream, directReq{MultiLast: subjects, Batch: len(subjects)})
		if err != nil {
			return nil, err
		}
		for _, rm := range recs {
			if r := decodeRecord(rm); r != nil {
				found[r.ID] = r
			}
		}
	}
	for i, meta := range metas {
		if meta == nil {
			continue
		}
		_, delayed, _ := in.c.queueOf(msgs[i].subject)
		r := found[meta.ID]
		if r == nil {
			r = &Record{Meta: *meta, State: Queued}
			if delayed {
				r.State = Scheduled
			}
		}
		if r.State == Scheduled && !delayed {
			r.State = Queued // due and moved to its ready subject
		}
		if len(r.Payload) == 0 {
			r.Payload = msgs[i].data
		}
		out[i] = r
	}
	return out, nil
}

// metaOf reads the Meta of a job message stored at seq, its ID completed.
func metaOf(h nats.Header, seq uint64) (*Meta, error) {
	v := h.Get(metaHeader)
	if v == "" {
		return nil, errors.New("durable: no " + metaHeader)
	}
	var m Meta
	if err := decodeMeta(v, &m); err != nil || m.ID == "" {
		return nil, errors.New("durable: bad " + metaHeader)
	}
	m.ID = completeID(m.ID, seq)
	return &m, nil
}

// decodeRecord decodes a record message; nil for a delete marker or a bad
// value.
func decodeRecord(m storedMsg) *Record {
	if op := m.header.Get("KV-Operation"); op != "" {
		return nil
	}
	var r Record
	if json.Unmarshal(m.data, &r) != nil || r.ID == "" {
		return nil
	}
	return &r
}

// recordJobs pages the records bucket and keeps the records of q.Queue in
// q.State.
func (in *Inspector) recordJobs(ctx context.Context, q JobQuery, seq uint64) (JobPage, error) {
	var page JobPage
	err := in.scanRecords(ctx, directReq{Seq: seq, Batch: q.Limit}, q.Budget, func(m storedMsg, r *Record) bool {
		page.Scanned++
		seq = m.seq + 1
		if r == nil || r.Queue != q.Queue || r.State != q.State {
			return true
		}
		page.Jobs = append(page.Jobs, *r)
		return len(page.Jobs) < q.Limit
	}, func(more bool) {
		if more {
			page.Next = strconv.FormatUint(seq, 10)
		}
	})
	return page, err
}

// scanRecords reads the records bucket from req's start (Seq or
// StartTime; req.Batch, if set, is the first fetch's size), up to budget
// records (0: all), calling fn for each until it returns false; then end
// says whether records remain after the last one fn saw. It reads through
// an ephemeral consumer with no acks, which streams the records in fetches
// of up to 512 (batched direct gets cost the server a count of the pending
// records per request, which grows with the store).
func (in *Inspector) scanRecords(ctx context.Context, req directReq, budget int, fn func(storedMsg, *Record) bool, end func(more bool)) error {
	c := in.c
	cfg := jetstream.ConsumerConfig{
		AckPolicy:         jetstream.AckNonePolicy,
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       max(req.Seq, 1),
		InactiveThreshold: time.Minute,
		MemoryStorage:     true,
	}
	if req.StartTime != nil {
		cfg.DeliverPolicy, cfg.OptStartSeq, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, 0, req.StartTime
	}
	rctx, cancel := withDefaultTimeout(ctx)
	cons, err := c.js.CreateConsumer(rctx, c.recStream, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("durable: read records: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = c.js.DeleteConsumer(dctx, c.recStream, cons.CachedInfo().Name)
	}()
	pending := cons.CachedInfo().NumPending // records there when the scan began
	read, size := 0, cmp.Or(req.Batch, 512)
	for uint64(read) < pending {
		if budget > 0 && read >= budget {
			end(true)
			return nil
		}
		n := int(min(uint64(size), pending-uint64(read)))
		if budget > 0 {
			n = min(n, budget-read)
		}
		size = min(2*size, 512)
		wait := 5 * time.Second
		if dl, ok := ctx.Deadline(); ok {
			wait = min(wait, max(time.Until(dl), time.Millisecond))
		}
		b, err := cons.Fetch(n, jetstream.FetchMaxWait(wait))
		if err != nil {
			return fmt.Errorf("durable: read records: %w", err)
		}
		got := 0
		for m := range b.Messages() {
			got++
			read++
			md, err := m.Metadata()
			if err != nil {
				continue
			}
			sm := storedMsg{subject: m.Subject(), seq: md.Sequence.Stream, header: m.Headers(), data: m.Data()}
			if !fn(sm, decodeRecord(sm)) {
				for range b.Messages() { // drain the fetch
				}
				end(uint64(read) < pending || md.NumPending > 0)
				return nil
			}
		}
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("durable: read records: %w", err)
		}
		if got == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("durable: read records: %w", context.Cause(ctx))
			}
			break // expired or deleted meanwhile
		}
	}
	end(false)
	return nil
}

// StateCounts counts one queue's jobs by state, and the jobs that finished
// within the window of the Counts or Throughput call. Scheduled and Queued
// are Queues' counts of the queue's messages (Queued: not handed to a
// worker yet); the others count records.
type StateCounts struct {
	Scheduled, Queued, Running, Retrying int64
	Succeeded, Dead, Cancelled           int64
	// RecentSucceeded and RecentDead count the jobs that succeeded or died
	// within the window (by FinishedAt): RecentSucceeded / Window is the
	// queue's throughput.
	RecentSucceeded, RecentDead int64
}

// Counts is a census of jobs, per queue.
type Counts struct {
	At      time.Time     // when the scan began
	Window  time.Duration // the window of the Recent counts, before At
	Records int64         // records read
	Queues  map[string]*StateCounts
}

// PerSecond returns the queue's succeeded jobs per second over the window.
func (c *Counts) PerSecond(queue string) float64 {
	q := c.Queues[queue]
	if q == nil || c.Window <= 0 {
		return 0
	}
	return float64(q.RecentSucceeded) / c.Window.Seconds()
}

// Counts takes the queued and scheduled counts from the stream, as Queues
// does, and reads every record once (O(records): the one call here that
// scans everything; about a second per few hundred thousand records) to
// count the other states per queue, with the jobs finished within window
// before now (window 0 means a minute). Queued jobs have no record, so a
// million of them cost Counts nothing. Succeeded and cancelled jobs are
// counted while their records are retained (Retention), dead ones for the
// client's DeadRetention. A job running less than [RunningAfter] has no
// running record and is counted nowhere: it is in Queues' InFlight.
func (in *Inspector) Counts(ctx context.Context, window time.Duration) (*Counts, error) {
	return in.census(ctx, window, false)
}

// Throughput is Counts restricted to the records written within window
// before now (0 means a minute): it reads only those, so it costs the
// number of record writes in the window, not the number of records. Its
// Recent counts are exact; its Queued and Scheduled are Counts', and its
// other state counts cover only the records read.
func (in *Inspector) Throughput(ctx context.Context, window time.Duration) (*Counts, error) {
	return in.census(ctx, window, true)
}

func (in *Inspector) census(ctx context.Context, window time.Duration, tail bool) (*Counts, error) {
	if err := in.check(ctx); err != nil {
		return nil, err
	}
	if window < 0 {
		return nil, fmt.Errorf("%w: negative window %v", ErrInvalid, window)
	}
	if window == 0 {
		window = time.Minute
	}
	now := time.Now()
	since := now.Add(-window)
	out := &Counts{At: now, Window: window, Queues: map[string]*StateCounts{}}
	queue := func(name string) *StateCounts {
		q := out.Queues[name]
		if q == nil {
			q = &StateCounts{}
			out.Queues[name] = q
		}
		return q
	}
	// Queued and scheduled jobs are their messages (most have no record):
	// their counts come from the stream, as Queues gives them, and records
	// in those states are not counted again.
	qs, err := in.Queues(ctx)
	if err != nil {
		return nil, err
	}
	for _, qi := range qs {
		if qi.Queued > 0 || qi.Scheduled > 0 {
			q := queue(qi.Name)
			q.Queued, q.Scheduled = qi.Queued, qi.Scheduled
		}
	}
	req := directReq{Seq: 1}
	if tail {
		// Stored timestamps are the server's: allow for skew.
		st := since.Add(-time.Second).UTC()
		req = directReq{StartTime: &st}
	}
	err = in.scanRecords(ctx, req, 0, func(_ storedMsg, r *Record) bool {
		out.Records++
		if r == nil || r.State == Queued || r.State == Scheduled {
			return true
		}
		q := queue(r.Queue)
		switch r.State {
		case Running:
			q.Running++
		case Retrying:
			q.Retrying++
		case Succeeded:
			q.Succeeded++
			if !r.FinishedAt.Before(since) {
				q.RecentSucceeded++
			}
		case Dead:
			q.Dead++
			if !r.FinishedAt.Before(since) {
				q.RecentDead++
			}
		case Cancelled:
			q.Cancelled++
		}
		return true
	}, func(bool) {})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// check refuses a nil context and a closed client.
func (in *Inspector) check(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: nil context", ErrInvalid)
	}
	if in.c.isClosed() {
		return ErrClosed
	}
	return nil
}

// withDefaultTimeout bounds a call (or, for scans, each request of one)
// whose context has no deadline, so that a server that never answers
// cannot hang it.
func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, 30*time.Second)
}

// directReq is JetStream's direct get request (JSApiMsgGetRequest).
type directReq struct {
	Seq       uint64     `json:"seq,omitempty"`
	NextFor   string     `json:"next_by_subj,omitempty"`
	Batch     int        `json:"batch,omitempty"`
	StartTime *time.Time `json:"start_time,omitempty"`
	MultiLast []string   `json:"multi_last,omitempty"`
}

// storedMsg is a message read by a direct get.
type storedMsg struct {
	subject string
	seq     uint64
	header  nats.Header
	data    []byte
}

// directGet sends one direct get to stream and returns the messages (one
// at most when req.Batch is 0) and how many matching messages remain after
// them.
func (c *Client) directGet(ctx context.Context, stream string, req directReq) ([]storedMsg, uint64, error) {
	ctx, cancel := withDefaultTimeout(ctx) // per request: a scan may take long
	defer cancel()
	nc := c.nc
	inbox := nc.NewRespInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, 0, fmt.Errorf("durable: read %s: %w", stream, err)
	}
	defer sub.Unsubscribe()
	body, _ := json.Marshal(req)
	if err := nc.PublishRequest("$JS.API.DIRECT.GET."+stream, inbox, body); err != nil {
		return nil, 0, fmt.Errorf("durable: read %s: %w", stream, err)
	}
	var out []storedMsg
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("durable: read %s: %w", stream, err)
		}
		switch st := m.Header.Get("Status"); st {
		case "":
		case "204": // end of batch
			more, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
			return out, more, nil
		case "404": // nothing (more) matches
			return out, 0, nil
		default:
			return nil, 0, fmt.Errorf("durable: read %s: status %s %s", stream, st, m.Header.Get("Description"))
		}
		seq, _ := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
		out = append(out, storedMsg{subject: m.Header.Get("Nats-Subject"), seq: seq, header: m.Header, data: m.Data})
		if req.Batch == 0 {
			return out, 0, nil
		}
	}
}
