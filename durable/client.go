package durable

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/threadsystem/threadsystem/pool"
)

// Client enqueues and cancels jobs. It is safe for concurrent use by many
// goroutines; make one with Connect or New and Close it when done.
type Client struct {
	nc  *nats.Conn
	own bool // Connect made nc; Close closes it
	js  jetstream.JetStream
	cfg clientConfig

	stream     string // the jobs stream
	recStream  string // the records bucket's stream
	recSubject string // "$KV.<bucket>." prefix of record subjects
	uniqSubj   string // "$KV.<bucket>." prefix of unique keys
	cancelSubj string

	pub *publisher

	records jetstream.KeyValue
	unique  jetstream.KeyValue
	queues  jetstream.KeyValue
	rates   jetstream.KeyValue

	mu     sync.RWMutex
	closed bool

	noSettle bool // tests: Enqueue leaves unique claims provisional
}

// Connect connects to the NATS server or cluster at url (a comma-separated
// list of URLs for a cluster) and returns New's client on that connection,
// which Close closes. The error names url when no server answers.
func Connect(url string, opts ...ClientOption) (*Client, error) {
	var cfg clientConfig
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		if err := o.applyClient(&cfg); err != nil {
			return nil, err
		}
	}
	nopts := append([]nats.Option{nats.Name("threadsystem-durable"), nats.MaxReconnects(-1)}, cfg.natsOpts...)
	nc, err := nats.Connect(url, nopts...)
	if err != nil {
		return nil, fmt.Errorf("durable: connect to %s: %w", url, err)
	}
	c, err := New(nc, opts...)
	if err != nil {
		nc.Close()
		return nil, err
	}
	c.own = true
	return c, nil
}

// New returns a client on nc, creating the stream and buckets of the storage
// layout (see the package doc) or updating them to this client's options.
// It makes a few round trips to the server; the error says which step
// failed. Close does not close nc.
func New(nc *nats.Conn, opts ...ClientOption) (*Client, error) {
	if nc == nil {
		return nil, fmt.Errorf("%w: nil connection", ErrInvalid)
	}
	cfg := clientConfig{prefix: "TS_JOBS", replicas: 1, deadRetention: 7 * 24 * time.Hour, maxPending: 4096,
		uniqueLease: DefaultUniqueLease}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		if err := o.applyClient(&cfg); err != nil {
			return nil, err
		}
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(cfg.maxPending),
		jetstream.WithPublishAsyncTimeout(10*time.Second))
	if err != nil {
		return nil, fmt.Errorf("durable: jetstream: %w", err)
	}
	c := &Client{nc: nc, js: js, cfg: cfg, stream: cfg.prefix, pub: newPublisher(nc, cfg.maxPending, 10*time.Second)}
	recBucket, uniqBucket := cfg.prefix+"_records", cfg.prefix+"_unique"
	c.recStream = "KV_" + recBucket
	c.recSubject = "$KV." + recBucket + "."
	c.uniqSubj = "$KV." + uniqBucket + "."
	c.cancelSubj = cfg.prefix + ".cancel"

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ensureStream(ctx, js, jetstream.StreamConfig{
		Name:        c.stream,
		Description: "threadsystem durable jobs",
		Subjects:    []string{cfg.prefix + ".q.>", cfg.prefix + ".delayed.>"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.replicas,
		Duplicates:  2 * time.Minute,
		AllowDirect: true, // inspection pages jobs with batched direct gets
	}); err != nil {
		return nil, fmt.Errorf("durable: create stream %s: %w", c.stream, err)
	}
	// The records bucket is made as a stream so that it allows per-message
	// TTLs without limit markers; it is a KV bucket to every reader.
	if err := ensureStream(ctx, js, jetstream.StreamConfig{
		Name:              c.recStream,
		Description:       "threadsystem durable job records",
		Subjects:          []string{c.recSubject + ">"},
		MaxMsgsPerSubject: 1,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		MaxMsgSize:        -1,
		Storage:           jetstream.FileStorage,
		Replicas:          cfg.replicas,
		AllowRollup:       true,
		DenyDelete:        true,
		AllowDirect:       true,
		Discard:           jetstream.DiscardNew,
		Duplicates:        2 * time.Minute,
		AllowMsgTTL:       true,
	}); err != nil {
		return nil, fmt.Errorf("durable: create records bucket %s: %w", recBucket, err)
	}
	if c.records, err = js.KeyValue(ctx, recBucket); err != nil {
		return nil, fmt.Errorf("durable: open records bucket %s: %w", recBucket, err)
	}
	if c.unique, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: uniqBucket, Description: "threadsystem durable unique keys",
		Storage: jetstream.FileStorage, Replicas: cfg.replicas,
	}); err != nil {
		return nil, fmt.Errorf("durable: create unique bucket %s: %w", uniqBucket, err)
	}
	if c.queues, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: cfg.prefix + "_queues", Description: "threadsystem durable queue controls",
		Storage: jetstream.FileStorage, Replicas: cfg.replicas,
	}); err != nil {
		return nil, fmt.Errorf("durable: create queues bucket %s_queues: %w", cfg.prefix, err)
	}
	if c.rates, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: cfg.prefix + "_rates", Description: "threadsystem durable queue rate buckets",
		Storage: jetstream.FileStorage, Replicas: cfg.replicas,
	}); err != nil {
		return nil, fmt.Errorf("durable: create rates bucket %s_rates: %w", cfg.prefix, err)
	}
	return c, nil
}

