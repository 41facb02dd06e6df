package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Enqueue adds message o to the outbox inside the transaction that makes the
// change it reports, so that the change and the message commit together.
// Platform, Target and DedupKey are required. The message starts pending and
// due now; Status, Attempts, NextAttemptAt, the lease, SentAt and CreatedAt
// are set here, whatever o held.
//
// A message whose DedupKey is already in the outbox is not an error: nothing
// is written and o.ID stays 0, so that a rerun of a job occurrence sends
// nothing twice. On success o.ID is the new row's id.
func (tx *Tx) Enqueue(o *Outbox) error {
	if o.Platform == "" || o.Target == "" || o.DedupKey == "" {
		return errors.New("enqueue message: platform, target and dedup key are required")
	}
	now := tx.Now()
	o.ID = 0
	o.Status = OutboxPending
	o.Attempts = 0
	o.NextAttemptAt = now
	o.LeaseOwner, o.LeaseUntil, o.SentAt = "", nil, nil
	o.CreatedAt, o.UpdatedAt = now, now
	fresh, err := tx.createOnce(o)
	if err != nil {
		return fmt.Errorf("enqueue %s message %s: %w", o.Platform, o.DedupKey, err)
	}
	if !fresh {
		o.ID = 0
	}
	return nil
}

// Enqueue adds message o to the outbox in a transaction of its own; see
// Tx.Enqueue. Prefer Tx.Enqueue in the transaction that causes the message.
func (s *Store) Enqueue(ctx context.Context, o *Outbox) error {
	return s.inTx(ctx, func(tx *Tx) error { return tx.Enqueue(o) })
}

// ClaimOutbox leases up to limit pending messages that are due and not leased
// by anyone (or whose lease has expired) to owner until now+lease, oldest due
// first, and returns them with their lease set. Several server instances may
// claim at once on one database: every message goes to exactly one of them.
// The lease is the claimer's promise to mark each message (MarkSent,
// MarkRetry, Postpone, MarkFailed) before it ends; once it has ended,
// another owner may claim the message again.
//
// On MySQL and PostgreSQL the due rows are read FOR UPDATE SKIP LOCKED, so
// claimers pass each other by instead of waiting; on a server that does not
// know SKIP LOCKED (found out on the first claim) they are read plainly.
// Either way the UPDATE that takes the lease repeats the condition, so a row
// another claimer took meanwhile stays its own.
//
// It returns no sentinel error; an empty slice means there is nothing to do.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, lease time.Duration, limit int) ([]Outbox, error) {
	if owner == "" || lease <= 0 {
		return nil, errors.New("claim outbox: owner and a positive lease are required")
	}
	if limit <= 0 {
		return nil, nil
	}
	var out []Outbox
	claim := func(db *gorm.DB) error {
		now := s.now()
		until := now.Add(lease)
		due := "status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
		q := db.Where(due, OutboxPending, now, now).Order("next_attempt_at, id").Limit(limit)
		if s.skipLocked.Load() {
			// Rows another instance is claiming are skipped, not waited for.
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
		}
		// On SQLite the transaction began IMMEDIATE: it is the only writer.
		var rows []Outbox
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]uint64, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		// The lease claim: a row is taken only if it is still due and not
		// leased, whatever the SELECT saw. With the rows locked this is
		// always so; without SKIP LOCKED another claimer may have taken
		// some of them meanwhile, and keeps them.
		res := db.Model(&Outbox{}).Where("id IN ? AND "+due, ids, OutboxPending, now, now).
			Updates(map[string]any{"lease_owner": owner, "lease_until": until, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected < int64(len(rows)) {
			// Some were taken: read back the ones this claim holds.
			rows = nil
			if res.RowsAffected > 0 {
				err := db.Where("id IN ? AND lease_owner = ? AND lease_until = ?", ids, owner, until).
					Order("next_attempt_at, id").Find(&rows).Error
				if err != nil {
					return err
				}
			}
			out = rows
			return nil
		}
		for i := range rows {
			rows[i].LeaseOwner = owner
			rows[i].LeaseUntil = &until
			rows[i].UpdatedAt = now
		}
		out = rows
		return nil
	}
	opts := &sql.TxOptions{}
	if s.driver == "mysql" {
		// No gap locks: a claim must not hold up the transactions enqueuing.
		opts.Isolation = sql.LevelReadCommitted
	}
	err := s.db.WithContext(ctx).Transaction(claim, opts)
	if err != nil && s.skipLocked.Load() && syntaxError(err) {
		// A server that does not know SKIP LOCKED (MariaDB before 10.6,
		// some MySQL-compatible engines): the lease claim alone, from now on.
		s.skipLocked.Store(false)
		slog.Warn("outbox claim without SKIP LOCKED: the database does not know it", "driver", s.driver, "err", err)
		out = nil
		err = s.db.WithContext(ctx).Transaction(claim, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("claim outbox for %s: %w", owner, err)
	}
	return out, nil
}

// MarkSent records that message id was delivered; LastError keeps the last
// failure, if any, for the record. Only the owner of the
// lease may mark it: a mark by an owner whose lease another owner has taken
// over (or a message no longer pending) returns ErrConflict; an unknown id
// returns ErrNotFound.
func (s *Store) MarkSent(ctx context.Context, id uint64, owner string) error {
	now := s.now()
	return s.markLeased(ctx, "mark sent", id, owner, map[string]any{
		"status": OutboxSent, "sent_at": now,
	})
}

// MarkRetry records a failed attempt at message id and makes it due again
// at next: Attempts goes up by one, errText becomes LastError and the lease
// is released. Returns ErrConflict if owner no longer holds the lease,
// ErrNotFound for an unknown id.
func (s *Store) MarkRetry(ctx context.Context, id uint64, owner string, next time.Time, errText string) error {
	return s.markLeased(ctx, "mark retry", id, owner, map[string]any{
		"attempts": gorm.Expr("attempts + 1"), "next_attempt_at": ceilSecond(next), "last_error": errText,
	})
}

// Postpone releases message id without counting an attempt and makes it due
// again at next; for limits of our own, such as a group's messages per
// minute. Returns ErrConflict if owner no longer holds the lease,
// ErrNotFound for an unknown id.
func (s *Store) Postpone(ctx context.Context, id uint64, owner string, next time.Time) error {
	return s.markLeased(ctx, "postpone", id, owner, map[string]any{
		"next_attempt_at": ceilSecond(next),
	})
}

// MarkFailed gives up on message id after a failed attempt: it counts the
// attempt, keeps errText as LastError and sets the status failed, where it
// waits for a person (FailedOutbox, RetryOutbox). Returns ErrConflict if
// owner no longer holds the lease, ErrNotFound for an unknown id.
func (s *Store) MarkFailed(ctx context.Context, id uint64, owner, errText string) error {
	return s.markLeased(ctx, "mark failed", id, owner, map[string]any{
		"status": OutboxFailed, "attempts": gorm.Expr("attempts + 1"), "last_error": errText,
	})
}

// markLeased applies upd to pending message id if owner holds its lease,
// and releases the lease.
func (s *Store) markLeased(ctx context.Context, op string, id uint64, owner string, upd map[string]any) error {
	if owner == "" {
		return fmt.Errorf("%s outbox %d: owner is required", op, id)
	}
	upd["lease_owner"] = ""
	upd["lease_until"] = nil
	upd["updated_at"] = s.now()
	res := s.db.WithContext(ctx).Model(&Outbox{}).
		Where("id = ? AND lease_owner = ? AND status = ?", id, owner, OutboxPending).
		Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("%s outbox %d: %w", op, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s outbox %d by %s: %w", op, id, owner, s.missingOrConflict(ctx, id))
	}
	return nil
}

// missingOrConflict tells why an update of outbox id matched nothing.
func (s *Store) missingOrConflict(ctx context.Context, id uint64) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Outbox{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return ErrConflict
}

// FailedOutbox lists up to limit messages that were given up on, the oldest
// first, for the dispatcher. It returns no sentinel error.
func (s *Store) FailedOutbox(ctx context.Context, limit int) ([]Outbox, error) {
	var out []Outbox
	err := s.db.WithContext(ctx).Where("status = ?", OutboxFailed).Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list failed outbox: %w", err)
	}
	return out, nil
}

