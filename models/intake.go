package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// Inbound is a citizen's message as the platform delivered it.
type Inbound struct {
	Platform string
	// DedupKey is unique per message on the platform (MsgId, or sender+time for events).
	DedupKey string
	OpenID   string
	MsgType  string
	Content  string
}

// Receipt is what became of an inbound message.
type Receipt struct {
	// Reply is the text answered to the citizen.
	Reply string
	// Outcome is a short word for the record: case, repeat, query, rate_limited…
	Outcome string
	// CaseID is the case the message opened or touched, if any.
	CaseID uint64
	// Retry is true when this was a platform's retry of a message already handled.
	Retry bool
	// CaseNo is the number of the case the message opened, if it opened one.
	CaseNo string
}

// Receive records an inbound message exactly once and runs decide in the same
// transaction, so that the message, whatever it caused and the reply are
// committed together before the reply goes out. A retry of a message already
// committed (same platform and dedup key) gets the stored receipt with Retry
// set, and decide is not run again.
func (s *Store) Receive(ctx context.Context, in Inbound, decide func(tx *Tx, c *Citizen) (Receipt, error)) (Receipt, error) {
	if in.Platform == "" || in.DedupKey == "" || in.OpenID == "" {
		return Receipt{}, errors.New("receive message: platform, dedup key and sender are required")
	}
	// Outside the transaction: on the first intake after a change of the
	// organisation, read the dispatchers and units once for all (orgcache.go).
	s.warmDirectory(ctx)
	var (
		out Receipt
		err error
	)
	if s.driver == "mysql" {
		out, err = s.receiveMySQL(ctx, in, decide) // intake_mysql.go
	} else {
		err = s.inTx(ctx, func(tx *Tx) error {
			out, err = tx.receive(in, decide)
			return err
		})
	}
	if errors.Is(err, ErrDuplicate) {
		var prev InboundMessage
		e := s.db.WithContext(ctx).Where("platform = ? AND dedup_key = ?", in.Platform, in.DedupKey).First(&prev).Error
		if e != nil {
			return Receipt{}, fmt.Errorf("find first delivery of %s message: %w", in.Platform, translate(e))
		}
		return Receipt{Reply: prev.Reply, Outcome: prev.Outcome, CaseID: prev.CaseID, Retry: true}, nil
	}
	if err != nil {
		return Receipt{}, fmt.Errorf("receive %s message: %w", in.Platform, err)
	}
	return out, nil
}

// receive is Receive's transaction in plain statements (SQLite).
func (tx *Tx) receive(in Inbound, decide func(tx *Tx, c *Citizen) (Receipt, error)) (Receipt, error) {
	now := tx.Now()
	// The unique key is taken first: a concurrent retry waits here for us.
	res, err := tx.exec("INSERT INTO inbound_messages (platform, dedup_key, citizen_id, msg_type, content, outcome, case_id, reply, created_at) "+
		"VALUES (?, ?, 0, ?, ?, 'pending', 0, '', ?)", in.Platform, in.DedupKey, in.MsgType, in.Content, now)
	if err != nil {
		return Receipt{}, fmt.Errorf("record inbound message: %w", translate(err))
	}
	msgID, err := res.LastInsertId()
	if err != nil {
		return Receipt{}, fmt.Errorf("record inbound message: %w", err)
	}
	c, err := tx.citizen(in.OpenID, now)
	if err != nil {
		return Receipt{}, err
	}
	r, err := decide(tx, c)
	if err != nil {
		return Receipt{}, err
	}
	if _, err := tx.recordReply(msgID, c, r); err != nil {
		return Receipt{}, err
	}
	return r, nil
}

// citizen finds or creates the citizen with openid and notes the message time.
func (tx *Tx) citizen(openID string, now time.Time) (*Citizen, error) {
	insert := "INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, '', ?, ?) ON CONFLICT(open_id) DO NOTHING"
	res := tx.db.Exec(insert, openID, now, now)
	if res.Error != nil {
		return nil, fmt.Errorf("create citizen: %w", translate(res.Error))
	}
	fresh := res.RowsAffected == 1
	var c Citizen
	if err := tx.db.Where("open_id = ?", openID).First(&c).Error; err != nil {
		return nil, fmt.Errorf("find citizen: %w", translate(err))
	}
	upd := map[string]any{"last_message_at": now}
	if c.Alias == "" {
		c.Alias = CitizenAlias(c.ID)
		upd["alias"] = c.Alias
	}
	c.LastMessageAt, c.fresh = now, fresh
	if err := tx.db.Model(&Citizen{}).Where("id = ?", c.ID).Updates(upd).Error; err != nil {
		return nil, fmt.Errorf("update citizen: %w", err)
	}
	return &c, nil
}

