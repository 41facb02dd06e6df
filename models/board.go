package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The public face of the cases: the reply board (部门回应), the open data
// (Open311) and the dispatcher's dashboard read through this file. What the
// public may see is chosen here — which cases, never who reported them —
// and masked by the caller (redact.Mask) before it is shown.

// BoardWithhold is a dispatcher's decision to keep a case off the public
// reply board and the open data, with the reason. It is never deleted:
// putting the case back (恢复公开) ends it (Active false, LiftedAt), and a
// later withholding is a new row.
type BoardWithhold struct {
	ID     uint64 `gorm:"primaryKey"`
	CaseID uint64 `gorm:"not null;index:idx_withhold_case,priority:1"`
	// Active is true while the case is kept off the board.
	Active bool   `gorm:"not null;index:idx_withhold_case,priority:2"`
	Reason string `gorm:"type:text;not null"`
	// ByKind, ByID and ByName are who decided (an Actor).
	ByKind    string    `gorm:"size:16;not null"`
	ByID      uint64    `gorm:"not null;default:0"`
	ByName    string    `gorm:"size:64;not null"`
	CreatedAt time.Time `gorm:"not null"`
	LiftedAt  *time.Time
	LiftedBy  string `gorm:"size:64"`
}

// Event kinds of the board.
const (
	EventWithheld  EventKind = "withheld"  // 不公开: taken off the public board
	EventPublished EventKind = "published" // 恢复公开: back on the board
)

// ActorAdmin is a person signed in to the dashboard with a configured admin
// account rather than as a member.
const ActorAdmin = "admin"

func init() {
	register(&gormigrate.Migration{
		ID: "202611220008_board",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&BoardWithhold{}); err != nil {
				return fmt.Errorf("create board_withholds: %w", err)
			}
			return nil
		},
	})
}

