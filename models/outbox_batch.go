package models

import (
	"errors"
	"fmt"
	"strings"
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
	if tx.deferring() {
		// Inside Receive on MySQL once a case is opened: written in the
		// last packet, where its number replaces the placeholder
		// (intake_defer.go).
		tx.holdOutbox(msgs)
		return nil
	}
	q, args, _ := outboxInsert(msgs, plain)
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
// Enqueue writes through gorm (NULL ones left out); payload renders each
// payload's SQL and arguments. It also reports whether any payload needs
// the new case's number (intake_defer.go).
func outboxInsert(msgs []*Outbox, payload func(string) (string, []any, bool)) (string, []any, bool) {
	var q strings.Builder
	q.WriteString("INSERT INTO outboxes (platform, target, kind, payload, case_id, dedup_key, status, attempts, next_attempt_at, " +
		"ref, response_code, lease_owner, last_error, created_at, updated_at) VALUES ")
	args := make([]any, 0, 13*len(msgs))
	number := false
	for i, o := range msgs {
		if i > 0 {
			q.WriteString(", ")
		}
		p, pargs, n := payload(o.Payload)
		number = number || n
		q.WriteString("(?, ?, ?, " + p + ", ?, ?, ?, 0, ?, ?, ?, '', ?, ?, ?)")
		args = append(append(append(args, o.Platform, o.Target, o.Kind), pargs...),
			o.CaseID, o.DedupKey, o.Status, o.NextAttemptAt, o.Ref, o.ResponseCode, o.LastError, o.CreatedAt, o.UpdatedAt)
	}
	return q.String(), args, number
}

// plain is a text argument as it is.
func plain(s string) (string, []any, bool) { return "?", []any{s}, false }