// citizenFrom reads the result of the citizen's upsert on MySQL
// (receiveMySQL), which notes the message time and hands back the row's id
// either way (LAST_INSERT_ID), and says by its affected-row count (1)
// whether it created the row; an old citizen is then read, a new one only
// needs its alias, which recordReply writes with the reply.
func (tx *Tx) citizenFrom(res sql.Result, openID string, now time.Time) (*Citizen, error) {
	id, err1 := res.LastInsertId()
	n, err2 := res.RowsAffected()
	if err1 != nil || err2 != nil || id <= 0 {
		return nil, fmt.Errorf("create citizen: no id came back (%v, %v)", err1, err2)
	}
	c := Citizen{ID: uint64(id)}
	if n == 1 { // inserted: nothing to read, and no case yet
		c.OpenID, c.CreatedAt, c.fresh = openID, now, true
	} else if err := tx.db.First(&c, id).Error; err != nil {
		return nil, fmt.Errorf("find citizen: %w", translate(err))
	}
	c.LastMessageAt = now
	if c.Alias == "" {
		// Written with the reply (recordReply), in the same statement.
		c.Alias = CitizenAlias(c.ID)
		tx.aliasOf = &c
	}
	return &c, nil
}

// recordReply completes the inbound message (msgID; on MySQL the one of
// tx.inbound, by its unique key) with what it became.
//
// On MySQL (receiveMySQL) what the transaction still has to write goes in one
// packet that ends with the COMMIT: a new citizen's alias (citizenFrom), the
// reply and, when the message opened a case, what was held for it
// (intake_defer.go) and the day's next number, which takes the
// placeholder's place in the case, the reply and the held rows. The day's
// sequence row is held from that statement to the COMMIT, by the server
// alone; what does not need the number goes before it. A packet either runs
// to its COMMIT or stops at its first error, which rolls back. It returns
// the number ("" when no case was opened).
func (tx *Tx) recordReply(msgID int64, c *Citizen, r Receipt) (string, error) {
	if !tx.manual {
		_, err := tx.exec("UPDATE inbound_messages SET citizen_id = ?, outcome = ?, case_id = ?, reply = ? WHERE id = ?",
			c.ID, r.Outcome, r.CaseID, r.Reply, msgID)
		if err != nil {
			return "", fmt.Errorf("record reply: %w", err)
		}
		return "", nil
	}
	var before []stmt // what does not need the number, in order
	if a := tx.aliasOf; a != nil {
		before = append(before, stmt{query: "UPDATE citizens SET alias = ? WHERE id = ?", args: []any{a.Alias, a.ID}})
	}
	held := tx.held
	for len(held) > 0 && !held[0].number {
		before, held = append(before, held[0]), held[1:]
	}
	k := tx.numbered
	var after []stmt
	if k != nil {
		reply, rargs, _ := tx.text(r.Reply)
		after = append(after,
			stmt{query: "INSERT INTO case_sequences (day, seq) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + 1)", args: []any{tx.day}},
			stmt{query: "SET @ms_seq = LAST_INSERT_ID()"})
		after = append(after, held...)
		after = append(after,
			stmt{query: "UPDATE cases SET no = " + numberSQL + " WHERE id = ?", args: []any{tx.day, k.ID}},
			stmt{query: "UPDATE inbound_messages SET citizen_id = ?, outcome = ?, case_id = ?, reply = " + reply + " WHERE platform = ? AND dedup_key = ?",
				args: append(append([]any{c.ID, r.Outcome, r.CaseID}, rargs...), tx.inbound.Platform, tx.inbound.DedupKey)})
	} else {
		before = append(before, stmt{query: "UPDATE inbound_messages SET citizen_id = ?, outcome = ?, case_id = ?, reply = ? WHERE platform = ? AND dedup_key = ?",
			args: []any{c.ID, r.Outcome, r.CaseID, r.Reply, tx.inbound.Platform, tx.inbound.DedupKey}})
	}
	var q strings.Builder
	var args []any
	for _, s := range append(before, after...) {
		q.WriteString(s.query)
		q.WriteString("; ")
		args = append(args, s.args...)
	}
	q.WriteString("COMMIT")
	tx.numbered, tx.aliasOf, tx.held = nil, nil, nil
	if k == nil {
		if _, err := tx.exec(q.String(), args...); err != nil {
			return "", fmt.Errorf("record reply and commit: %w", err)
		}
		tx.committed = true
		return "", nil
	}
	q.WriteString("; SELECT @ms_seq")
	var seq int64
	if err := tx.queryRow(&seq, q.String(), args...); err != nil {
		return "", fmt.Errorf("number case %d, record reply and commit: %w", k.ID, err)
	}
	tx.committed = true
	if seq <= 0 {
		return "", fmt.Errorf("case %d committed, but its number did not come back", k.ID)
	}
	return fmt.Sprintf("%s%03d", tx.day, seq), nil
}

