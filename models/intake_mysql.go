package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// receiveMySQL is Receive's transaction on MySQL, begun and ended by hand on
// one connection so that its statements travel in few packets: a new
// citizen's report is three round trips where a plain transaction of the
// same rows takes eight (see minsheng bench):
//
//  1. START TRANSACTION, the inbound message (its unique key first, so a
//     concurrent retry waits here for us) and the citizen's upsert;
//  2. the case (OpenCase), for its id;
//  3. its first entry, the outbox rows queued since, the day's case number,
//     the reply and COMMIT (recordReply; intake_defer.go).
//
// The day's number row, which every intake of the day needs, is held only
// while the server runs the last packet: no round trip of ours, no wait for
// this process to be scheduled, happens while others queue for it. decide
// may read and write through tx as in any other transaction; what it does
// costs round trips of its own. A deadlock is retried as inTx retries it;
// any other failure rolls back.
func (s *Store) receiveMySQL(ctx context.Context, in Inbound, decide func(tx *Tx, c *Citizen) (Receipt, error)) (Receipt, error) {
	var (
		out Receipt
		err error
	)
	for attempt := 1; attempt <= txAttempts; attempt++ {
		out, err = s.receiveOnce(ctx, in, decide)
		if !deadlocked(err) || ctx.Err() != nil {
			break
		}
	}
	return out, err
}

func (s *Store) receiveOnce(ctx context.Context, in Inbound, decide func(tx *Tx, c *Citizen) (Receipt, error)) (Receipt, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return Receipt{}, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return Receipt{}, fmt.Errorf("connect: %w", err)
	}
	db := s.db.Session(&gorm.Session{Context: ctx, NewDB: true, SkipDefaultTransaction: true})
	db.Statement.ConnPool = connPool{conn}
	tx := &Tx{db: db, s: s, manual: true}
	defer func() {
		if !tx.committed {
			// Also after a failed START TRANSACTION or a broken connection:
			// ROLLBACK without a transaction does nothing, and a connection
			// the driver found broken is not reused.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			_, _ = conn.ExecContext(rctx, "ROLLBACK")
			cancel()
		}
		conn.Close()
	}()
	now := tx.Now()
	res, err := tx.exec("START TRANSACTION; "+
		"INSERT INTO inbound_messages (platform, dedup_key, citizen_id, msg_type, content, outcome, case_id, reply, created_at) "+
		"VALUES (?, ?, 0, ?, ?, 'pending', 0, '', ?); "+
		"INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, '', ?, ?) "+
		"ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), last_message_at = ?",
		in.Platform, in.DedupKey, in.MsgType, in.Content, now,
		in.OpenID, now, now, now)
	if err != nil {
		return Receipt{}, fmt.Errorf("record inbound message: %w", translate(err))
	}
	tx.inbound = &in
	c, err := tx.citizenFrom(res, in.OpenID, now)
	if err != nil {
		return Receipt{}, err
	}
	r, err := decide(tx, c)
	if err != nil {
		return Receipt{}, err
	}
	ph := ""
	if tx.numbered != nil {
		ph = tx.numbered.No
	}
	no, err := tx.recordReply(0, c, r)
	if err != nil {
		return Receipt{}, err
	}
	if !tx.committed {
		return Receipt{}, errors.New("receive: the reply's packet did not commit")
	}
	if no != "" {
		r.Reply, r.CaseNo = strings.ReplaceAll(r.Reply, ph, no), no
	}
	return r, nil
}

// connPool is the connection of receiveMySQL as gorm's pool, without
// BeginTx: gorm must not begin a transaction of its own on it, which would
// commit ours (MySQL commits an open transaction at START TRANSACTION). A
// gorm Transaction inside decide fails instead.
type connPool struct{ c *sql.Conn }

func (p connPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.c.PrepareContext(ctx, query)
}

func (p connPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.c.ExecContext(ctx, query, args...)
}

func (p connPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.c.QueryContext(ctx, query, args...)
}

func (p connPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.c.QueryRowContext(ctx, query, args...)
}
