package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func message(caseID uint64, key string) *models.Outbox {
	return &models.Outbox{
		Platform: "wecom", Target: "group:d1", Kind: "assign", CaseID: caseID,
		Payload: `{"text":"路灯坏了"}`, DedupKey: key,
	}
}

func enqueue(t *testing.T, s *models.Store, o *models.Outbox) {
	t.Helper()
	modeltest.Must(t, s.Enqueue(context.Background(), o), "Enqueue(%s)", o.DedupKey)
}

func outboxOf(t *testing.T, s *models.Store, caseID uint64) []models.Outbox {
	t.Helper()
	rows, err := s.OutboxByCase(context.Background(), caseID)
	modeltest.Must(t, err, "OutboxByCase(%d)", caseID)
	return rows
}

func TestEnqueueSameKeyOnce(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		s.Now = clock.Now
		first := message(7, "case7/assign/d1")
		enqueue(t, s, first)
		if first.ID == 0 {
			t.Fatalf("first Enqueue left ID 0")
		}
		clock.Add(time.Minute)
		again := message(7, "case7/assign/d1")
		again.Payload = "{}"
		enqueue(t, s, again)
		if again.ID != 0 {
			t.Errorf("second Enqueue set ID %d; want 0 (nothing written)", again.ID)
		}
		rows := outboxOf(t, s, 7)
		if len(rows) != 1 {
			t.Fatalf("rows = %d; want 1", len(rows))
		}
		o := rows[0]
		if o.ID != first.ID || o.Payload != `{"text":"路灯坏了"}` || o.Status != models.OutboxPending ||
			o.Attempts != 0 || !o.NextAttemptAt.Equal(modeltest.At(2026, 11, 23, 9, 0)) || o.LeaseUntil != nil {
			t.Errorf("row = %+v; want the first message, pending and due at once", o)
		}
		if n, _ := s.OutboxDepth(context.Background()); n != 1 {
			t.Errorf("OutboxDepth = %d; want 1", n)
		}
	})
}

func TestEnqueueRequiresKey(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		if err := s.Enqueue(context.Background(), message(1, "")); err == nil {
			t.Errorf("Enqueue without DedupKey = nil; want an error")
		}
	})
}

// A message is written with the change that causes it, or not at all.
func TestEnqueueInTransaction(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		_, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: "m1", OpenID: "oA", MsgType: "text", Content: "x"},
			func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
				if err := tx.Enqueue(message(1, "rolled-back")); err != nil {
					return models.Receipt{}, err
				}
				return models.Receipt{}, boom
			})
		if !errors.Is(err, boom) {
			t.Fatalf("Receive = %v; want boom", err)
		}
		if rows := outboxOf(t, s, 1); len(rows) != 0 {
			t.Errorf("rows after rollback = %d; want 0", len(rows))
		}
		_, err = s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: "m2", OpenID: "oA", MsgType: "text", Content: "x"},
			func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
				if err := tx.Enqueue(message(2, "committed")); err != nil {
					return models.Receipt{}, err
				}
				// The same key twice in one transaction is one message too.
				if err := tx.Enqueue(message(2, "committed")); err != nil {
					return models.Receipt{}, err
				}
				return models.Receipt{Outcome: "case"}, nil
			})
		modeltest.Must(t, err, "Receive")
		if rows := outboxOf(t, s, 2); len(rows) != 1 {
			t.Errorf("rows after commit = %d; want 1", len(rows))
		}
	})
}

// Two stores on one database play two server instances claiming at once:
// every message is claimed by exactly one claimer, with FOR UPDATE SKIP
// LOCKED and, as on a server without it, by the lease claim alone.
func TestClaimOutboxConcurrentInstances(t *testing.T) {
	for _, d := range modeltest.Drivers {
		for _, leaseOnly := range []bool{false, true} {
			name := d
			if leaseOnly {
				if d == "sqlite" {
					continue // never locks rows: one writer
				}
				name += "/lease only"
			}
			t.Run(name, func(t *testing.T) { claimConcurrently(t, d, leaseOnly) })
		}
	}
}