// Close makes later Enqueue, EnqueueBatch and Cancel calls return
// [ErrClosed] and, for a client made by Connect, drains and closes its
// connection. Calls already under way finish. Repeat calls are no-ops.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	if c.own {
		c.nc.Close()
	}
	return nil
}

// Conn returns the client's connection.
func (c *Client) Conn() *nats.Conn { return c.nc }

// JetStream returns the client's JetStream context, for reading the stream
// and buckets of the storage layout.
func (c *Client) JetStream() jetstream.JetStream { return c.js }

// Prefix returns the deployment prefix (see the Prefix option).
func (c *Client) Prefix() string { return c.cfg.prefix }

func (c *Client) isClosed() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.closed
}

// Enqueue stores a job that runs the handler registered as name with
// payload (encoded with encoding/json unless Raw), and returns its ID once
// the server has stored the job and its record: the job then survives a
// crash of this process or of the server. With a Unique key already held by
// an unfinished job it enqueues nothing and returns that job's ID and an
// error wrapping [ErrDuplicate]. Bad options, an empty name or a payload
// that does not encode give an error wrapping [ErrInvalid]; after Close,
// [ErrClosed]. It waits for two acknowledgements (one round trip; a Unique
// key adds two, see [UniqueLease]); use EnqueueBatch for many jobs.
func (c *Client) Enqueue(ctx context.Context, name string, payload any, opts ...Option) (string, error) {
	ids, err := c.enqueue(ctx, []Job{{Name: name, Payload: payload, Options: opts}}, true)
	if len(ids) == 1 && err != nil {
		var je *jobError
		if errors.As(err, &je) {
			err = je.err
		}
	}
	return ids[0], err
}

// EnqueueBatch enqueues every job of jobs, publishing them all before
// waiting for the server's acknowledgements at once, and returns their IDs
// in order. Jobs that failed have an empty ID, except duplicates, which have
// the ID of the job holding their unique key. The error joins one error per
// failed job, each saying its index ("job 3: ..."), so errors.Is finds
// [ErrDuplicate] or [ErrInvalid]; jobs without an error are enqueued.
// Unique jobs cost two round trips each: one to claim their key before the
// job is published, one to make the claim lasting once it is stored (see
// [UniqueLease]).
func (c *Client) EnqueueBatch(ctx context.Context, jobs []Job) ([]string, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	return c.enqueue(ctx, jobs, false)
}