// RetryOutbox puts failed message id back in the queue, due now and with a
// fresh count of attempts (LastError is kept until the next attempt); the
// dispatcher's retry button. Returns ErrNotFound for an unknown id and
// ErrConflict if the message is not failed (already retried, or sent).
func (s *Store) RetryOutbox(ctx context.Context, id uint64) error {
	now := s.now()
	res := s.db.WithContext(ctx).Model(&Outbox{}).
		Where("id = ? AND status = ?", id, OutboxFailed).
		Updates(map[string]any{
			"status": OutboxPending, "attempts": 0, "next_attempt_at": now,
			"lease_owner": "", "lease_until": nil, "updated_at": now,
		})
	if res.Error != nil {
		return fmt.Errorf("retry outbox %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("retry outbox %d: %w", id, s.missingOrConflict(ctx, id))
	}
	return nil
}

// OutboxByCase lists the messages caused by case caseID, oldest first,
// whatever their status. It returns no sentinel error.
func (s *Store) OutboxByCase(ctx context.Context, caseID uint64) ([]Outbox, error) {
	var out []Outbox
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("outbox of case %d: %w", caseID, err)
	}
	return out, nil
}

// syntaxError reports a statement the server could not parse or does not
// support: MySQL's ER_PARSE_ERROR (1064), PostgreSQL's syntax_error (42601)
// and feature_not_supported (0A000).
func syntaxError(err error) bool {
	var me *mysql.MySQLError
	var pe *pgconn.PgError
	return errors.As(err, &me) && me.Number == 1064 || errors.As(err, &pe) && (pe.Code == "42601" || pe.Code == "0A000")
}

// ceilSecond is t in UTC rounded up to the second the databases keep: a
// message is never due before the time asked for.
func ceilSecond(t time.Time) time.Time {
	t = t.UTC()
	if r := t.Truncate(time.Second); r.Before(t) {
		return r.Add(time.Second)
	}
	return t
}
