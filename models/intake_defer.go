package models

import (
	"strings"
)

// Inside receiveMySQL, once OpenCase has opened a case, the rows the
// transaction writes for it (its entries, the messages about it) are held
// back and written in the last packet, the one that takes the case's number
// and commits (recordReply): their text carries the number's placeholder,
// which the server replaces there with the number itself. Held in the order
// they were written, so a case's entries keep their order.

// numberSQL is the new case's number in the last packet, as fmt's "%s%03d"
// of the day (its one argument) and @ms_seq, which that packet sets from the
// day's sequence. An integer variable: a string one would carry the
// connection's collation into REPLACE beside the columns' own.
const numberSQL = "CONCAT(?, LPAD(@ms_seq, GREATEST(3, CHAR_LENGTH(@ms_seq)), '0'))"

// deferring reports whether writes about the case are held for the last
// packet.
func (tx *Tx) deferring() bool { return tx.numbered != nil }

// text is an argument of a held statement: a plain ? for text without the
// placeholder, or REPLACE(?, placeholder, number) for text with it. It
// returns the SQL, its arguments, and whether it needs the number.
func (tx *Tx) text(s string) (string, []any, bool) {
	ph := tx.numbered.No
	if !strings.Contains(s, ph) {
		return plain(s)
	}
	return "REPLACE(?, ?, " + numberSQL + ")", []any{s, ph, tx.day}, true
}

// hold adds a statement to the last packet.
func (tx *Tx) hold(query string, args []any, needsNumber bool) {
	tx.held = append(tx.held, stmt{query: query, args: args, number: needsNumber})
}

// holdEvent holds case k's entry e for the last packet.
func (tx *Tx) holdEvent(e *CaseEvent) {
	body, args, n := tx.text(e.Body)
	tx.hold("INSERT INTO case_events (case_id, kind, actor_kind, actor_id, actor_name, platform, from_state, to_state, body, created_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, "+body+", ?)",
		append(append([]any{e.CaseID, e.Kind, e.ActorKind, e.ActorID, e.ActorName, e.Platform, e.FromState, e.ToState}, args...), e.CreatedAt), n)
}

// holdOutbox holds outbox rows for the last packet, in one INSERT; a dedup
// key already in the outbox skips its row, as Enqueue skips it.
func (tx *Tx) holdOutbox(msgs []*Outbox) {
	q, args, n := outboxInsert(msgs, tx.text)
	tx.hold(q+" ON DUPLICATE KEY UPDATE id = id", args, n)
}
