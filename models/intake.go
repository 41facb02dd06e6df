package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
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
//
// The transaction is a plain one on every driver, one statement per round
// trip (on PostgreSQL, a new case's number, row and first entry are one of
// them: OpenCase). In order: the citizen, whatever decide writes, and last the inbound
// message with its reply, in one INSERT whose unique key makes a second
// delivery of the same message fail and roll back (a retry in this process
// waits before its transaction for the first to end, receiving; one that
// reaches another instance at the same moment is undone whole). A case
// decide opens takes the day's number right before the case row that
// carries it (OpenCase), so the day's counter row, which every new case of
// the day needs, is held only from there to the commit.
func (s *Store) Receive(ctx context.Context, in Inbound, decide func(tx *Tx, c *Citizen) (Receipt, error)) (Receipt, error) {
	if in.Platform == "" || in.DedupKey == "" || in.OpenID == "" {
		return Receipt{}, errors.New("receive message: platform, dedup key and sender are required")
	}
	// Outside the transaction: on the first intake after a change of the
	// organisation, read the dispatchers and units once for all (orgcache.go).
	s.warmDirectory(ctx)
	leave, waited, err := s.receiving.enter(ctx, in.Platform+"\x00"+in.DedupKey)
	if err != nil {
		return Receipt{}, fmt.Errorf("receive %s message: %w", in.Platform, err)
	}
	defer leave()
	previous := func() (Receipt, error) {
		var prev InboundMessage
		e := s.db.WithContext(ctx).Where("platform = ? AND dedup_key = ?", in.Platform, in.DedupKey).First(&prev).Error
		if e != nil {
			return Receipt{}, fmt.Errorf("find first delivery of %s message: %w", in.Platform, translate(e))
		}
		return Receipt{Reply: prev.Reply, Outcome: prev.Outcome, CaseID: prev.CaseID, Retry: true}, nil
	}
	if waited {
		// Another delivery of the message was received meanwhile: answer
		// from its record rather than decide the message again.
		if r, err := previous(); err == nil || !errors.Is(err, ErrNotFound) {
			return r, err
		}
	}
	leaveGate, err := s.enterGate(ctx)
	if err != nil {
		return Receipt{}, fmt.Errorf("receive %s message: %w", in.Platform, err)
	}
	var out Receipt
	receive := func(tx *Tx) error {
		var err error
		out, err = tx.receive(in, decide)
		return err
	}
	err = s.inTx(ctx, receive)
	if errors.Is(err, errWithRefused) {
		// A server of the PostgreSQL family that refuses INSERT in WITH
		// (OpenCase): three statements, from now on.
		s.withRefused.Store(true)
		s.writeWith.Store(false)
		slog.Warn("new cases numbered without INSERT in WITH: the database refuses it", "driver", s.driver, "err", err)
		err = s.inTx(ctx, receive)
	}
	leaveGate()
	if errors.Is(err, ErrDuplicate) {
		return previous()
	}
	if err != nil {
		return Receipt{}, fmt.Errorf("receive %s message: %w", in.Platform, err)
	}
	return out, nil
}

// receive is Receive's transaction.
func (tx *Tx) receive(in Inbound, decide func(tx *Tx, c *Citizen) (Receipt, error)) (Receipt, error) {
	now := tx.Now()
	c, err := tx.citizen(in.OpenID, now)
	if err != nil {
		return Receipt{}, err
	}
	r, err := decide(tx, c)
	if err != nil {
		return Receipt{}, err
	}
	_, err = tx.exec("INSERT INTO inbound_messages (platform, dedup_key, citizen_id, msg_type, content, outcome, case_id, reply, created_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", in.Platform, in.DedupKey, c.ID, in.MsgType, in.Content, r.Outcome, r.CaseID, r.Reply, now)
	if err != nil {
		return Receipt{}, fmt.Errorf("record inbound message: %w", translate(err))
	}
	if k := tx.opened; k != nil {
		r.CaseNo = k.No
	}
	return r, nil
}