// exec runs a statement in the transaction and returns its sql.Result,
// which gorm's Exec does not: the insert id and the affected-row count.
func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	ctx, err := tx.open()
	if err != nil {
		return nil, err
	}
	return tx.db.Statement.ConnPool.ExecContext(ctx, query, args...)
}

// open returns the transaction's context, or an error once the intake's
// last packet has committed it (nothing may be written after).
func (tx *Tx) open() (context.Context, error) {
	if tx.committed {
		return nil, errors.New("transaction already committed by the intake's last packet")
	}
	if ctx := tx.db.Statement.Context; ctx != nil {
		return ctx, nil
	}
	return context.Background(), nil
}

// NewCase is what opening a case needs.
type NewCase struct {
	Content  string
	Kind     string
	Severity Severity
	// AckWithin is the acknowledgement clock (calendar hours).
	AckWithin time.Duration
	Platform  string
}

// OpenCase opens a case for citizen c with the next number of today.
//
// The case and its first entry are written before the number is taken:
// from the number on, the day's sequence row is held until commit and every
// intake of the day waits for it. Until then the row's number is NULL (which
// its unique key lets many rows have), seen by this transaction only.
//
// Inside Receive on MySQL (receiveMySQL) the number is taken in the
// transaction's last packet, the one that commits (recordReply): until then
// the case's No is a placeholder (Placeholder), unique to this transaction,
// which everything written with the number carries (the reply, the cards in
// the outbox) and the server replaces with the number in that packet. The
// day's row is then held for the server's own work on one packet.
func (tx *Tx) OpenCase(c *Citizen, n NewCase) (*Case, error) {
	now := tx.Now()
	sev := n.Severity
	if sev == "" {
		sev = SeverityGeneral
	}
	k := Case{
		CitizenID: c.ID, Content: n.Content, ContentHash: TextHash(n.Content),
		Status: StatusReceived, Severity: sev, Kind: n.Kind,
		ReceivedAt: now, AckDueAt: now.Add(n.AckWithin), CreatedAt: now, UpdatedAt: now,
	}
	day := now.In(tx.s.Location).Format("20060102")
	// The columns gorm's Create writes, without its machinery; NULL ones are
	// left out (TestIntakeRowsAsGormWritesThem keeps the list in step with Case).
	res, err := tx.exec("INSERT INTO cases (citizen_id, content, content_hash, status, severity, kind, received_at, ack_due_at, "+
		"repeats, answer, created_at, updated_at, rating, reopens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?, '', 0)",
		k.CitizenID, k.Content, k.ContentHash, k.Status, k.Severity, k.Kind, k.ReceivedAt, k.AckDueAt, k.CreatedAt, k.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("open case: %w", translate(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("open case: %w", err)
	}
	k.ID = uint64(id)
	c.fresh = false
	if tx.manual && tx.numbered == nil {
		// receiveMySQL: the number, and what carries it, in the last
		// packet (intake_defer.go), the entry with them to keep the order.
		k.No = newPlaceholder()
		tx.numbered, tx.day = &k, day
		if err := tx.addEvent(&k, c, n.Platform, EventReceived, "", StatusReceived, n.Content); err != nil {
			return nil, err
		}
		return &k, nil
	}
	if err := tx.addEvent(&k, c, n.Platform, EventReceived, "", StatusReceived, n.Content); err != nil {
		return nil, err
	}
	if k.No, err = tx.nextNo(day); err != nil {
		return nil, err
	}
	if _, err := tx.exec("UPDATE cases SET no = ? WHERE id = ?", k.No, k.ID); err != nil {
		return nil, fmt.Errorf("open case %s: %w", k.No, translate(err))
	}
	return &k, nil
}

// queryRow runs a statement, or a packet of statements, in the transaction
// and scans the single value of its one result set into dst.
func (tx *Tx) queryRow(dst any, query string, args ...any) error {
	ctx, err := tx.open()
	if err != nil {
		return err
	}
	rows, err := tx.db.Statement.ConnPool.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("no result came back")
	}
	if err := rows.Scan(dst); err != nil {
		return err
	}
	return rows.Close()
}

// Placeholder is how a new case's number looks inside receiveMySQL's
// transaction before its last packet: "MSNO" and 16 letters, random, so
// that nothing else carries it. Letters only: no masking rule, JSON,
// Markdown or button-key syntax touches them.
const placeholderPrefix = "MSNO"

func newPlaceholder() string {
	var b [16]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return placeholderPrefix + string(b[:])
}

// nextNo allocates the next case number of day (YYYYMMDD) atomically: the
// sequence row is locked until the transaction ends, so numbers are unique
// across server instances sharing one database and a rolled-back intake
// leaves no gap. Every intake of the day waits for that row, so it is taken
// as late as possible and, on MySQL, in one round trip: LAST_INSERT_ID(expr)
// hands the new value back with the statement's result.
func (tx *Tx) nextNo(day string) (string, error) {
	if tx.s.driver == "mysql" {
		res, err := tx.exec("INSERT INTO case_sequences (day, seq) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + 1)", day)
		if err != nil {
			return "", fmt.Errorf("next case number of %s: %w", day, err)
		}
		if seq, err := res.LastInsertId(); err == nil && seq > 0 {
			return fmt.Sprintf("%s%03d", day, seq), nil
		}
		// No value came back (a proxy in between, say): read the row.
	} else if err := tx.db.Exec("INSERT INTO case_sequences (day, seq) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET seq = seq + 1", day).Error; err != nil {
		return "", fmt.Errorf("next case number of %s: %w", day, err)
	}
	var seq CaseSequence
	if err := tx.db.Where("day = ?", day).First(&seq).Error; err != nil {
		return "", fmt.Errorf("next case number of %s: %w", day, err)
	}
	return fmt.Sprintf("%s%03d", day, seq.Seq), nil
}

// addEvent records an entry of citizen c on case k, as Record does, in one
// plain INSERT.
func (tx *Tx) addEvent(k *Case, c *Citizen, platform string, kind EventKind, from, to Status, body string) error {
	a := CitizenActor(c, platform)
	if a.Platform == "" {
		a.Platform = "system"
	}
	if tx.deferring() { // intake_defer.go
		tx.holdEvent(&CaseEvent{CaseID: k.ID, Kind: kind, ActorKind: a.Kind, ActorID: a.ID, ActorName: a.Name,
			Platform: a.Platform, FromState: from, ToState: to, Body: body, CreatedAt: tx.Now()})
		return nil
	}
	_, err := tx.exec("INSERT INTO case_events (case_id, kind, actor_kind, actor_id, actor_name, platform, from_state, to_state, body, created_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", k.ID, kind, a.Kind, a.ID, a.Name, a.Platform, from, to, body, tx.Now())
	if err != nil {
		if k.No == "" { // OpenCase, before the number
			return fmt.Errorf("record %s on new case %d: %w", kind, k.ID, err)
		}
		return fmt.Errorf("record %s on case %s: %w", kind, k.No, err)
	}
	return nil
}

// CasesOpenedSince counts the cases citizen c opened at or after since.
func (tx *Tx) CasesOpenedSince(c *Citizen, since time.Time) (int64, error) {
	if c.fresh {
		return 0, nil
	}
	var n int64
	err := tx.db.Model(&Case{}).Where("citizen_id = ? AND received_at >= ?", c.ID, since.UTC()).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count cases of citizen %d: %w", c.ID, err)
	}
	return n, nil
}

