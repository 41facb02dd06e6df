package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// idxSupervisionChase is the unique index on Supervision.ChaseKey.
const idxSupervisionChase = "idx_supervision_chase"

// Supervision levels written by the deadline jobs besides the ladder's own
// (which config names: remind, overdue, leader, joint by default).
const (
	// LevelAccept is the chase of a unit that has not accepted (签收) in time.
	LevelAccept = "accept"
)

// Cursor is a position in a scan ordered by (time, id): the scan goes on
// after it. The zero Cursor is before everything.
type Cursor struct {
	At time.Time
	ID uint64
}

// scanFloor stands for "no lower bound" in scans; both databases order it
// before any real time.
var scanFloor = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)

func (c Cursor) at() time.Time {
	if c.At.Before(scanFloor) {
		return scanFloor
	}
	return c.At.UTC()
}

// DueCases lists cases with one of statuses whose deadline lies after
// position after and not after until, ordered by (due_at, id), at most limit.
// It costs what it returns, not the cases of the window: each status is its
// own range scan of the index over (status, due_at), which is in that order
// and holds the ids, stopping at limit entries; one statement merges the
// scans and keeps the first limit ids, and a second reads those cases. (A
// scan over all the statuses at once, status IN, cannot use the index's
// order: the server read and sorted every case of the window on every
// call, and a first run of the deadline ladder, which pages through
// thousands of overdue cases, read them all once per page.) It returns no
// sentinel error.
func (tx *Tx) DueCases(statuses []Status, after Cursor, until time.Time, limit int) ([]Case, error) {
	if len(statuses) == 0 || limit <= 0 {
		return nil, nil
	}
	lo, hi := after.at(), until.UTC().Truncate(time.Second)
	const scan = "SELECT id, due_at FROM cases WHERE status = ? AND due_at >= ? AND due_at <= ? AND (due_at > ? OR id > ?) ORDER BY due_at, id LIMIT ?"
	parts := make([]string, len(statuses))
	args := make([]any, 0, 6*len(statuses)+1)
	for i, st := range statuses {
		parts[i] = fmt.Sprintf("SELECT id, due_at FROM (%s) AS s%d", scan, i)
		args = append(args, st, lo, hi, lo, after.ID, limit)
	}
	q := strings.Join(parts, " UNION ALL ") + " ORDER BY due_at, id LIMIT ?"
	args = append(args, limit)
	var due []struct{ ID uint64 }
	if err := tx.db.Raw(q, args...).Scan(&due).Error; err != nil {
		return nil, fmt.Errorf("cases due until %s: %w", until.Format(time.RFC3339), err)
	}
	if len(due) == 0 {
		return nil, nil
	}
	ids := make([]uint64, len(due))
	for i, d := range due {
		ids[i] = d.ID
	}
	byID, err := tx.CasesByID(ids)
	if err != nil {
		return nil, fmt.Errorf("cases due until %s: %w", until.Format(time.RFC3339), err)
	}
	out := make([]Case, 0, len(ids))
	for _, id := range ids { // in the scan's order
		if k, ok := byID[id]; ok {
			out = append(out, *k)
		}
	}
	return out, nil
}

// UnacceptedUnits lists active units still waiting for 签收 that were
// assigned after position after and not after until, ordered by
// (created_at, id), at most limit; a range scan of the index over
// (state, active, created_at). It returns no sentinel error.
func (tx *Tx) UnacceptedUnits(after Cursor, until time.Time, limit int) ([]CaseUnit, error) {
	var out []CaseUnit
	lo := after.at()
	err := tx.db.Where("state = ? AND active = ? AND created_at >= ? AND created_at <= ? AND (created_at > ? OR id > ?)",
		UnitAssigned, true, lo, until.UTC().Truncate(time.Second), lo, after.ID).
		Order("created_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("units waiting for acceptance until %s: %w", until.Format(time.RFC3339), err)
	}
	return out, nil
}

// AddChase stores s, a 督办 record of an automatic chase, under key. It
// returns false, and writes nothing, when a chase with that key is already
// on record: the chase was done before (by this instance or another) and
// must not be repeated. A duplicate fails this statement only, not the
// transaction (createOnce).
func (tx *Tx) AddChase(s *Supervision, key string) (bool, error) {
	if key == "" {
		return false, errors.New("add chase: a key is required")
	}
	s.ID, s.ChaseKey, s.CreatedAt = 0, &key, tx.Now()
	fresh, err := tx.createOnce(s)
	if err != nil {
		return false, fmt.Errorf("store chase %s: %w", key, err)
	}
	if !fresh {
		s.ID = 0
	}
	return fresh, nil
}

// ReturnUnaccepted marks unit u returned (退回) and inactive if it is still
// active and waiting for 签收: compare-and-set, so a unit accepted meanwhile
// stays accepted and ErrConflict is returned.
func (tx *Tx) ReturnUnaccepted(u *CaseUnit) error {
	res := tx.db.Model(&CaseUnit{}).Where("id = ? AND active = ? AND state = ?", u.ID, true, UnitAssigned).
		Updates(map[string]any{"state": UnitReturned, "active": false, "updated_at": tx.Now()})
	if res.Error != nil {
		return fmt.Errorf("return unaccepted unit %d: %w", u.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("return unaccepted unit %d: %w", u.ID, ErrConflict)
	}
	u.State, u.Active = UnitReturned, false
	return nil
}

// CaseIDForUpdate reads the case with id and locks its row until the
// transaction ends (not on SQLite: one writer anyway); ErrNotFound if there
// is none.
func (tx *Tx) CaseIDForUpdate(id uint64) (*Case, error) {
	var k Case
	q := tx.forUpdate()
	if err := q.First(&k, id).Error; err != nil {
		return nil, fmt.Errorf("case %d: %w", id, translate(err))
	}
	return &k, nil
}

// SetDeadline moves case k's deadline to due and records it (an
// EventDeadline entry with body): every change of a deadline — an approved
// extension, a reopened case — is on the record. A moved deadline starts the
// reminder ladder afresh, since its chases are keyed by the deadline.
func (tx *Tx) SetDeadline(k *Case, a Actor, due time.Time, body string) error {
	due = due.UTC()
	if err := tx.Update(k, map[string]any{"due_at": due}); err != nil {
		return err
	}
	k.DueAt = &due
	return tx.Record(k, a, EventDeadline, "", "", body)
}

// Supervisions returns the 督办 records of case caseID, oldest first. It
// returns no sentinel error.
func (s *Store) Supervisions(ctx context.Context, caseID uint64) ([]Supervision, error) {
	var out []Supervision
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("supervisions of case %d: %w", caseID, err)
	}
	return out, nil
}
