package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
	"unicode/utf8"

	"minsheng/models"
)

// Sender delivers one outbox message to its platform. Implementations live in
// the platform adapters. An error says why the platform did not accept the
// message; wrap it with ErrPermanent when trying again cannot help, or return
// a *RetryAfter when the platform said how long to wait. Error texts are kept
// in the outbox and logged, so they must not quote the payload.
type Sender interface {
	Send(ctx context.Context, o models.Outbox) error
}

// ErrPermanent marks a delivery failure that trying again cannot mend: a bad
// key, an unknown user, a message the platform refuses. Senders wrap it:
// fmt.Errorf("wecom errcode %d: %w", code, jobs.ErrPermanent).
var ErrPermanent = errors.New("permanent delivery failure")

// RetryAfter is a rate-limit error that says how long to wait before the next
// attempt; senders return it as a pointer. It counts as a failed attempt.
type RetryAfter struct {
	Wait time.Duration
	Err  error
}

// Error says how long to wait and why.
func (e *RetryAfter) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("rate limited, retry after %v", e.Wait)
	}
	return fmt.Sprintf("retry after %v: %v", e.Wait, e.Err)
}

// Unwrap returns the platform's error.
func (e *RetryAfter) Unwrap() error { return e.Err }

// Defaults of the Deliverer's settings.
const (
	DefaultLease       = time.Minute
	DefaultBatch       = 50
	DefaultMaxAttempts = 8
	DefaultGroupLimit  = 20
	DefaultInterval    = 10 * time.Second
)

// workers bounds the sends of one run that may be in flight at once.
const workers = 4

// markTimeout bounds the store writes that record a send once the run's
// context has ended.
const markTimeout = 15 * time.Second

// Deliverer is the outbox delivery job: it claims due messages, sends them
// with the Sender of their platform and records the outcome, retrying with
// backoff until a message is delivered or, having failed for good, is
// handed to OnFailed so that a person is told. Several instances may run on
// one database; each message is sent by one of them. The zero values of the
// settings mean their defaults; set them before the first run.
type Deliverer struct {
	Store *models.Store
	// Senders deliver by Outbox.Platform. A message for a platform without
	// a sender fails at once.
	Senders map[models.Platform]Sender
	// Owner names this instance in leases; it must differ between instances.
	Owner string
	// Lease is how long a claimed message is ours (DefaultLease). A send
	// still running when it ends is cancelled.
	Lease time.Duration
	// Batch is how many messages one run claims (DefaultBatch).
	Batch int
	// MaxAttempts is how many failed attempts make a message failed
	// (DefaultMaxAttempts).
	MaxAttempts int
	// Backoff is the wait after the attempt-th failed attempt; the default
	// doubles from 5s up to 10 minutes, less up to a fifth at random.
	Backoff func(attempt int) time.Duration
	// OnFailed tells a person (the dispatcher) about a message that failed
	// for good; it is called once per failed message, possibly from several
	// goroutines at once, with the message as recorded and the last error.
	// Its ctx outlives the run's by a few seconds, so that a shutdown does
	// not lose the news.
	OnFailed func(ctx context.Context, o models.Outbox, err error)
	// Combine, when set, merges the leading messages of rows (all to one
	// group, in order) into one payload and says how many it took; fewer
	// than two means no merge. It keeps busy groups under their limit.
	Combine func(rows []models.Outbox) (payload string, n int)
	// GroupLimit is how many messages one group target (a unit's group or
	// the joint one, models.Target.IsGroup) of a platform receives per rolling minute from this instance
	// (DefaultGroupLimit); the rest wait, without counting an attempt.
	GroupLimit int
	// Now is the clock; it defaults to the store's.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	mu     sync.Mutex
	recent map[string][]time.Time // group target → send times in the last minute

	wakeOnce sync.Once
	wake     chan struct{}
}

// RunOnce claims a batch of due messages and delivers them: sends to
// different targets run concurrently (a few at a time), sends to one target
// in order, each claimed message at most once. It returns how many messages
// were sent, put back for a later attempt (after a failure, a rate limit or
// this instance's group limit) and failed for good. When ctx ends, sends
// already started are finished and recorded, and the rest are put back.
// err reports a failed claim or failed writes to the store.
func (d *Deliverer) RunOnce(ctx context.Context) (sent, retried, failed int, err error) {
	r, err := d.runOnce(ctx)
	return r.sent, r.retried, r.failed, err
}

// Run delivers until ctx ends: a run every interval (DefaultInterval when
// not positive), at once again while runs find full batches, and early after
// Notify. It returns when ctx has ended and the sends in flight are recorded.
func (d *Deliverer) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultInterval
	}
	wake := d.wakeCh()
	timer := time.NewTimer(every)
	defer timer.Stop()
	for {
		r, err := d.runOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.logger().Error("outbox delivery run", "owner", d.Owner, "error", err)
		} else if r.claimed >= d.batch() {
			continue // more are waiting
		}
		timer.Reset(every)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-wake:
		}
	}
}