type jobError struct {
	i   int
	err error
}

func (e *jobError) Error() string { return fmt.Sprintf("job %d: %v", e.i, e.err) }
func (e *jobError) Unwrap() error { return e.err }

type pending struct {
	i      int
	job    *pubAck
	meta   *Meta
	claim  uint64 // revision of the provisional unique claim, or 0
	record bool   // its record was created (a given ID)
}

// abandon undoes what Enqueue stored for a job that failed to enqueue: its
// unique claim and its record.
func (c *Client) abandon(p *pending) {
	c.releaseClaim(p.meta, p.claim)
	if p.record {
		c.forget(p.meta.ID)
	}
}

func (c *Client) enqueue(ctx context.Context, jobs []Job, single bool) ([]string, error) {
	ids := make([]string, len(jobs))
	if ctx == nil {
		return ids, fmt.Errorf("%w: nil context", ErrInvalid)
	}
	if c.isClosed() {
		return ids, ErrClosed
	}
	var errs []error
	fail := func(i int, err error) { errs = append(errs, &jobError{i, err}) }
	var waits []pending
	now := time.Now()
	for i, j := range jobs {
		meta, subj, data, err := c.prepare(j, now)
		if err != nil {
			fail(i, err)
			continue
		}
		var claim uint64
		if meta.Unique != "" {
			rev, first, err := c.claim(ctx, meta)
			if err != nil {
				if first != "" {
					ids[i] = first
				}
				fail(i, err)
				continue
			}
			claim = rev
		}
		mh := appendMeta(make([]byte, 0, 256), meta)
		p := pending{i: i, meta: meta, claim: claim}
		if !isPending(meta.ID) {
			// A given ID makes one job while its record is retained: the
			// record (the metadata plus a state; the payload is in the
			// job's message) is created only if there is none, before the
			// job.
			state := `,"state":"queued","attempts":0}`
			if !meta.RunAt.IsZero() {
				state = `,"state":"scheduled","attempts":0}`
			}
			recData := append(mh[:len(mh)-1:len(mh)-1], state...)
			recMsg := &nats.Msg{Subject: c.recSubject + meta.ID, Data: recData}
			_, err := c.js.PublishMsg(ctx, recMsg, jetstream.WithExpectLastSequencePerSubject(0))
			if conflict(err) {
				c.releaseClaim(meta, claim)
				ids[i] = meta.ID
				fail(i, fmt.Errorf("%w: job %s exists", ErrDuplicate, meta.ID))
				continue
			}
			if err != nil {
				c.releaseClaim(meta, claim)
				fail(i, fmt.Errorf("durable: store record of job %s: %w", meta.ID, err))
				continue
			}
			p.record = true
		}
		// No Nats-Msg-Id: the duplicate window costs the server a map
		// entry per message for two minutes, and nothing here retries a
		// publish (IDs and unique keys guard through the buckets).
		msg := &nats.Msg{Subject: subj, Data: data, Header: nats.Header{metaHeader: {string(mh)}}}
		if p.job, err = c.publishAsync(ctx, msg); err != nil {
			c.abandon(&p)
			fail(i, fmt.Errorf("durable: publish job %s: %w", meta.ID, err))
			continue
		}
		waits = append(waits, p)
	}
	for _, p := range waits {
		err := wait(ctx, p.job)
		if err == nil && isPending(p.meta.ID) {
			seq, ok := ackSeq(p.job.ack)
			if !ok {
				err = fmt.Errorf("acknowledgement %q has no sequence", p.job.ack)
			}
			p.meta.ID = completeID(p.meta.ID, seq)
		}
		if err != nil {
			c.abandon(&p)
			fail(p.i, fmt.Errorf("durable: store job %s: %w", p.meta.ID, err))
			continue
		}
		if p.claim > 0 && !c.noSettle {
			if first, err := c.settle(ctx, p.meta, p.claim); err != nil {
				ids[p.i] = first
				fail(p.i, err)
				continue
			}
		}
		ids[p.i] = p.meta.ID
	}
	if len(errs) == 0 {
		return ids, nil
	}
	return ids, errors.Join(errs...)
}