// SameTextSince finds citizen c's newest case with the same text received at
// or after since; ErrNotFound if there is none.
func (tx *Tx) SameTextSince(c *Citizen, text string, since time.Time) (*Case, error) {
	if c.fresh {
		return nil, fmt.Errorf("find same text: %w", ErrNotFound)
	}
	var k Case
	err := tx.db.Where("citizen_id = ? AND content_hash = ? AND received_at >= ? AND duplicate_of_id IS NULL",
		c.ID, TextHash(text), since.UTC()).Order("received_at DESC, id DESC").First(&k).Error
	if err != nil {
		return nil, fmt.Errorf("find same text: %w", translate(err))
	}
	return &k, nil
}

// LinkRepeat records text as a repeated report (重复反映) of case k.
func (tx *Tx) LinkRepeat(k *Case, c *Citizen, platform, text string) error {
	res := tx.db.Model(&Case{}).Where("id = ?", k.ID).
		Updates(map[string]any{"repeats": gorm.Expr("repeats + 1"), "updated_at": tx.Now()})
	if res.Error != nil {
		return fmt.Errorf("link repeat to case %s: %w", k.No, res.Error)
	}
	k.Repeats++
	return tx.addEvent(k, c, platform, EventRepeat, "", "", text)
}

// CitizenCase returns case no if it belongs to citizen c; ErrNotFound otherwise,
// so that nobody learns whether another citizen's number exists.
func (tx *Tx) CitizenCase(c *Citizen, no string) (*Case, error) {
	var k Case
	if err := tx.db.Where("no = ? AND citizen_id = ?", no, c.ID).First(&k).Error; err != nil {
		return nil, fmt.Errorf("case %s of citizen %d: %w", no, c.ID, translate(err))
	}
	return &k, nil
}