// Withhold keeps case k off the public board for reason and records it. It
// returns ErrConflict if the case is withheld already.
func (tx *Tx) Withhold(k *Case, a Actor, reason string) error {
	if _, err := tx.Withholding(k); err == nil {
		return fmt.Errorf("withhold case %s: %w", k.No, ErrConflict)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	w := BoardWithhold{CaseID: k.ID, Active: true, Reason: reason, ByKind: a.Kind, ByID: a.ID, ByName: a.Name, CreatedAt: tx.Now()}
	if err := tx.db.Create(&w).Error; err != nil {
		return fmt.Errorf("withhold case %s: %w", k.No, err)
	}
	return tx.Record(k, a, EventWithheld, "", "", reason)
}

// Publish puts withheld case k back on the public board and records it. It
// returns ErrNotFound if the case is not withheld.
func (tx *Tx) Publish(k *Case, a Actor) error {
	now := tx.Now()
	res := tx.db.Model(&BoardWithhold{}).Where("case_id = ? AND active = ?", k.ID, true).
		Updates(map[string]any{"active": false, "lifted_at": now, "lifted_by": a.Name})
	if res.Error != nil {
		return fmt.Errorf("publish case %s: %w", k.No, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("publish case %s: not withheld: %w", k.No, ErrNotFound)
	}
	return tx.Record(k, a, EventPublished, "", "", "恢复在部门回应栏公开")
}

// Withholding returns the standing withholding of case k, or ErrNotFound.
func (tx *Tx) Withholding(k *Case) (*BoardWithhold, error) {
	var w BoardWithhold
	err := tx.db.Where("case_id = ? AND active = ?", k.ID, true).Order("id DESC").First(&w).Error
	if err != nil {
		return nil, fmt.Errorf("withholding of case %s: %w", k.No, translate(err))
	}
	return &w, nil
}

// WithheldByNo returns the standing withholdings of the cases numbered nos,
// by number. It returns no sentinel error.
func (s *Store) WithheldByNo(ctx context.Context, nos []string) (map[string]BoardWithhold, error) {
	out := map[string]BoardWithhold{}
	for len(nos) > 0 {
		chunk := nos[:min(len(nos), 500)]
		nos = nos[len(chunk):]
		var rows []struct {
			No string
			BoardWithhold
		}
		err := s.db.WithContext(ctx).Raw(
			`SELECT c.no, w.* FROM board_withholds w JOIN cases c ON c.id = w.case_id
			WHERE w.active = ? AND c.no IN ?`, true, chunk).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("withheld cases: %w", err)
		}
		for _, r := range rows {
			out[r.No] = r.BoardWithhold
		}
	}
	return out, nil
}

// PublicQuery chooses cases for the public board and the open data.
// Withheld cases are never chosen.
type PublicQuery struct {
	// Statuses the cases must have; empty means any.
	Statuses []Status
	// Dept is the lead unit's code; empty means any.
	Dept string
	// ReceivedFrom and ReceivedTo bound the time of receipt, [From, To); a
	// zero time leaves that side open.
	ReceivedFrom, ReceivedTo time.Time
	// Nos, when set, are the only case numbers chosen.
	Nos []string
	// Text, when set, chooses cases whose problem or answer holds it. It is
	// matched on the stored text: the caller must match again on the masked
	// text, or a search would tell who is behind a case.
	Text string
	// ByAnswer orders by the answer, newest first; otherwise by receipt,
	// newest first.
	ByAnswer bool
	// Offset and Limit page the result; Limit 0 means no limit.
	Offset, Limit int
}

// PublicCase is a case as the public may see it, before masking.
type PublicCase struct {
	ID         uint64
	No         string
	Status     Status
	ReceivedAt time.Time
	DueAt      *time.Time
	AnsweredAt *time.Time
	UpdatedAt  time.Time
	// DeptCode and DeptName are the lead unit's, empty when none leads.
	DeptCode, DeptName string
	Content, Answer    string
	Rating             string
	// ReporterName and ReporterPhone are the contact details the reporter
	// gave, here only so that the masking can take them out of the texts:
	// never shown.
	ReporterName, ReporterPhone string
}

// likeEscape escapes s for LIKE … ESCAPE '!'.
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// publicWhere is the WHERE clause of q and its arguments.
func (s *Store) publicWhere(q PublicQuery) (string, []any) {
	where := []string{"NOT EXISTS (SELECT 1 FROM board_withholds w WHERE w.case_id = c.id AND w.active = ?)"}
	args := []any{true}
	if len(q.Statuses) > 0 {
		where, args = append(where, "c.status IN ?"), append(args, q.Statuses)
	}
	if q.Dept != "" {
		where, args = append(where, "d.code = ?"), append(args, q.Dept)
	}
	if !q.ReceivedFrom.IsZero() {
		where, args = append(where, "c.received_at >= ?"), append(args, q.ReceivedFrom.UTC())
	}
	if !q.ReceivedTo.IsZero() {
		where, args = append(where, "c.received_at < ?"), append(args, q.ReceivedTo.UTC())
	}
	if len(q.Nos) > 0 {
		where, args = append(where, "c.no IN ?"), append(args, q.Nos)
	}
	if q.Text != "" {
		p := "%" + likeEscape(q.Text) + "%"
		// Letter case does not count: MySQL's _ci collation and SQLite's
		// LIKE ignore it; PostgreSQL's LIKE would not.
		like := "LIKE"
		if s.driver == "postgres" {
			like = "ILIKE"
		}
		where, args = append(where, "(c.content "+like+" ? ESCAPE '!' OR c.answer "+like+" ? ESCAPE '!')"), append(args, p, p)
	}
	return strings.Join(where, " AND "), args
}

// PublicCases lists the cases q chooses. It returns no sentinel error.
func (s *Store) PublicCases(ctx context.Context, q PublicQuery) ([]PublicCase, error) {
	where, args := s.publicWhere(q)
	order := "c.received_at DESC, c.id DESC"
	if q.ByAnswer {
		order = "c.answered_at DESC, c.id DESC"
	}
	sql := `SELECT c.id, c.no, c.status, c.received_at, c.due_at, c.answered_at, c.updated_at,
			COALESCE(d.code, '') AS dept_code, COALESCE(d.name, '') AS dept_name,
			c.content, COALESCE(c.answer, '') AS answer, COALESCE(c.rating, '') AS rating,
			COALESCE(z.name, '') AS reporter_name, COALESCE(z.phone, '') AS reporter_phone
		FROM cases c
		LEFT JOIN departments d ON d.id = c.lead_dept_id
		LEFT JOIN citizens z ON z.id = c.citizen_id
		WHERE ` + where + ` ORDER BY ` + order
	if q.Limit > 0 {
		sql += " LIMIT ? OFFSET ?"
		args = append(args, q.Limit, max(q.Offset, 0))
	}
	var out []PublicCase
	if err := s.db.WithContext(ctx).Raw(sql, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("public cases: %w", err)
	}
	return out, nil
}

// CountPublicCases counts the cases q chooses, ignoring its paging. It
// returns no sentinel error.
func (s *Store) CountPublicCases(ctx context.Context, q PublicQuery) (int64, error) {
	where, args := s.publicWhere(q)
	var n int64
	err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM cases c LEFT JOIN departments d ON d.id = c.lead_dept_id WHERE `+where, args...).
		Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count public cases: %w", err)
	}
	return n, nil
}

// StatusCount is how many cases stand in a status.
type StatusCount struct {
	Status Status
	N      int64
}

// CountByStatus counts all cases by status, in the order of the case's life
// (received … duplicate), every status listed. It returns no sentinel error.
func (s *Store) CountByStatus(ctx context.Context) ([]StatusCount, error) {
	var rows []StatusCount
	if err := s.db.WithContext(ctx).Raw(`SELECT status, COUNT(*) AS n FROM cases GROUP BY status`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count cases by status: %w", err)
	}
	by := map[Status]int64{}
	for _, r := range rows {
		by[r.Status] = r.N
	}
	out := make([]StatusCount, 0, len(lifeOrder))
	for _, st := range lifeOrder {
		out = append(out, StatusCount{Status: st, N: by[st]})
		delete(by, st)
	}
	for st, n := range by { // a status this version does not know
		out = append(out, StatusCount{Status: st, N: n})
	}
	return out, nil
}

// lifeOrder is the statuses in the order of a case's life.
var lifeOrder = []Status{
	StatusReceived, StatusAssigned, StatusHandling, StatusReviewing, StatusAnswered, StatusClosed, StatusInvalid, StatusDuplicate,
}

// WeekCount is one week of the trend: cases received and answers given.
type WeekCount struct {
	Week               Period
	Received, Answered int64
}

// Trend counts the cases received and the answers given in each ISO week
// (Monday to Monday in loc) of the weeks weeks up to the one of at, oldest
// first. It reads one timestamp per case of those weeks. It returns no
// sentinel error.
func (s *Store) Trend(ctx context.Context, at time.Time, weeks int, loc *time.Location) ([]WeekCount, error) {
	if weeks <= 0 {
		return nil, nil
	}
	last := WeekPeriod(at, loc)
	from := last.From.AddDate(0, 0, -7*(weeks-1))
	out := make([]WeekCount, weeks)
	for i := range out {
		f := from.AddDate(0, 0, 7*i)
		out[i].Week = Period{From: f, To: f.AddDate(0, 0, 7)}
	}
	bucket := func(t time.Time) int {
		t = t.In(loc)
		for i := len(out) - 1; i >= 0; i-- {
			if !t.Before(out[i].Week.From) {
				if t.Before(out[i].Week.To) {
					return i
				}
				return -1
			}
		}
		return -1
	}
	db := s.db.WithContext(ctx)
	var received, answered []time.Time
	if err := db.Model(&Case{}).Where("received_at >= ? AND received_at < ?", from.UTC(), last.To.UTC()).
		Pluck("received_at", &received).Error; err != nil {
		return nil, fmt.Errorf("trend received: %w", err)
	}
	if err := db.Model(&Case{}).Where("answered_at >= ? AND answered_at < ?", from.UTC(), last.To.UTC()).
		Pluck("answered_at", &answered).Error; err != nil {
		return nil, fmt.Errorf("trend answered: %w", err)
	}
	for _, t := range received {
		if i := bucket(t); i >= 0 {
			out[i].Received++
		}
	}
	for _, t := range answered {
		if i := bucket(t); i >= 0 {
			out[i].Answered++
		}
	}
	return out, nil
}

// CaseNos returns the numbers of the cases with ids, by id. It returns no
// sentinel error.
func (s *Store) CaseNos(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID uint64
		No string
	}
	if err := s.db.WithContext(ctx).Model(&Case{}).Select("id, no").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("case numbers: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.No
	}
	return out, nil
}

// ReporterContacts returns, by case number, the contact details the
// reporters of the cases received in p gave (name, phone), for masking them
// out of exported texts; never to be shown. It returns no sentinel error.
func (s *Store) ReporterContacts(ctx context.Context, p Period) (map[string][]string, error) {
	var rows []struct {
		No, Name, Phone string
	}
	err := s.db.WithContext(ctx).Raw(
		`SELECT c.no, COALESCE(z.name, '') AS name, COALESCE(z.phone, '') AS phone
		FROM cases c JOIN citizens z ON z.id = c.citizen_id
		WHERE c.received_at >= ? AND c.received_at < ? AND ((z.name IS NOT NULL AND z.name <> '') OR (z.phone IS NOT NULL AND z.phone <> ''))`,
		p.From.UTC(), p.To.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("reporter contacts: %w", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.No] = []string{r.Name, r.Phone}
	}
	return out, nil
}