// citizen finds or creates the citizen with openid and notes the message
// time. A new citizen's alias is not written: its id fixes it, and loading a
// citizen fills it in (Citizen.AfterFind).
func (tx *Tx) citizen(openID string, now time.Time) (*Citizen, error) {
	var c Citizen
	if tx.s.driver == "mysql" {
		// One round trip: the row's id comes back as the insert id either
		// way (LAST_INSERT_ID(id)), and one affected row means inserted.
		res, err := tx.exec("INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, '', ?, ?) "+
			"ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), last_message_at = ?", openID, now, now, now)
		if err != nil {
			return nil, fmt.Errorf("create citizen: %w", translate(err))
		}
		id, err1 := res.LastInsertId()
		n, err2 := res.RowsAffected()
		if err1 != nil || err2 != nil || id <= 0 {
			return nil, fmt.Errorf("create citizen: no id came back (%v, %v)", err1, err2)
		}
		c.ID = uint64(id)
		if n == 1 { // inserted: nothing to read, and no case yet
			c.OpenID, c.CreatedAt, c.fresh = openID, now, true
		} else if err := tx.db.First(&c, id).Error; err != nil {
			return nil, fmt.Errorf("find citizen: %w", translate(err))
		}
		c.LastMessageAt = now
	} else if tx.s.driver == "postgres" {
		// One round trip: the upsert returns the row, new or not; a row
		// the statement inserted has no deleting transaction (xmax 0),
		// one it updated has this one.
		var name, phone sql.NullString
		err := tx.queryRow("INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, '', ?, ?) "+
			"ON CONFLICT (open_id) DO UPDATE SET last_message_at = EXCLUDED.last_message_at "+
			"RETURNING id, alias, name, phone, created_at, xmax = 0",
			[]any{openID, now, now}, &c.ID, &c.Alias, &name, &phone, &c.CreatedAt, &c.fresh)
		if err != nil {
			return nil, fmt.Errorf("create citizen: %w", translate(err))
		}
		c.OpenID, c.Name, c.Phone, c.LastMessageAt = openID, name.String, phone.String, now
	} else {
		res, err := tx.exec("INSERT INTO citizens (open_id, alias, created_at, last_message_at) VALUES (?, '', ?, ?) ON CONFLICT (open_id) DO NOTHING",
			openID, now, now)
		if err != nil {
			return nil, fmt.Errorf("create citizen: %w", translate(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("create citizen: %w", err)
		}
		if err := tx.db.Where("open_id = ?", openID).First(&c).Error; err != nil {
			return nil, fmt.Errorf("find citizen: %w", translate(err))
		}
		c.fresh = n == 1
		if n == 0 {
			if _, err := tx.exec("UPDATE citizens SET last_message_at = ? WHERE id = ?", now, c.ID); err != nil {
				return nil, fmt.Errorf("update citizen: %w", err)
			}
		}
		c.LastMessageAt = now
	}
	if c.Alias == "" {
		c.Alias = CitizenAlias(c.ID)
	}
	return &c, nil
}

// exec runs a statement in the transaction and returns its sql.Result,
// which gorm's Exec does not: the insert id and the affected-row count.
func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	return tx.db.Statement.ConnPool.ExecContext(tx.ctx(), tx.s.bind(query), args...)
}

// insert runs an INSERT of one row in the transaction and returns the new
// row's id. Every insert whose id the intake needs goes through here, the
// one place a driver without insert ids (PostgreSQL) adds RETURNING id.
func (tx *Tx) insert(query string, args ...any) (uint64, error) {
	if tx.s.driver == "postgres" {
		var id uint64
		if err := tx.queryRow(query+" RETURNING id", args, &id); err != nil {
			return 0, err
		}
		return id, nil
	}
	res, err := tx.exec(query, args...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if id <= 0 {
		return 0, errors.New("no id came back")
	}
	return uint64(id), nil
}

// ctx is the transaction's context.
func (tx *Tx) ctx() context.Context {
	if ctx := tx.db.Statement.Context; ctx != nil {
		return ctx
	}
	return context.Background()
}

// NewCase is what opening a case needs.
type NewCase struct {
	Content  string
	Kind     string
	Severity Severity
	// AckWithin is the acknowledgement clock (calendar hours).
	AckWithin time.Duration
	Platform  string
	// Informant is the information officer whose 舆情 this is (the case's
	// source 信息员); nil for a citizen's report.
	Informant *Member
}

// OpenCase opens a case for citizen c with the next number of today.
//
// The number is taken first, right before the case row that carries it:
// from then on the day's counter row is held until commit and every new
// case of the day waits for it, so nothing is done in between that could
// be done before (the caller works out the cards' audience first). The case
// and its first entry are written with their final values, each row once;
// what else carries the number (the cards, the reply) is written after
// OpenCase returns. On MySQL and SQLite that is three statements, the ones
// the plain-SQL baseline of minsheng bench sends, in its order; writing the
// case before the number and the number into it after costs a round trip
// more per case and was measured slower (README, Benchmarks). On
// PostgreSQL the three go in one statement (openWithSQL), so the counter
// row is held two round trips less.
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
	if m := n.Informant; m != nil {
		id := m.ID
		k.Source, k.InformantID = SourceInformant, &id
	}
	day := now.In(tx.s.Location).Format("20060102")
	event := tx.citizenEntry(c, n.Platform, EventReceived, "", StatusReceived, n.Content)
	if tx.s.driver == "postgres" && tx.s.writeWith.Load() {
		if err := tx.queryRow(tx.s.openWith, append(append([]any{day}, k.values()[1:]...), event...), &k.ID, &k.No); err != nil {
			if syntaxError(err) {
				err = fmt.Errorf("%w: %w", errWithRefused, err)
			}
			return nil, fmt.Errorf("open case of %s: %w", day, translate(err))
		}
	} else {
		var err error
		if k.No, err = tx.nextNo(day); err != nil {
			return nil, err
		}
		if k.ID, err = tx.insert("INSERT INTO cases ("+caseColumns+") VALUES ("+caseValues+")", k.values()...); err != nil {
			return nil, fmt.Errorf("open case %s: %w", k.No, translate(err))
		}
		if _, err := tx.exec(insertEventSQL, append([]any{k.ID}, event...)...); err != nil {
			return nil, fmt.Errorf("record %s on case %s: %w", EventReceived, k.No, err)
		}
	}
	c.fresh = false
	tx.opened = &k
	return &k, nil
}

// The columns gorm's Create writes for a new case, without its machinery;
// NULL ones are left out (TestIntakeRowsAsGormWritesThem keeps the list in
// step with Case). caseValues are their values, with k.values() for the
// placeholders.
const (
	caseColumns = "no, citizen_id, content, content_hash, status, severity, kind, received_at, ack_due_at, " +
		"repeats, answer, created_at, updated_at, rating, reopens, source, informant_id"
	caseValues   = "?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?, '', 0, ?, ?"
	eventColumns = "case_id, kind, actor_kind, actor_id, actor_name, platform, from_state, to_state, body, created_at"
	// eventRow is one row of eventColumns' values.
	eventRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	// pgNextSeq bumps the day's counter on PostgreSQL and SQLite (nextNo,
	// openWithSQL); it returns what follows it.
	pgNextSeq = "INSERT INTO case_sequences (day, seq) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET seq = case_sequences.seq + 1 RETURNING "
)

// values are the values of a new case k's caseValues placeholders.
func (k *Case) values() []any {
	return []any{k.No, k.CitizenID, k.Content, k.ContentHash, k.Status, k.Severity, k.Kind, k.ReceivedAt, k.AckDueAt, k.CreatedAt, k.UpdatedAt, k.Source, k.InformantID}
}

// insertEventSQL writes an entry of a case's record: its case_id and the
// values citizenEntry gives.
const insertEventSQL = "INSERT INTO case_events (" + eventColumns + ") VALUES " + eventRow

// citizenEntry is the values of an entry of citizen c on a case, as Record
// writes it, after its case_id (eventColumns).
func (tx *Tx) citizenEntry(c *Citizen, platform string, kind EventKind, from, to Status, body string) []any {
	a := CitizenActor(c, platform)
	if a.Platform == "" {
		a.Platform = "system"
	}
	return []any{kind, a.Kind, a.ID, a.Name, a.Platform, from, to, body, tx.Now()}
}

// errWithRefused means the server refused openWithSQL as a statement it
// cannot parse or does not support.
var errWithRefused = errors.New("INSERT in WITH refused")

// openWithSQL takes the day's next number, writes the case that carries it
// and the case's first entry in one statement, PostgreSQL's data-modifying
// WITH, and returns the case's id and number. Its placeholders are the day,
// the case's caseValues but the number, and the entry's values but the
// case_id. The number is the day followed by the sequence, at least three
// digits, as nextNo writes it.
var openWithSQL = "WITH n AS (" + pgNextSeq + "day, seq), " +
	"k AS (INSERT INTO cases (" + caseColumns + ") VALUES ((SELECT n.day || CASE WHEN n.seq < 1000 THEN lpad(n.seq::text, 3, '0') ELSE n.seq::text END FROM n), " +
	strings.TrimPrefix(caseValues, "?, ") + ") RETURNING id, no), " +
	"e AS (INSERT INTO case_events (" + eventColumns + ") VALUES ((SELECT id FROM k), ?, ?, ?, ?, ?, ?, ?, ?, ?)) " +
	"SELECT id, no FROM k"

// nextNo takes the next case number of day (YYYYMMDD): the day's counter row
// is upserted in the transaction and its new value read back, in one round
// trip. The row stays locked until the transaction ends, so numbers are
// unique across server instances sharing one database and a rolled-back
// intake leaves no gap; every new case of the day waits for that row, so
// callers take it as late as they can.
func (tx *Tx) nextNo(day string) (string, error) {
	var seq int64
	if tx.s.driver == "mysql" {
		// LAST_INSERT_ID(expr) hands the new value back as the insert id.
		res, err := tx.exec("INSERT INTO case_sequences (day, seq) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + 1)", day)
		if err != nil {
			return "", fmt.Errorf("next case number of %s: %w", day, err)
		}
		if seq, err = res.LastInsertId(); err != nil || seq <= 0 {
			// No value came back (a proxy in between, say): read the row,
			// which this transaction holds.
			if err := tx.queryRow("SELECT seq FROM case_sequences WHERE day = ?", []any{day}, &seq); err != nil {
				return "", fmt.Errorf("next case number of %s: %w", day, err)
			}
		}
	} else {
		// SQLite and PostgreSQL: the upsert returns the new value.
		err := tx.queryRow(pgNextSeq+"seq", []any{day}, &seq)
		if err != nil {
			return "", fmt.Errorf("next case number of %s: %w", day, err)
		}
	}
	return fmt.Sprintf("%s%03d", day, seq), nil
}

// queryRow runs a statement that returns one row in the transaction and scans
// it into dst.
func (tx *Tx) queryRow(query string, args []any, dst ...any) error {
	return tx.db.Statement.ConnPool.QueryRowContext(tx.ctx(), tx.s.bind(query), args...).Scan(dst...)
}

// addEvent records an entry of citizen c on case k, as Record does, in one
// plain INSERT.
func (tx *Tx) addEvent(k *Case, c *Citizen, platform string, kind EventKind, from, to Status, body string) error {
	_, err := tx.exec(insertEventSQL, append([]any{k.ID}, tx.citizenEntry(c, platform, kind, from, to, body)...)...)
	if err != nil {
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

// NumberInOneStatement turns on or off, on PostgreSQL, writing a new case's
// number, row and first entry in one statement (OpenCase); minsheng bench
// measures the intake both ways. Off, or on another driver, they are three
// statements. It is not turned on where the server refused the statement.
func (s *Store) NumberInOneStatement(on bool) {
	if s.driver == "postgres" && !s.withRefused.Load() {
		s.writeWith.Store(on)
	}
}
