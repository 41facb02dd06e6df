package models

import (
	"errors"
	"fmt"
)

// EnqueueAll adds messages to the outbox as Enqueue does, in one multi-row
// INSERT: the cards of one event to several people cost one round trip.
// Unlike Enqueue it does not report the new rows' ids (each o.ID is 0).
// If a DedupKey is already in the outbox the messages are added one by one
// and that one is skipped, as Enqueue skips it.
func (tx *Tx) EnqueueAll(msgs []*Outbox) error {
	if len(msgs) == 0 {
		return nil
	}
	now := tx.Now()
	for _, o := range msgs {
		if o.Platform == "" || o.Target == "" || o.DedupKey == "" {
			return errors.New("enqueue message: platform, target and dedup key are required")
		}
		// The columns and values Enqueue writes through gorm; NULL ones are left out.
		o.ID, o.Status, o.Attempts, o.NextAttemptAt = 0, OutboxPending, 0, now
		o.LeaseOwner, o.LeaseUntil, o.SentAt = "", nil, nil
		o.CreatedAt, o.UpdatedAt = now, now
	}
	q, args := outboxInsert(msgs)
	if tx.s.driver == "postgres" {
		// A duplicate would abort the transaction there: skip it instead.
		q += " ON CONFLICT DO NOTHING"
	}
	_, err := tx.exec(q, args...)
	if errors.Is(translate(err), ErrDuplicate) {
		// The failed statement wrote nothing; the transaction goes on.
		for _, o := range msgs {
			if err := tx.Enqueue(o); err != nil {
				return err
			}
			o.ID = 0
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %d %s messages: %w", len(msgs), msgs[0].Platform, err)
	}
	return nil
}

// outboxInsert is the multi-row INSERT of msgs, with the columns and values
// Enqueue writes through gorm (NULL ones left out).
func outboxInsert(msgs []*Outbox) (string, []any) {
	args := make([]any, 0, 13*len(msgs))
	for _, o := range msgs {
		args = append(args, o.Platform, o.Target, o.Kind, o.Payload,
			o.CaseID, o.DedupKey, o.Status, o.NextAttemptAt, o.Ref, o.ResponseCode, o.LastError, o.CreatedAt, o.UpdatedAt)
	}
	return multiRowInsert("INSERT INTO outboxes (platform, target, kind, payload, case_id, dedup_key, status, attempts, next_attempt_at, "+
		"ref, response_code, lease_owner, last_error, created_at, updated_at)", "(?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, '', ?, ?, ?)", len(msgs)), args
}
