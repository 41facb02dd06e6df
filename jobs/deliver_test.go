package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// fakeSender records what it was asked to send and answers with reply.
type fakeSender struct {
	mu    sync.Mutex
	got   []models.Outbox
	reply func(o models.Outbox, n int) error // n: how many times o was sent before
}

func (f *fakeSender) Send(ctx context.Context, o models.Outbox) error {
	f.mu.Lock()
	n := 0
	for _, g := range f.got {
		if g.ID == o.ID {
			n++
		}
	}
	f.got = append(f.got, o)
	reply := f.reply
	f.mu.Unlock()
	if reply == nil {
		return nil
	}
	return reply(o, n)
}

func (f *fakeSender) sent() []models.Outbox {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]models.Outbox(nil), f.got...)
}

// failedCalls records OnFailed.
type failedCalls struct {
	mu   sync.Mutex
	rows []models.Outbox
	errs []error
}

func (f *failedCalls) record(ctx context.Context, o models.Outbox, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows = append(f.rows, o)
	f.errs = append(f.errs, err)
}

var t0 = modeltest.At(2026, 11, 23, 9, 0)

func setup(t *testing.T, s *models.Store, f *fakeSender) (*jobs.Deliverer, *modeltest.Clock, *failedCalls, *bytes.Buffer) {
	t.Helper()
	clock := modeltest.NewClock(t0)
	s.Now = clock.Now
	calls := &failedCalls{}
	var logs bytes.Buffer
	d := &jobs.Deliverer{
		Store:    s,
		Senders:  map[models.Platform]jobs.Sender{"wecom": f, "mp": f},
		Owner:    "test",
		Backoff:  func(n int) time.Duration { return time.Duration(n) * time.Minute },
		OnFailed: calls.record,
		Now:      clock.Now,
		Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	return d, clock, calls, &logs
}

const secret = "我家住在幸福路8号，电话13800000000"

func enqueue(t *testing.T, s *models.Store, platform models.Platform, target, key string) uint64 {
	t.Helper()
	o := &models.Outbox{Platform: platform, Target: target, Kind: "notice", CaseID: 1,
		Payload: fmt.Sprintf(`{"text":%q}`, secret), DedupKey: key}
	modeltest.Must(t, s.Enqueue(context.Background(), o), "Enqueue(%s)", key)
	return o.ID
}

func row(t *testing.T, s *models.Store, id uint64) models.Outbox {
	t.Helper()
	rows, err := s.OutboxByCase(context.Background(), 1)
	modeltest.Must(t, err, "OutboxByCase")
	for _, o := range rows {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("no outbox row %d", id)
	return models.Outbox{}
}

type counts struct{ sent, retried, failed int }

func runOnce(t *testing.T, d *jobs.Deliverer) counts {
	t.Helper()
	sent, retried, failed, err := d.RunOnce(context.Background())
	modeltest.Must(t, err, "RunOnce")
	return counts{sent, retried, failed}
}

func TestDeliverRetriesWithBackoffThenSends(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := &fakeSender{reply: func(o models.Outbox, n int) error {
			if n < 2 {
				return errors.New("connection reset")
			}
			return nil
		}}
		d, clock, calls, logs := setup(t, s, f)
		id := enqueue(t, s, "wecom", "member:3", "k")

		if got, want := runOnce(t, d), (counts{retried: 1}); got != want {
			t.Errorf("first run = %+v; want %+v", got, want)
		}
		o := row(t, s, id)
		if o.Attempts != 1 || !o.NextAttemptAt.Equal(t0.Add(time.Minute)) || o.LastError != "connection reset" || o.Status != models.OutboxPending {
			t.Errorf("after 1 failure row = %+v; want 1 attempt, due in 1m (Backoff(1))", o)
		}
		if got := runOnce(t, d); got != (counts{}) {
			t.Errorf("run before it is due = %+v; want nothing", got)
		}
		clock.Add(time.Minute)
		if got, want := runOnce(t, d), (counts{retried: 1}); got != want {
			t.Errorf("second run = %+v; want %+v", got, want)
		}
		if o := row(t, s, id); o.Attempts != 2 || !o.NextAttemptAt.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("after 2 failures row = %+v; want 2 attempts, due 2m later (Backoff(2))", o)
		}
		clock.Add(2 * time.Minute)
		if got, want := runOnce(t, d), (counts{sent: 1}); got != want {
			t.Errorf("third run = %+v; want %+v", got, want)
		}
		o = row(t, s, id)
		if o.Status != models.OutboxSent || o.SentAt == nil || !o.SentAt.Equal(clock.Now()) || o.Attempts != 2 {
			t.Errorf("after success row = %+v; want sent now after 2 failed attempts", o)
		}
		if n := len(f.sent()); n != 3 {
			t.Errorf("sender called %d times; want 3", n)
		}
		if len(calls.rows) != 0 {
			t.Errorf("OnFailed called %d times; want 0", len(calls.rows))
		}
		for _, want := range []string{"outbox_id=", "platform=wecom", "target=member:3", "case_id=1", "attempt=3"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %q:\n%s", want, logs)
			}
		}
		if strings.Contains(logs.String(), "幸福路") {
			t.Errorf("logs carry the payload:\n%s", logs)
		}
	})
}