// CitizenCases returns citizen c's cases, newest first, at most limit.
func (tx *Tx) CitizenCases(c *Citizen, limit int) ([]Case, error) {
	if c.fresh {
		return nil, nil
	}
	var out []Case
	if err := tx.db.Where("citizen_id = ?", c.ID).Order("received_at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("cases of citizen %d: %w", c.ID, err)
	}
	return out, nil
}

// NewestOpenCase returns citizen c's newest open case; ErrNotFound if none.
func (tx *Tx) NewestOpenCase(c *Citizen) (*Case, error) {
	if c.fresh {
		return nil, fmt.Errorf("newest open case of citizen %d: %w", c.ID, ErrNotFound)
	}
	var k Case
	open := []Status{StatusReceived, StatusAssigned, StatusHandling, StatusReviewing}
	err := tx.db.Where("citizen_id = ? AND status IN ?", c.ID, open).Order("received_at DESC, id DESC").First(&k).Error
	if err != nil {
		return nil, fmt.Errorf("newest open case of citizen %d: %w", c.ID, translate(err))
	}
	return &k, nil
}

// AddSupplement records more information (补充) from the citizen on case k.
func (tx *Tx) AddSupplement(k *Case, c *Citizen, platform, text string) error {
	if err := tx.db.Model(&Case{}).Where("id = ?", k.ID).Update("updated_at", tx.Now()).Error; err != nil {
		return fmt.Errorf("supplement case %s: %w", k.No, err)
	}
	return tx.addEvent(k, c, platform, EventSupplement, "", "", text)
}

// AddAttachment attaches an image, voice message or location to case k.
func (tx *Tx) AddAttachment(k *Case, c *Citizen, platform string, a Attachment) error {
	a.CaseID, a.CreatedAt = k.ID, tx.Now()
	if err := tx.db.Create(&a).Error; err != nil {
		return fmt.Errorf("attach %s to case %s: %w", a.Kind, k.No, err)
	}
	return tx.addEvent(k, c, platform, EventAttachment, "", "", a.Kind)
}

// DepartmentName returns the name of department id, or "" when unknown.
func (tx *Tx) DepartmentName(id *uint64) string {
	if id == nil {
		return ""
	}
	var d Department
	if tx.db.Select("name").First(&d, *id).Error != nil {
		return ""
	}
	return d.Name
}

// TextHash is the fingerprint used to spot the same text sent twice: white
// space and punctuation do not count, and neither does letter case.
func TextHash(text string) string {
	var b strings.Builder
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