// publishAsync publishes m, waiting out the async window when it is full
// rather than failing.
func (c *Client) publishAsync(ctx context.Context, m *nats.Msg) (*pubAck, error) {
	return c.pub.publish(ctx, m)
}

// publishNoWait publishes m unless the async window stays full for 200ms,
// for writes nothing waits on.
func (c *Client) publishNoWait(m *nats.Msg) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, _ = c.pub.publish(ctx, m)
}

const metaHeader = "Ts-Meta"

// prepare checks a job and returns its metadata, subject and payload bytes.
func (c *Client) prepare(j Job, now time.Time) (*Meta, string, []byte, error) {
	if j.Name == "" {
		return nil, "", nil, fmt.Errorf("%w: empty handler name", ErrInvalid)
	}
	cfg := jobConfig{queue: DefaultQueue}
	for _, o := range j.Options {
		if o == nil {
			return nil, "", nil, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		if err := o.applyJob(&cfg); err != nil {
			return nil, "", nil, err
		}
	}
	var data []byte
	if cfg.raw {
		switch p := j.Payload.(type) {
		case []byte:
			data = p
		case string:
			data = []byte(p)
		case nil:
		default:
			return nil, "", nil, fmt.Errorf("%w: Raw payload is %T, want []byte or string", ErrInvalid, j.Payload)
		}
	} else {
		var err error
		if data, err = json.Marshal(j.Payload); err != nil {
			return nil, "", nil, fmt.Errorf("%w: payload of %s does not encode as JSON: %w", ErrInvalid, j.Name, err)
		}
	}
	m := &Meta{
		ID: cfg.id, Name: j.Name, Queue: cfg.queue, Priority: cfg.priority,
		MaxAttempts: cfg.maxAttempts, Timeout: cfg.timeout, Deadline: cfg.deadline,
		Retention: cfg.retention, Unique: cfg.unique, EnqueuedAt: now,
	}
	if m.ID == "" {
		m.ID = pendingID(nuid.Next()) // completed once stored (id.go)
	}
	if cfg.backoff != nil {
		b := cfg.backoff
		if m.MaxAttempts == 0 {
			m.MaxAttempts = b.MaxAttempts
		}
		if b.InitialDelay != 0 || b.Multiplier != 0 || b.MaxDelay != 0 || b.Jitter != 0 {
			m.Backoff = &BackoffSpec{InitialDelay: b.InitialDelay, Multiplier: b.Multiplier, MaxDelay: b.MaxDelay, Jitter: b.Jitter}
		}
	}
	if m.MaxAttempts == 0 {
		m.MaxAttempts = 3
	}
	if m.Retention == 0 {
		m.Retention = DefaultRetention
	}
	switch {
	case !cfg.at.IsZero():
		m.RunAt = cfg.at
	case cfg.delay > 0:
		m.RunAt = now.Add(cfg.delay)
	}
	if !m.RunAt.IsZero() && !m.RunAt.After(now) {
		m.RunAt = time.Time{}
	}
	if !m.RunAt.IsZero() {
		return m, c.stream + ".delayed." + m.Queue, data, nil
	}
	return m, c.readySubject(m.Queue, m.Priority), data, nil
}

func (c *Client) readySubject(queue string, p pool.Priority) string {
	return c.stream + ".q." + queue + ".p" + strconv.Itoa(int(p-pool.Lowest))
}

func uniqueKey(k string) string { return base64.RawURLEncoding.EncodeToString([]byte(k)) }

// A unique key's value is the holder's job ID once the job is stored (its
// lasting form), and "<id> <deadline in Unix ms>" while the claim is
// provisional: from the claim until the job's publish is acknowledged. Job
// IDs hold no space, so the two cannot be confused, and values written
// before provisional claims existed read as lasting.

// provisional is the value of a provisional claim by id until deadline.
func provisional(id string, deadline time.Time) []byte {
	return strconv.AppendInt(append([]byte(id), ' '), deadline.UnixMilli(), 10)
}

// parseClaim reads a unique key's value: the holder's ID and, for a
// provisional claim, the end of its lease (zero for a lasting one).
func parseClaim(v []byte) (id string, deadline time.Time) {
	s := string(v)
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return s, time.Time{}
	}
	ms, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		return s[:i], time.Time{} // unreadable lease: treat as lasting
	}
	return s[:i], time.UnixMilli(ms)
}