func TestDeliverGivesUpAfterMaxAttempts(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := &fakeSender{reply: func(models.Outbox, int) error { return errors.New("502 bad gateway") }}
		d, clock, calls, _ := setup(t, s, f)
		d.MaxAttempts = 3
		id := enqueue(t, s, "wecom", "member:3", "k")
		var total counts
		for i := 0; i < 10; i++ {
			c := runOnce(t, d)
			total.sent += c.sent
			total.retried += c.retried
			total.failed += c.failed
			clock.Add(time.Hour)
		}
		if want := (counts{retried: 2, failed: 1}); total != want {
			t.Errorf("runs = %+v; want %+v", total, want)
		}
		o := row(t, s, id)
		if o.Status != models.OutboxFailed || o.Attempts != 3 || o.LastError != "502 bad gateway" {
			t.Errorf("row = %+v; want failed after 3 attempts", o)
		}
		if n := len(f.sent()); n != 3 {
			t.Errorf("sender called %d times; want 3", n)
		}
		if len(calls.rows) != 1 {
			t.Fatalf("OnFailed called %d times; want once", len(calls.rows))
		}
		if got := calls.rows[0]; got.ID != id || got.Status != models.OutboxFailed || got.Attempts != 3 {
			t.Errorf("OnFailed got %+v; want row %d, failed after 3 attempts", got, id)
		}
	})
}

func TestDeliverPermanentFailsAtOnce(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ok := false
		f := &fakeSender{reply: func(models.Outbox, int) error {
			if ok {
				return nil
			}
			return fmt.Errorf("errcode 40003 invalid userid: %w", jobs.ErrPermanent)
		}}
		d, clock, calls, _ := setup(t, s, f)
		id := enqueue(t, s, "wecom", "member:3", "k")
		if got, want := runOnce(t, d), (counts{failed: 1}); got != want {
			t.Errorf("run = %+v; want %+v", got, want)
		}
		if o := row(t, s, id); o.Status != models.OutboxFailed || o.Attempts != 1 {
			t.Errorf("row = %+v; want failed after 1 attempt", o)
		}
		if len(calls.rows) != 1 || !errors.Is(calls.errs[0], jobs.ErrPermanent) {
			t.Fatalf("OnFailed calls = %v; want one with ErrPermanent", calls.errs)
		}
		clock.Add(time.Hour)
		if got := runOnce(t, d); got != (counts{}) {
			t.Errorf("run after failure = %+v; want nothing", got)
		}

		// The dispatcher mends the cause and presses retry.
		ok = true
		modeltest.Must(t, s.RetryOutbox(context.Background(), id), "RetryOutbox")
		if got, want := runOnce(t, d), (counts{sent: 1}); got != want {
			t.Errorf("run after RetryOutbox = %+v; want %+v", got, want)
		}
		if o := row(t, s, id); o.Status != models.OutboxSent {
			t.Errorf("row = %+v; want sent", o)
		}
		if len(calls.rows) != 1 {
			t.Errorf("OnFailed called %d times; want once", len(calls.rows))
		}
	})
}

func TestDeliverUnknownPlatformFails(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		d, _, calls, _ := setup(t, s, &fakeSender{})
		id := enqueue(t, s, "dingtalk", "member:3", "k")
		if got, want := runOnce(t, d), (counts{failed: 1}); got != want {
			t.Errorf("run = %+v; want %+v", got, want)
		}
		if o := row(t, s, id); o.Status != models.OutboxFailed || !strings.Contains(o.LastError, "dingtalk") {
			t.Errorf("row = %+v; want failed, naming the platform", o)
		}
		if len(calls.rows) != 1 {
			t.Errorf("OnFailed called %d times; want once", len(calls.rows))
		}
	})
}