func claimConcurrently(t *testing.T, d string, leaseOnly bool) {
	ctx := context.Background()
	driver, dsn := modeltest.DSN(t, d)
	var stores []*models.Store
	for i := 0; i < 2; i++ {
		s, err := models.Open(driver, dsn, modeltest.Shanghai)
		modeltest.Must(t, err, "open")
		modeltest.Cap(s)
		t.Cleanup(func() { s.Close() })
		modeltest.Must(t, s.Migrate(ctx), "migrate")
		if leaseOnly {
			models.WithoutSkipLocked(s)
		}
		stores = append(stores, s)
	}
	const msgs = 120
	for i := 0; i < msgs; i++ {
		enqueue(t, stores[i%2], message(1, fmt.Sprintf("k%d", i)))
	}
	var (
		mu     sync.Mutex
		claims = map[uint64][]string{}
		wg     sync.WaitGroup
	)
	for w := 0; w < 6; w++ {
		s := stores[w%2]
		owner := fmt.Sprintf("instance%d/worker%d", w%2, w)
		wg.Go(func() {
			for {
				rows, err := s.ClaimOutbox(ctx, owner, time.Hour, 7)
				if err != nil {
					t.Errorf("ClaimOutbox(%s): %v", owner, err)
					return
				}
				if len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, o := range rows {
					if o.LeaseOwner != owner || o.LeaseUntil == nil {
						t.Errorf("claimed row %d has lease %q %v; want %q", o.ID, o.LeaseOwner, o.LeaseUntil, owner)
					}
					claims[o.ID] = append(claims[o.ID], owner)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claims) != msgs {
		t.Errorf("claimed %d rows; want %d", len(claims), msgs)
	}
	for id, owners := range claims {
		if len(owners) != 1 {
			t.Errorf("row %d claimed by %v; want one owner", id, owners)
		}
	}
}

func TestClaimOutboxOldestDueFirst(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		s.Now = clock.Now
		for i := 0; i < 5; i++ {
			enqueue(t, s, message(1, fmt.Sprintf("k%d", i)))
			clock.Add(time.Second)
		}
		rows, err := s.ClaimOutbox(ctx, "a", time.Minute, 3)
		modeltest.Must(t, err, "ClaimOutbox")
		var keys []string
		for _, o := range rows {
			keys = append(keys, o.DedupKey)
		}
		if fmt.Sprint(keys) != "[k0 k1 k2]" {
			t.Errorf("claimed %v; want [k0 k1 k2]", keys)
		}
	})
}

// An owner that dies holding a lease delays its messages by the lease, no
// more; when it wakes up, its marks are refused.
func TestClaimOutboxLeaseExpires(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		s.Now = clock.Now
		enqueue(t, s, message(1, "k"))
		rows, err := s.ClaimOutbox(ctx, "dead", time.Minute, 10)
		modeltest.Must(t, err, "ClaimOutbox(dead)")
		if len(rows) != 1 {
			t.Fatalf("dead claimed %d rows; want 1", len(rows))
		}
		id := rows[0].ID
		if want := modeltest.At(2026, 11, 23, 9, 1); rows[0].LeaseUntil == nil || !rows[0].LeaseUntil.Equal(want) {
			t.Errorf("LeaseUntil = %v; want %v", rows[0].LeaseUntil, want)
		}
		clock.Add(59 * time.Second)
		if rows, _ := s.ClaimOutbox(ctx, "alive", time.Minute, 10); len(rows) != 0 {
			t.Errorf("claimed %d rows within the lease; want 0", len(rows))
		}
		clock.Add(time.Second)
		rows, err = s.ClaimOutbox(ctx, "alive", time.Minute, 10)
		modeltest.Must(t, err, "ClaimOutbox(alive)")
		if len(rows) != 1 || rows[0].ID != id {
			t.Fatalf("after the lease claimed %v; want row %d", rows, id)
		}
		if err := s.MarkSent(ctx, id, "dead"); !errors.Is(err, models.ErrConflict) {
			t.Errorf("MarkSent by the dead owner = %v; want ErrConflict", err)
		}
		if err := s.MarkRetry(ctx, id, "dead", clock.Now(), "late"); !errors.Is(err, models.ErrConflict) {
			t.Errorf("MarkRetry by the dead owner = %v; want ErrConflict", err)
		}
		modeltest.Must(t, s.MarkSent(ctx, id, "alive"), "MarkSent(alive)")
		got := outboxOf(t, s, 1)[0]
		if got.Status != models.OutboxSent || got.SentAt == nil || !got.SentAt.Equal(clock.Now()) ||
			got.LeaseOwner != "" || got.LeaseUntil != nil || got.Attempts != 0 {
			t.Errorf("row = %+v; want sent now, lease released, no failed attempt", got)
		}
		if err := s.MarkSent(ctx, id, "alive"); !errors.Is(err, models.ErrConflict) {
			t.Errorf("second MarkSent = %v; want ErrConflict", err)
		}
		if err := s.MarkSent(ctx, 999, "alive"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("MarkSent(999) = %v; want ErrNotFound", err)
		}
		clock.Add(time.Hour)
		if rows, _ := s.ClaimOutbox(ctx, "alive", time.Minute, 10); len(rows) != 0 {
			t.Errorf("claimed %d sent rows; want 0", len(rows))
		}
	})
}