// claim takes the job's unique key with a provisional claim (see the
// UniqueLease option), taking over a provisional claim whose lease has run
// out by compare-and-set, and returns the claim's revision; or it returns
// the holder's ID and ErrDuplicate.
func (c *Client) claim(ctx context.Context, m *Meta) (uint64, string, error) {
	key := uniqueKey(m.Unique)
	for try := range 5 {
		rev, err := c.unique.Create(ctx, key, provisional(m.ID, time.Now().Add(c.cfg.uniqueLease)))
		if err == nil {
			return rev, "", nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return 0, "", fmt.Errorf("durable: claim unique key %q: %w", m.Unique, err)
		}
		e, err := c.unique.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // released in between: try again
		}
		if err != nil {
			return 0, "", fmt.Errorf("durable: read unique key %q: %w", m.Unique, err)
		}
		first, deadline := parseClaim(e.Value())
		if !deadline.IsZero() && time.Now().After(deadline) {
			// The claimant died (or stalled) between its claim and its
			// job's publish: take the key over, unless another did first.
			// The marker comes first: a worker that starts the old job
			// after this one has ended and released the key must still
			// know that it lost the key (holdsKey).
			mark, err := c.unique.Put(ctx, takenKey(first), []byte(m.ID))
			if err != nil {
				return 0, "", fmt.Errorf("durable: mark unique key %q taken over: %w", m.Unique, err)
			}
			rev, err := c.unique.Update(ctx, key, provisional(m.ID, time.Now().Add(c.cfg.uniqueLease)), e.Revision())
			if err == nil {
				return rev, "", nil
			}
			if conflict(err) {
				if e2, err2 := c.unique.Get(ctx, key); err2 == nil {
					if h, d := parseClaim(e2.Value()); h == first && d.IsZero() {
						// The holder settled after all: it keeps its key.
						_ = c.unique.Delete(ctx, takenKey(first), jetstream.LastRevision(mark))
					}
				}
				continue
			}
			return 0, "", fmt.Errorf("durable: take over unique key %q: %w", m.Unique, err)
		}
		if isPending(first) {
			// The holder's Enqueue is storing its job, whose ID is known
			// once the server acknowledges it: one round trip, normally.
			if try < 4 {
				time.Sleep(time.Duration(1<<try) * time.Millisecond)
				continue
			}
			return 0, "", fmt.Errorf("%w: key %q is held by a job still being enqueued", ErrDuplicate, m.Unique)
		}
		return 0, first, fmt.Errorf("%w: key %q is held by job %s", ErrDuplicate, m.Unique, first)
	}
	return 0, "", fmt.Errorf("durable: claim unique key %q: contended", m.Unique)
}