func TestDeliverRetryAfter(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := &fakeSender{reply: func(o models.Outbox, n int) error {
			if n == 0 {
				return &jobs.RetryAfter{Wait: 90 * time.Second, Err: errors.New("errcode 45009 api freq out of limit")}
			}
			return nil
		}}
		d, clock, _, _ := setup(t, s, f)
		id := enqueue(t, s, "wecom", "member:3", "k")
		if got, want := runOnce(t, d), (counts{retried: 1}); got != want {
			t.Errorf("run = %+v; want %+v", got, want)
		}
		o := row(t, s, id)
		if o.Attempts != 1 || !o.NextAttemptAt.Equal(t0.Add(90*time.Second)) || !strings.Contains(o.LastError, "45009") {
			t.Errorf("row = %+v; want 1 attempt, due in 90s", o)
		}
		clock.Add(89 * time.Second)
		if got := runOnce(t, d); got != (counts{}) {
			t.Errorf("run before Wait = %+v; want nothing", got)
		}
		clock.Add(time.Second)
		if got, want := runOnce(t, d), (counts{sent: 1}); got != want {
			t.Errorf("run after Wait = %+v; want %+v", got, want)
		}
	})
}

// A group robot takes about 20 messages a minute: the rest wait for the
// window, in order, without counting a failed attempt; other recipients are
// not held up.
func TestDeliverGroupLimit(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := &fakeSender{}
		d, clock, _, _ := setup(t, s, f)
		var group []uint64
		for i := 0; i < 25; i++ {
			group = append(group, enqueue(t, s, "wecom", "group:d1", fmt.Sprintf("g%d", i)))
			if i < 3 {
				enqueue(t, s, "mp", "citizen:9", fmt.Sprintf("c%d", i))
			}
		}
		if got, want := runOnce(t, d), (counts{sent: 23, retried: 5}); got != want {
			t.Errorf("first minute = %+v; want %+v", got, want)
		}
		for _, id := range group[20:] {
			if o := row(t, s, id); o.Status != models.OutboxPending || o.Attempts != 0 || !o.NextAttemptAt.Equal(t0.Add(time.Minute)) {
				t.Errorf("held row = %+v; want pending, no attempt, due when the minute is up", o)
			}
		}
		clock.Add(59 * time.Second)
		if got := runOnce(t, d); got != (counts{}) {
			t.Errorf("run within the minute = %+v; want nothing", got)
		}
		clock.Add(time.Second)
		if got, want := runOnce(t, d), (counts{sent: 5}); got != want {
			t.Errorf("next minute = %+v; want %+v", got, want)
		}
		var order []uint64
		for _, o := range f.sent() {
			if o.Target == "group:d1" {
				order = append(order, o.ID)
			}
		}
		if fmt.Sprint(order) != fmt.Sprint(group) {
			t.Errorf("group messages sent in order %v; want %v", order, group)
		}
		if n, _ := s.OutboxDepth(context.Background()); n != 0 {
			t.Errorf("OutboxDepth = %d; want 0", n)
		}
	})
}