// Notify wakes Run early, after a message was enqueued. It never blocks.
func (d *Deliverer) Notify() {
	select {
	case d.wakeCh() <- struct{}{}:
	default:
	}
}

func (d *Deliverer) wakeCh() chan struct{} {
	d.wakeOnce.Do(func() { d.wake = make(chan struct{}, 1) })
	return d.wake
}

// tally counts what a run did; workers add to it.
type tally struct {
	mu                             sync.Mutex
	claimed, sent, retried, failed int
	errs                           []error
}

func (t *tally) add(sent, retried, failed int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent += sent
	t.retried += retried
	t.failed += failed
	if err != nil {
		t.errs = append(t.errs, err)
	}
}

func (d *Deliverer) runOnce(ctx context.Context) (*tally, error) {
	t := &tally{}
	if d.Store == nil || d.Owner == "" {
		return t, errors.New("deliver outbox: Store and Owner are required")
	}
	d.sweep(d.now())
	rows, err := d.Store.ClaimOutbox(ctx, d.Owner, d.lease(), d.batch())
	if err != nil {
		return t, fmt.Errorf("deliver outbox: %w", err)
	}
	t.claimed = len(rows)

	// One queue per recipient, in claim order.
	var queues [][]models.Outbox
	index := map[string]int{}
	for _, o := range rows {
		k := targetKey(o)
		i, ok := index[k]
		if !ok {
			i = len(queues)
			index[k] = i
			queues = append(queues, nil)
		}
		queues[i] = append(queues[i], o)
	}
	work := make(chan []models.Outbox)
	var wg sync.WaitGroup
	for range min(workers, len(queues)) {
		wg.Go(func() {
			for q := range work {
				d.deliverQueue(ctx, q, t)
			}
		})
	}
	for _, q := range queues {
		work <- q
	}
	close(work)
	wg.Wait()
	return t, errors.Join(t.errs...)
}

// deliverQueue sends the messages of one recipient in order. Messages to
// one group are combined into one send when Combine allows, so that a busy
// run stays within the group robots' per-minute limit.
func (d *Deliverer) deliverQueue(ctx context.Context, q []models.Outbox, t *tally) {
	var held time.Time // set once the group limit holds the rest of q back
	for i := 0; i < len(q); i++ {
		o := q[i]
		now := d.now()
		switch {
		case ctx.Err() != nil:
			d.postpone(ctx, o, now, "shutting down", t)
		case !held.IsZero():
			d.postpone(ctx, o, held, "group limit", t)
		case o.LeaseUntil != nil && o.LeaseUntil.Sub(now) < d.lease()/4:
			// Too little of the lease is left to send safely: another
			// instance could claim it while we send.
			d.postpone(ctx, o, now, "lease running out", t)
		default:
			if isGroup(o.Target) {
				if ok, free := d.allow(targetKey(o), now); !ok {
					held = free
					d.postpone(ctx, o, held, "group limit", t)
					continue
				}
				if d.Combine != nil && i+1 < len(q) {
					if payload, n := d.Combine(q[i:]); n >= 2 {
						d.deliverCombined(ctx, q[i:i+n], payload, t)
						i += n - 1
						continue
					}
				}
			}
			d.deliver(ctx, o, t)
		}
	}
}

// deliverCombined sends rows as one message with payload; each row records
// the outcome.
func (d *Deliverer) deliverCombined(ctx context.Context, rows []models.Outbox, payload string, t *tally) {
	first := rows[0]
	first.Payload = payload
	err := d.send(ctx, first)
	for _, o := range rows {
		d.record(ctx, o, err, t)
	}
}

// deliver sends o once and records the outcome.
func (d *Deliverer) deliver(ctx context.Context, o models.Outbox, t *tally) {
	d.record(ctx, o, d.send(ctx, o), t)
}