// settle rewrites the provisional claim rev on the job's unique key to its
// lasting form, once the job is stored. If the claim was taken over (its
// lease ran out before the job was stored), the job is cancelled unless it
// already finished, and settle returns the new holder's ID and
// ErrDuplicate. A key already deleted means the job has ended. As the job
// is stored, settle goes on past the end of ctx, for 10s at most.
func (c *Client) settle(ctx context.Context, m *Meta, rev uint64) (string, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	key := uniqueKey(m.Unique)
	_, err := c.unique.Update(ctx, key, []byte(m.ID), rev)
	if err == nil {
		return "", nil
	}
	if !conflict(err) {
		return "", fmt.Errorf("durable: job %s is stored but its unique key %q is claimed only until its lease ends: %w", m.ID, m.Unique, err)
	}
	e, err := c.unique.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil // the job ended and released the key
	}
	if err != nil {
		return "", fmt.Errorf("durable: read unique key %q: %w", m.Unique, err)
	}
	first, _ := parseClaim(e.Value())
	if sameJob(first, m.ID) {
		return "", nil
	}
	// Another Enqueue took the key over: this job must not run beside its.
	if err := c.cancel(ctx, m.ID, false); err != nil && !errors.Is(err, ErrFinished) {
		return "", fmt.Errorf("durable: cancel job %s, whose unique key %q was taken over: %w", m.ID, m.Unique, err)
	}
	return first, fmt.Errorf("%w: key %q was taken over by job %s (the lease ran out before job %s was stored)", ErrDuplicate, m.Unique, first, m.ID)
}

// holdsKey reports whether job id may run as the holder of unique key k: it
// holds the key, or no job does (the key was released) and no marker says
// that its claim was taken over (the taker may have ended). A provisional claim
// of its own is made lasting first, so that it cannot be taken over while
// the job runs. It sets *hold to how the job's end releases the key: at the
// revision the job holds it, not at all when no job held it (a claim made
// since is another job's), unconditionally when the bucket cannot be read;
// and then it answers true, as workers did before claims had leases.
func (c *Client) holdsKey(id, k string, hold *keyHold) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	key := uniqueKey(k)
	*hold = keyHold{release: true}
	for range 3 {
		e, err := c.unique.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			*hold = keyHold{}
			if mark := c.takenMark(ctx, id); mark != "" {
				hold.marker = mark
				return false
			}
			return true
		}
		if err != nil {
			return true
		}
		holder, deadline := parseClaim(e.Value())
		if !sameJob(holder, id) {
			return false
		}
		if deadline.IsZero() {
			hold.rev = e.Revision()
			return true
		}
		rev, err := c.unique.Update(ctx, key, []byte(id), e.Revision())
		if err == nil {
			hold.rev = rev
			return true
		}
		if !conflict(err) {
			return true
		}
	}
	return true
}

// takenKey is the unique bucket's key of the marker that says the
// provisional claim of holder (as the claim named it) was taken over. As
// uniqueKey's base64 has no '.', it cannot be a unique key's.
func takenKey(holder string) string { return "taken." + uniqueKey(holder) }

// takenMark returns the key of the marker saying that the claim of job id
// was taken over, or "" if there is none (or it cannot be read). A claim
// names a generated ID by its pending form, a given one whole.
func (c *Client) takenMark(ctx context.Context, id string) string {
	names := []string{id}
	if nonce, _, ok := splitID(id); ok {
		names = append(names, pendingID(nonce))
	}
	for _, n := range names {
		if _, err := c.unique.Get(ctx, takenKey(n)); err == nil {
			return takenKey(n)
		}
	}
	return ""
}

// release gives up a job's unique key without waiting (the job failed to
// enqueue, or ended).
func (c *Client) release(m *Meta) {
	c.releaseClaim(m, 0)
}

// releaseClaim gives up a job's unique key without waiting; with rev above
// zero, only if the key is still at that revision (the claim of a job that
// failed to enqueue, which may have been taken over meanwhile).
func (c *Client) releaseClaim(m *Meta, rev uint64) {
	if m.Unique == "" {
		return
	}
	c.deleteKeyAt(uniqueKey(m.Unique), rev)
}