// Two instances deliver from one database: every message is sent once.
func TestDeliverTwoInstancesSendOnce(t *testing.T) {
	for _, drv := range modeltest.Drivers {
		t.Run(drv, func(t *testing.T) {
			ctx := context.Background()
			driver, dsn := modeltest.DSN(t, drv)
			f := &fakeSender{}
			var ds []*jobs.Deliverer
			for i := 0; i < 2; i++ {
				s, err := models.Open(driver, dsn, modeltest.Shanghai)
				modeltest.Must(t, err, "open")
				modeltest.Cap(s)
				t.Cleanup(func() { s.Close() })
				modeltest.Must(t, s.Migrate(ctx), "migrate")
				ds = append(ds, &jobs.Deliverer{
					Store: s, Senders: map[models.Platform]jobs.Sender{"wecom": f}, Owner: fmt.Sprintf("instance%d", i),
					Batch: 7, Logger: slog.New(slog.DiscardHandler),
				})
			}
			const msgs = 150
			for i := 0; i < msgs; i++ {
				enqueue(t, ds[i%2].Store, "wecom", fmt.Sprintf("member:%d", i%13), fmt.Sprintf("k%d", i))
			}
			var wg sync.WaitGroup
			for _, d := range ds {
				wg.Go(func() {
					for {
						sent, retried, failed, err := d.RunOnce(ctx)
						if err != nil {
							t.Errorf("%s RunOnce: %v", d.Owner, err)
							return
						}
						if retried+failed != 0 {
							t.Errorf("%s RunOnce retried %d, failed %d; want 0", d.Owner, retried, failed)
						}
						if sent == 0 {
							return
						}
					}
				})
			}
			wg.Wait()
			times := map[uint64]int{}
			for _, o := range f.sent() {
				times[o.ID]++
			}
			if len(times) != msgs {
				t.Errorf("sent %d messages; want %d", len(times), msgs)
			}
			for id, n := range times {
				if n != 1 {
					t.Errorf("message %d sent %d times; want once", id, n)
				}
			}
			if n, _ := ds[0].Store.OutboxDepth(ctx); n != 0 {
				t.Errorf("OutboxDepth = %d; want 0", n)
			}
		})
	}
}

// blockingSender holds every send until released.
type blockingSender struct {
	started chan uint64
	release chan struct{}
	mu      sync.Mutex
	done    []uint64
}

func (b *blockingSender) Send(ctx context.Context, o models.Outbox) error {
	b.started <- o.ID
	<-b.release
	b.mu.Lock()
	b.done = append(b.done, o.ID)
	b.mu.Unlock()
	return nil
}

// Run wakes on Notify, and when its context ends it finishes and records the
// send in flight before it returns.
func TestDeliverRunStopsAfterInFlightSends(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		b := &blockingSender{started: make(chan uint64, 10), release: make(chan struct{})}
		d := &jobs.Deliverer{Store: s, Senders: map[models.Platform]jobs.Sender{"wecom": b}, Owner: "run", Logger: slog.New(slog.DiscardHandler)}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.Run(ctx, time.Hour) // only Notify can wake it after the first run
		}()
		id := enqueue(t, s, "wecom", "group:d1", "k1")
		enqueue(t, s, "wecom", "group:d1", "k2")
		d.Notify()
		var first uint64
		select {
		case first = <-b.started:
		case <-time.After(10 * time.Second):
			t.Fatal("Notify did not wake Run")
		}
		cancel()
		select {
		case <-done:
			t.Fatal("Run returned with a send in flight")
		case <-time.After(50 * time.Millisecond):
		}
		close(b.release)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		if first != id {
			t.Errorf("first send = %d; want %d", first, id)
		}
		if o := row(t, s, id); o.Status != models.OutboxSent {
			t.Errorf("in-flight row = %+v; want sent", o)
		}
		// The second message of the target was not started: it is put back,
		// not left leased.
		rows, err := s.OutboxByCase(context.Background(), 1)
		modeltest.Must(t, err, "OutboxByCase")
		for _, o := range rows {
			if o.ID != id && (o.Status != models.OutboxPending || o.LeaseOwner != "" || o.Attempts != 0) {
				t.Errorf("unstarted row = %+v; want pending, released, no attempt", o)
			}
		}
	})
}

func TestDeliverRunStops(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := &fakeSender{}
		d := &jobs.Deliverer{Store: s, Senders: map[models.Platform]jobs.Sender{"mp": f}, Owner: "run", Logger: slog.New(slog.DiscardHandler)}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.Run(ctx, 5*time.Millisecond)
		}()
		enqueue(t, s, "mp", "citizen:1", "k")
		deadline := time.Now().Add(10 * time.Second)
		for len(f.sent()) == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		if n := len(f.sent()); n != 1 {
			t.Errorf("sent %d; want 1", n)
		}
	})
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		max     time.Duration
	}{
		{1, 5 * time.Second},
		{2, 10 * time.Second},
		{3, 20 * time.Second},
		{7, 320 * time.Second},
		{8, 10 * time.Minute},
		{30, 10 * time.Minute},
	}
	for _, tt := range tests {
		for i := 0; i < 100; i++ {
			if got := jobs.Backoff(tt.attempt); got > tt.max || got < tt.max*4/5 {
				t.Errorf("Backoff(%d) = %v; want in [%v, %v]", tt.attempt, got, tt.max*4/5, tt.max)
				break
			}
		}
	}
}