// send hands o to its platform's sender.
func (d *Deliverer) send(ctx context.Context, o models.Outbox) error {
	s := d.Senders[o.Platform]
	if s == nil {
		return fmt.Errorf("no sender for platform %q: %w", o.Platform, ErrPermanent)
	}
	// A send that has started is finished even if the run is cancelled,
	// but not past our lease.
	limit := d.lease()
	if o.LeaseUntil != nil {
		limit = o.LeaseUntil.Sub(d.now())
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	return s.Send(sctx, o)
}

// record writes the outcome of a send of o.
func (d *Deliverer) record(ctx context.Context, o models.Outbox, err error, t *tally) {
	attempt := o.Attempts + 1
	log := d.logger().With("outbox_id", o.ID, "platform", o.Platform, "target", o.Target,
		"case_id", o.CaseID, "attempt", attempt)
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	now := d.now()
	if err == nil {
		if e := d.Store.MarkSent(mctx, o.ID, d.Owner); e != nil {
			d.markError(log, e, t)
			return
		}
		log.Info("outbox message sent")
		t.add(1, 0, 0, nil)
		return
	}
	text := errText(err)
	if errors.Is(err, ErrPermanent) || attempt >= d.maxAttempts() {
		if e := d.Store.MarkFailed(mctx, o.ID, d.Owner, text); e != nil {
			d.markError(log, e, t)
			return
		}
		log.Error("outbox message failed; telling a person", "error", err)
		t.add(0, 0, 1, nil)
		if d.OnFailed != nil {
			o.Status, o.Attempts, o.LastError = models.OutboxFailed, attempt, text
			o.LeaseOwner, o.LeaseUntil = "", nil
			d.OnFailed(mctx, o, err)
		}
		return
	}
	wait := d.backoff(attempt)
	var ra *RetryAfter
	if errors.As(err, &ra) && ra.Wait > 0 {
		wait = ra.Wait
	}
	next := now.Add(wait)
	if e := d.Store.MarkRetry(mctx, o.ID, d.Owner, next, text); e != nil {
		d.markError(log, e, t)
		return
	}
	log.Warn("outbox message not delivered; will retry", "error", err, "next_attempt_at", next)
	t.add(0, 1, 0, nil)
}

// postpone puts o back, due at next, without counting an attempt.
func (d *Deliverer) postpone(ctx context.Context, o models.Outbox, next time.Time, why string, t *tally) {
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	log := d.logger().With("outbox_id", o.ID, "platform", o.Platform, "target", o.Target,
		"case_id", o.CaseID, "attempt", o.Attempts+1)
	if err := d.Store.Postpone(mctx, o.ID, d.Owner, next); err != nil {
		d.markError(log, err, t)
		return
	}
	log.Debug("outbox message postponed", "reason", why, "next_attempt_at", next)
	t.add(0, 1, 0, nil)
}

// markError logs a failed write of an outcome. Losing the lease is not an
// error of the run: the message will be sent by the instance that took it
// over, perhaps a second time, which is what the lease is sized to prevent.
func (d *Deliverer) markError(log *slog.Logger, err error, t *tally) {
	if errors.Is(err, models.ErrConflict) {
		log.Warn("outbox lease lost before the outcome was recorded", "error", err)
		return
	}
	log.Error("record outbox outcome", "error", err)
	t.add(0, 0, 0, err)
}

// allow takes a slot of key's group limit at now, or says when one frees.
func (d *Deliverer) allow(key string, now time.Time) (bool, time.Time) {
	limit := d.GroupLimit
	if limit <= 0 {
		limit = DefaultGroupLimit
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.recent == nil {
		d.recent = map[string][]time.Time{}
	}
	ts := trim(d.recent[key], now)
	if len(ts) >= limit {
		d.recent[key] = ts
		return false, ts[len(ts)-limit].Add(time.Minute)
	}
	d.recent[key] = append(ts, now)
	return true, time.Time{}
}

// sweep forgets group targets that sent nothing in the last minute.
func (d *Deliverer) sweep(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, ts := range d.recent {
		if ts = trim(ts, now); len(ts) == 0 {
			delete(d.recent, k)
		} else {
			d.recent[k] = ts
		}
	}
}

// trim drops the send times that are a minute or more before now.
func trim(ts []time.Time, now time.Time) []time.Time {
	cut := now.Add(-time.Minute)
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	return ts[i:]
}

// isGroup reports whether target is a group chat, which platforms rate-limit.
func isGroup(target string) bool {
	t, err := models.ParseTarget(target)
	return err == nil && t.IsGroup()
}

func targetKey(o models.Outbox) string { return string(o.Platform) + "\x00" + o.Target }

// errText is err as kept in the outbox: bounded, valid UTF-8.
func errText(err error) string {
	const max = 1000
	s := err.Error()
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return d.Store.Now()
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

func (d *Deliverer) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return DefaultLease
}

func (d *Deliverer) batch() int {
	if d.Batch > 0 {
		return d.Batch
	}
	return DefaultBatch
}

func (d *Deliverer) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (d *Deliverer) backoff(attempt int) time.Duration {
	if d.Backoff != nil {
		return d.Backoff(attempt)
	}
	return Backoff(attempt)
}

// Backoff is the default wait after the attempt-th failed attempt: 5s,
// doubling each time up to 10 minutes, less up to a fifth at random so that
// messages that failed together do not come back together.
func Backoff(attempt int) time.Duration {
	const first, ceiling = 5 * time.Second, 10 * time.Minute
	d := ceiling
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 8 {
		d = min(first<<(attempt-1), ceiling)
	}
	return d - rand.N(d/5+1)
}