// deleteKey deletes a unique bucket key without waiting.
func (c *Client) deleteKey(key string) { c.deleteKeyAt(key, 0) }

// deleteKeyAt deletes a unique bucket key without waiting; with rev above
// zero, only if the key is still at that revision.
func (c *Client) deleteKeyAt(key string, rev uint64) {
	msg := &nats.Msg{Subject: c.uniqSubj + key, Header: nats.Header{}}
	msg.Header.Set("KV-Operation", "DEL")
	if rev > 0 {
		msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(rev, 10))
	}
	_ = c.nc.PublishMsg(msg)
}

// Helpers for the inspection, admin and periodic files (inspect*.go,
// admin*.go, periodic*.go): c.record reads a record and its revision;
// c.recordMsg(r) is the message that stores r (with its TTL), to publish
// with jetstream.WithExpectLastSequencePerSubject(rev) for a CAS update as
// Cancel does; c.readySubject(queue, prio) and c.stream+".delayed."+queue
// are the job subjects; a job message carries metaHeader (Meta as JSON) and
// jetstream.MsgIDHeader; c.release(&r.Meta) frees a unique key; parseMeta
// reads a delivered message's Meta. To retry a dead job, reset the record
// (State Queued, Attempts and GivenBack 0, keep Errors) and publish its
// payload to its ready subject with Meta.ReadRecord set.

// forget removes the record of a job that failed to enqueue, as far as the
// server can be reached.
func (c *Client) forget(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.records.Purge(ctx, id)
}

// record reads a job's record and its revision.
func (c *Client) record(ctx context.Context, id string) (*Record, uint64, error) {
	if !validToken(id, 128, true) {
		return nil, 0, fmt.Errorf("%w: job ID %q", ErrInvalid, id)
	}
	e, err := c.records.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("durable: read record %s: %w", id, err)
	}
	var r Record
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return nil, 0, fmt.Errorf("durable: record %s does not decode: %w", id, err)
	}
	return &r, e.Revision(), nil
}

// lookup returns a job's record and its revision or, for a queued or
// scheduled job with no record (a generated ID, id.go), a record made from
// its message and revision 0.
func (c *Client) lookup(ctx context.Context, id string) (*Record, uint64, error) {
	r, rev, err := c.record(ctx, id)
	if !errors.Is(err, ErrNotFound) {
		return r, rev, err
	}
	_, seq, ok := splitID(id)
	if !ok {
		return nil, 0, err
	}
	msgs, _, gerr := c.directGet(ctx, c.stream, directReq{Seq: seq})
	if gerr != nil {
		return nil, 0, gerr
	}
	if len(msgs) == 1 {
		m := msgs[0]
		meta, merr := metaOf(m.header, m.seq)
		_, delayed, isJob := c.queueOf(m.subject)
		if merr == nil && isJob && meta.ID == id {
			r := &Record{Meta: *meta, State: Queued, Payload: m.data}
			if delayed {
				r.State = Scheduled
			}
			return r, 0, nil
		}
	}
	// No such message, or it is gone: a worker writes a job's record before
	// acknowledging its message, so a job that ended meanwhile has one now.
	return c.record(ctx, id)
}

// ttl is how long a record in state s is kept.
func (c *Client) ttl(r *Record) time.Duration {
	switch r.State {
	case Dead:
		return c.cfg.deadRetention
	case Succeeded, Cancelled:
		if r.Retention > 0 {
			return r.Retention
		}
		return DefaultRetention
	}
	return 0
}

// ttlString is d.String(), made once for the default retentions.
func ttlString(d time.Duration) string {
	switch d {
	case DefaultRetention:
		return defaultRetentionStr
	case 7 * 24 * time.Hour:
		return weekStr
	}
	return d.String()
}

var defaultRetentionStr, weekStr = DefaultRetention.String(), (7 * 24 * time.Hour).String()