func TestMarkRetryAndPostpone(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		t0 := modeltest.At(2026, 11, 23, 9, 0)
		clock := modeltest.NewClock(t0)
		s.Now = clock.Now
		enqueue(t, s, message(1, "k"))
		claim := func() models.Outbox {
			t.Helper()
			rows, err := s.ClaimOutbox(ctx, "a", time.Minute, 10)
			modeltest.Must(t, err, "ClaimOutbox")
			if len(rows) != 1 {
				t.Fatalf("claimed %d rows at %v; want 1", len(rows), clock.Now())
			}
			return rows[0]
		}
		o := claim()
		// Sub-second times are rounded up: never due early.
		modeltest.Must(t, s.MarkRetry(ctx, o.ID, "a", t0.Add(4500*time.Millisecond), "timeout"), "MarkRetry")
		got := outboxOf(t, s, 1)[0]
		if got.Attempts != 1 || got.LastError != "timeout" || !got.NextAttemptAt.Equal(t0.Add(5*time.Second)) ||
			got.Status != models.OutboxPending || got.LeaseOwner != "" || got.LeaseUntil != nil {
			t.Errorf("after MarkRetry row = %+v; want 1 attempt, due at +5s, lease released", got)
		}
		clock.Add(4 * time.Second)
		if rows, _ := s.ClaimOutbox(ctx, "a", time.Minute, 10); len(rows) != 0 {
			t.Errorf("claimed before it was due")
		}
		clock.Add(time.Second)
		o = claim()
		modeltest.Must(t, s.Postpone(ctx, o.ID, "a", t0.Add(time.Minute)), "Postpone")
		got = outboxOf(t, s, 1)[0]
		if got.Attempts != 1 || !got.NextAttemptAt.Equal(t0.Add(time.Minute)) || got.LeaseOwner != "" {
			t.Errorf("after Postpone row = %+v; want still 1 attempt, due at +1m", got)
		}
		if err := s.Postpone(ctx, o.ID, "a", t0); !errors.Is(err, models.ErrConflict) {
			t.Errorf("Postpone without a lease = %v; want ErrConflict", err)
		}
	})
}

func TestFailedOutboxAndRetry(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		s.Now = clock.Now
		enqueue(t, s, message(1, "ok"))
		enqueue(t, s, message(1, "bad"))
		rows, err := s.ClaimOutbox(ctx, "a", time.Minute, 10)
		modeltest.Must(t, err, "ClaimOutbox")
		if len(rows) != 2 {
			t.Fatalf("claimed %d; want 2", len(rows))
		}
		modeltest.Must(t, s.MarkSent(ctx, rows[0].ID, "a"), "MarkSent")
		modeltest.Must(t, s.MarkFailed(ctx, rows[1].ID, "a", "errcode 40001"), "MarkFailed")
		failed, err := s.FailedOutbox(ctx, 10)
		modeltest.Must(t, err, "FailedOutbox")
		if len(failed) != 1 || failed[0].ID != rows[1].ID || failed[0].Status != models.OutboxFailed ||
			failed[0].Attempts != 1 || failed[0].LastError != "errcode 40001" || failed[0].LeaseOwner != "" {
			t.Fatalf("FailedOutbox = %+v; want the bad row, failed after 1 attempt", failed)
		}
		clock.Add(time.Hour)
		if rows, _ := s.ClaimOutbox(ctx, "a", time.Minute, 10); len(rows) != 0 {
			t.Errorf("claimed %d failed rows; want 0", len(rows))
		}
		if err := s.RetryOutbox(ctx, rows[0].ID); !errors.Is(err, models.ErrConflict) {
			t.Errorf("RetryOutbox(sent row) = %v; want ErrConflict", err)
		}
		if err := s.RetryOutbox(ctx, 999); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RetryOutbox(999) = %v; want ErrNotFound", err)
		}
		modeltest.Must(t, s.RetryOutbox(ctx, rows[1].ID), "RetryOutbox")
		if err := s.RetryOutbox(ctx, rows[1].ID); !errors.Is(err, models.ErrConflict) {
			t.Errorf("second RetryOutbox = %v; want ErrConflict", err)
		}
		if failed, _ := s.FailedOutbox(ctx, 10); len(failed) != 0 {
			t.Errorf("FailedOutbox after retry = %d rows; want 0", len(failed))
		}
		again, err := s.ClaimOutbox(ctx, "b", time.Minute, 10)
		modeltest.Must(t, err, "ClaimOutbox after retry")
		if len(again) != 1 || again[0].ID != rows[1].ID || again[0].Attempts != 0 {
			t.Errorf("claimed %+v; want the retried row with a fresh count", again)
		}
	})
}