// recordMsg is the message that stores r.
func (c *Client) recordMsg(r *Record) *nats.Msg {
	data := appendRecord(make([]byte, 0, 320+len(r.Payload)*4/3), r)
	m := &nats.Msg{Subject: c.recSubject + r.ID, Data: data}
	if ttl := c.ttl(r); ttl > 0 {
		m.Header = nats.Header{jetstream.MsgTTLHeader: {ttlString(ttl)}}
	}
	return m
}

// Cancel ends the job with the given ID: its record says cancelled at once,
// a queued or scheduled job is acknowledged unrun when a worker gets it, and
// a running one's context is cancelled with the cause [ErrCancelled] on
// whichever worker runs it (the handler decides how fast it stops; what it
// returns is recorded as cancelled unless it succeeded). Cancel returns nil
// when the job is cancelled or was already, an error wrapping [ErrFinished]
// when it already succeeded or is dead, [ErrNotFound] when no job has the
// ID (no record and no stored message; see Inspector.Job). It waits for
// the record's write (one round trip, two or three for a job that had no
// record, more under contention).
func (c *Client) Cancel(ctx context.Context, id string) error {
	if ctx == nil {
		return fmt.Errorf("%w: nil context", ErrInvalid)
	}
	if c.isClosed() {
		return ErrClosed
	}
	return c.cancel(ctx, id, true)
}

// cancel is Cancel; with release false it leaves the job's unique key alone
// (another job holds it).
func (c *Client) cancel(ctx context.Context, id string, release bool) error {
	for {
		r, rev, err := c.lookup(ctx, id)
		if err != nil {
			return err
		}
		switch r.State {
		case Cancelled:
			return nil
		case Succeeded, Dead:
			return fmt.Errorf("%w: job %s is %s", ErrFinished, id, r.State)
		}
		r.State, r.FinishedAt, r.Payload = Cancelled, time.Now(), nil
		m := c.recordMsg(r)
		// Revision 0, for a job read from its message, creates the record.
		opts := []jetstream.PublishOpt{jetstream.WithExpectLastSequencePerSubject(rev)}
		_, err = c.js.PublishMsg(ctx, m, opts...)
		if conflict(err) {
			continue // the record changed: look again
		}
		if err != nil {
			return fmt.Errorf("durable: write cancelled record %s: %w", id, err)
		}
		if release {
			c.release(&r.Meta)
		}
		if rev == 0 {
			// Read from its message: remove it, so that no worker gets it
			// and the stream's counts leave it out at once.
			_, seq, _ := splitID(id)
			if err := c.deleteMsg(ctx, seq); err != nil {
				return fmt.Errorf("durable: remove cancelled job %s: %w", id, err)
			}
		}
		if err := c.nc.Publish(c.cancelSubj, []byte(id)); err != nil {
			return fmt.Errorf("durable: publish cancel of %s: %w", id, err)
		}
		if _, ok := ctx.Deadline(); !ok {
			return c.nc.FlushTimeout(10 * time.Second) // FlushWithContext needs a deadline
		}
		return c.nc.FlushWithContext(ctx)
	}
}

// deleteMsg removes the jobs stream's message at seq; one already gone is
// not an error.
func (c *Client) deleteMsg(ctx context.Context, seq uint64) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	body := strconv.AppendUint([]byte(`{"no_erase":true,"seq":`), seq, 10)
	resp, err := c.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.DELETE."+c.stream, append(body, '}'))
	if err != nil {
		return err
	}
	var r struct {
		Error *struct {
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp.Data, &r); err != nil {
		return fmt.Errorf("answer %q: %w", resp.Data, err)
	}
	// 10043: sequence not found; a store that had it and lost it answers
	// 10057 "no message found".
	if r.Error != nil && r.Error.ErrCode != 10043 && !strings.Contains(r.Error.Description, "no message found") {
		return fmt.Errorf("%s (%d)", r.Error.Description, r.Error.ErrCode)
	}
	return nil
}
