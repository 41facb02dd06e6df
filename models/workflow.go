package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Unit roles on a case.
const (
	UnitLead = "lead" // 牵头单位
	UnitCo   = "co"   // 协办单位
)

// Unit states on a case.
const (
	UnitAssigned = "assigned" // waiting for 签收
	UnitAccepted = "accepted" // 签收
	UnitReturned = "returned" // 退回
)

// CaseUnit is one unit's part in a case: lead (牵头) or co-handling (协办).
// A reassignment deactivates the old rows and adds new ones.
type CaseUnit struct {
	ID uint64 `gorm:"primaryKey"`
	// CaseID is the first column of idx_unit_case_lead (models/report.go).
	CaseID       uint64 `gorm:"not null"`
	DepartmentID uint64 `gorm:"not null;index:idx_unit_dept_state,priority:1"`
	Role         string `gorm:"size:8;not null"`
	State        string `gorm:"size:16;not null;index:idx_unit_dept_state,priority:2"`
	Active       bool   `gorm:"not null"`
	AcceptedBy   uint64 `gorm:"not null;default:0"`
	AcceptedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// RoleLabel is the unit role in Chinese.
func (u *CaseUnit) RoleLabel() string {
	if u.Role == UnitLead {
		return "牵头"
	}
	return "协办"
}

// Answer states.
const (
	AnswerPending  = "pending"
	AnswerApproved = "approved"
	AnswerRejected = "rejected"
)

// Answer is a unit's answer draft and its fate. Never edited in place: a
// corrected draft is a new row.
type Answer struct {
	ID           uint64 `gorm:"primaryKey"`
	CaseID       uint64 `gorm:"not null;index"`
	DepartmentID uint64 `gorm:"not null"`
	AuthorID     uint64 `gorm:"not null"`
	Body         string `gorm:"type:text;not null"`
	State        string `gorm:"size:16;not null"`
	DecidedBy    uint64 `gorm:"not null;default:0"`
	DecidedAt    *time.Time
	Comment      string `gorm:"type:text"`
	CreatedAt    time.Time
}

// Extension states.
const (
	ExtensionRequested = "requested"
	ExtensionApproved  = "approved"
	ExtensionRejected  = "rejected"
)

// Extension is a unit's request for more time (延期) and its decision.
type Extension struct {
	ID           uint64 `gorm:"primaryKey"`
	CaseID       uint64 `gorm:"not null;index"`
	DepartmentID uint64 `gorm:"not null"`
	RequestedBy  uint64 `gorm:"not null"`
	Workdays     int    `gorm:"not null"`
	Reason       string `gorm:"type:text;not null"`
	State        string `gorm:"size:16;not null"`
	DecidedBy    uint64 `gorm:"not null;default:0"`
	DecidedAt    *time.Time
	OldDueAt     *time.Time
	NewDueAt     *time.Time
	CreatedAt    time.Time
}

// Supervision is one 督办: a record and a push to the unit, by a person or
// by the deadline jobs.
type Supervision struct {
	ID           uint64 `gorm:"primaryKey"`
	CaseID       uint64 `gorm:"not null;index"`
	DepartmentID uint64 `gorm:"not null;default:0"`
	ByKind       string `gorm:"size:16;not null"`
	ByID         uint64 `gorm:"not null;default:0"`
	Level        string `gorm:"size:32;not null"`
	Note         string `gorm:"type:text"`
	// ChaseKey makes an automatic chase happen once: the deadline jobs set
	// it (e.g. "remind:<case no>:<deadline>"); a person's 督办 leaves it NULL.
	ChaseKey  *string `gorm:"size:191;uniqueIndex:idx_supervision_chase"`
	CreatedAt time.Time
}

// More event kinds, for the departments' work.
const (
	EventAssigned   EventKind = "assigned"   // 交办
	EventAccepted   EventKind = "accepted"   // 签收
	EventReturned   EventKind = "returned"   // 退回
	EventProgress   EventKind = "progress"   // 进展
	EventDraft      EventKind = "draft"      // 答复 draft
	EventApproved   EventKind = "approved"   // answer approved and sent
	EventRejected   EventKind = "rejected"   // answer sent back
	EventExtension  EventKind = "extension"  // 延期 requested
	EventInvalid    EventKind = "invalid"    // 无效
	EventDuplicate  EventKind = "duplicate"  // 重复
	EventSeverity   EventKind = "severity"   // 定级
	EventSupervise  EventKind = "supervise"  // 督办
	EventUnreached  EventKind = "unreached"  // the citizen could not be reached
	EventDelivered  EventKind = "delivered"  // the answer reached the citizen
	EventRefused    EventKind = "refused"    // an action refused for lack of permission
	EventDeadline   EventKind = "deadline"   // a deadline set or moved
	EventInstructed EventKind = "instructed" // 批示
)

// Record appends an event to case k's record.
func (tx *Tx) Record(k *Case, a Actor, kind EventKind, from, to Status, body string) error {
	e := CaseEvent{
		CaseID: k.ID, Kind: kind, ActorKind: a.Kind, ActorID: a.ID, ActorName: a.Name,
		Platform: a.Platform, FromState: from, ToState: to, Body: body, CreatedAt: tx.Now(),
	}
	if e.Platform == "" {
		e.Platform = "system"
	}
	if err := tx.db.Create(&e).Error; err != nil {
		return fmt.Errorf("record %s on case %s: %w", kind, k.No, err)
	}
	return nil
}

// Move changes case k's status as compare-and-set and records it: the state
// machine must allow it (ErrInvalidTransition), and nobody may have moved the
// case since k was read (ErrConflict). set holds more columns to change.
func (tx *Tx) Move(k *Case, to Status, a Actor, kind EventKind, body string, set map[string]any) error {
	if err := k.Transition(to); err != nil {
		return err
	}
	upd := map[string]any{"status": to, "updated_at": tx.Now()}
	for c, v := range set {
		upd[c] = v
	}
	res := tx.db.Model(&Case{}).Where("id = ? AND status = ?", k.ID, k.Status).Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("move case %s to %s: %w", k.No, to, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("move case %s to %s: %w", k.No, to, ErrConflict)
	}
	from := k.Status
	k.Status = to
	return tx.Record(k, a, kind, from, to, body)
}

// Update sets columns of case k without a status change (severity, kind).
func (tx *Tx) Update(k *Case, set map[string]any) error {
	set["updated_at"] = tx.Now()
	if err := tx.db.Model(&Case{}).Where("id = ?", k.ID).Updates(set).Error; err != nil {
		return fmt.Errorf("update case %s: %w", k.No, err)
	}
	return nil
}

// CaseForUpdate reads case no and locks its row until the transaction ends
// (SELECT … FOR UPDATE on MySQL and PostgreSQL; SQLite has one writer
// anyway). ErrNotFound if there is none.
func (tx *Tx) CaseForUpdate(no string) (*Case, error) {
	var k Case
	q := tx.forUpdate()
	if err := q.Where("no = ?", no).First(&k).Error; err != nil {
		return nil, fmt.Errorf("case %s: %w", no, translate(err))
	}
	return &k, nil
}

// forUpdate is the transaction's handle for a read that locks the rows it
// finds until the transaction ends. (gorm v2 ignores the v1 setting
// gorm:query_option, which this store once used: its reads did not lock.)
func (tx *Tx) forUpdate() *gorm.DB {
	if tx.s.driver == "sqlite" {
		return tx.db
	}
	return tx.db.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// Case reads case no; ErrNotFound if there is none.
func (tx *Tx) Case(no string) (*Case, error) {
	var k Case
	if err := tx.db.Where("no = ?", no).First(&k).Error; err != nil {
		return nil, fmt.Errorf("case %s: %w", no, translate(err))
	}
	return &k, nil
}

// CaseByID reads the case with id; ErrNotFound if there is none.
func (tx *Tx) CaseByID(id uint64) (*Case, error) {
	var k Case
	if err := tx.db.First(&k, id).Error; err != nil {
		return nil, fmt.Errorf("case %d: %w", id, translate(err))
	}
	return &k, nil
}

// Units returns the active units of case k, lead first.
func (tx *Tx) Units(k *Case) ([]CaseUnit, error) {
	var out []CaseUnit
	err := tx.db.Where("case_id = ? AND active = ?", k.ID, true).Order("role DESC, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("units of case %s: %w", k.No, err)
	}
	return out, nil
}

// Assign gives case k to a lead unit and co-handling units, replacing any
// earlier assignment, and sets its kind and deadline.
func (tx *Tx) Assign(k *Case, a Actor, lead uint64, co []uint64, kind string, due time.Time, body string) error {
	now := tx.Now()
	// The earlier units are found by a plain read and retired by primary
	// key: an UPDATE … WHERE case_id = ? on a case without units would take
	// a gap lock at the end of the index on MySQL, and two assignments of
	// new cases at once would deadlock on their inserts (found by
	// minsheng bench). The caller holds the case row (CaseForUpdate), so
	// nobody changes this case's units meanwhile.
	var old []uint64
	if err := tx.db.Model(&CaseUnit{}).Where("case_id = ? AND active = ?", k.ID, true).Pluck("id", &old).Error; err != nil {
		return fmt.Errorf("assign case %s: %w", k.No, err)
	}
	if len(old) > 0 {
		if err := tx.db.Model(&CaseUnit{}).Where("id IN ? AND active = ?", old, true).
			Updates(map[string]any{"active": false, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("assign case %s: %w", k.No, err)
		}
	}
	units := []CaseUnit{{CaseID: k.ID, DepartmentID: lead, Role: UnitLead, State: UnitAssigned, Active: true, CreatedAt: now, UpdatedAt: now}}
	for _, d := range co {
		units = append(units, CaseUnit{CaseID: k.ID, DepartmentID: d, Role: UnitCo, State: UnitAssigned, Active: true, CreatedAt: now, UpdatedAt: now})
	}
	if err := tx.db.Create(&units).Error; err != nil {
		return fmt.Errorf("assign case %s: %w", k.No, err)
	}
	due = due.UTC()
	if err := tx.Move(k, StatusAssigned, a, EventAssigned, body, map[string]any{
		"lead_dept_id": lead, "kind": kind, "due_at": due,
	}); err != nil {
		return err
	}
	k.LeadDeptID, k.Kind, k.DueAt = &lead, kind, &due
	return nil
}

// AcceptUnit marks unit u accepted (签收) by member m, compare-and-set: when
// another member got there first it returns ErrConflict and the unit as it
// now stands.
func (tx *Tx) AcceptUnit(u *CaseUnit, m *Member) (*CaseUnit, error) {
	now := tx.Now()
	res := tx.db.Model(&CaseUnit{}).Where("id = ? AND state = ?", u.ID, UnitAssigned).
		Updates(map[string]any{"state": UnitAccepted, "accepted_by": m.ID, "accepted_at": now, "updated_at": now})
	if res.Error != nil {
		return nil, fmt.Errorf("accept unit %d: %w", u.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		var cur CaseUnit
		if err := tx.db.First(&cur, u.ID).Error; err != nil {
			return nil, fmt.Errorf("accept unit %d: %w", u.ID, translate(err))
		}
		return &cur, ErrConflict
	}
	u.State, u.AcceptedBy, u.AcceptedAt = UnitAccepted, m.ID, &now
	return u, nil
}

// ReturnUnit marks unit u returned (退回).
func (tx *Tx) ReturnUnit(u *CaseUnit) error {
	res := tx.db.Model(&CaseUnit{}).Where("id = ? AND active = ? AND state <> ?", u.ID, true, UnitReturned).
		Updates(map[string]any{"state": UnitReturned, "active": false, "updated_at": tx.Now()})
	if res.Error != nil {
		return fmt.Errorf("return unit %d: %w", u.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("return unit %d: %w", u.ID, ErrConflict)
	}
	u.State, u.Active = UnitReturned, false
	return nil
}

// AddAnswer stores a new answer draft.
func (tx *Tx) AddAnswer(a *Answer) error {
	a.State, a.CreatedAt = AnswerPending, tx.Now()
	if err := tx.db.Create(a).Error; err != nil {
		return fmt.Errorf("store answer draft of case %d: %w", a.CaseID, err)
	}
	return nil
}

// PendingAnswer returns case k's newest pending draft; ErrNotFound if none.
func (tx *Tx) PendingAnswer(k *Case) (*Answer, error) {
	var a Answer
	err := tx.db.Where("case_id = ? AND state = ?", k.ID, AnswerPending).Order("id DESC").First(&a).Error
	if err != nil {
		return nil, fmt.Errorf("pending answer of case %s: %w", k.No, translate(err))
	}
	return &a, nil
}

// DecideAnswer approves or rejects draft a, compare-and-set on its state.
func (tx *Tx) DecideAnswer(a *Answer, by *Member, state, comment string) error {
	now := tx.Now()
	res := tx.db.Model(&Answer{}).Where("id = ? AND state = ?", a.ID, AnswerPending).
		Updates(map[string]any{"state": state, "decided_by": by.ID, "decided_at": now, "comment": comment})
	if res.Error != nil {
		return fmt.Errorf("decide answer %d: %w", a.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("decide answer %d: %w", a.ID, ErrConflict)
	}
	a.State, a.DecidedBy, a.DecidedAt, a.Comment = state, by.ID, &now, comment
	return nil
}

// AddExtension stores an extension request.
func (tx *Tx) AddExtension(e *Extension) error {
	e.State, e.CreatedAt = ExtensionRequested, tx.Now()
	if err := tx.db.Create(e).Error; err != nil {
		return fmt.Errorf("store extension of case %d: %w", e.CaseID, err)
	}
	return nil
}

// AddSupervision stores a 督办 record.
func (tx *Tx) AddSupervision(s *Supervision) error {
	s.CreatedAt = tx.Now()
	if err := tx.db.Create(s).Error; err != nil {
		return fmt.Errorf("store supervision of case %d: %w", s.CaseID, err)
	}
	return nil
}

// Member returns the active member with the platform user id; ErrNotFound if
// there is none.
func (tx *Tx) Member(platform Platform, userID string) (*Member, error) {
	var m Member
	err := tx.db.Where("platform = ? AND user_id = ? AND active = ?", platform, userID, true).First(&m).Error
	if err != nil {
		return nil, fmt.Errorf("member %s:%s: %w", platform, userID, translate(err))
	}
	return &m, nil
}

// MemberByID returns member id; ErrNotFound if there is none.
func (tx *Tx) MemberByID(id uint64) (*Member, error) {
	var m Member
	if err := tx.db.First(&m, id).Error; err != nil {
		return nil, fmt.Errorf("member %d: %w", id, translate(err))
	}
	return &m, nil
}

// MembersWithRole lists active members with one of roles, in department
// dept (0 for any), by id.
func (tx *Tx) MembersWithRole(dept uint64, roles ...Role) ([]Member, error) {
	q := tx.db.Where("active = ? AND role IN ?", true, roles)
	if dept != 0 {
		q = q.Where("department_id = ?", dept)
	}
	var out []Member
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("members of department %d: %w", dept, err)
	}
	return out, nil
}

// FindDepartment finds an active department by code or by name (exact, then
// unique prefix); ErrNotFound if none or ambiguous.
func (tx *Tx) FindDepartment(s string) (*Department, error) {
	s = strings.TrimSpace(s)
	var d Department
	err := tx.db.Where("active = ? AND (code = ? OR name = ?)", true, s, s).First(&d).Error
	if err == nil {
		return &d, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("department %q: %w", s, err)
	}
	var all []Department
	if err := tx.db.Where("active = ?", true).Find(&all).Error; err != nil {
		return nil, fmt.Errorf("department %q: %w", s, err)
	}
	var hit []Department
	for _, x := range all {
		if strings.Contains(x.Name, s) {
			hit = append(hit, x)
		}
	}
	if len(hit) != 1 || s == "" {
		return nil, fmt.Errorf("department %q: %w", s, ErrNotFound)
	}
	return &hit[0], nil
}

// DepartmentByID returns department id; ErrNotFound if there is none.
func (tx *Tx) DepartmentByID(id uint64) (*Department, error) {
	var d Department
	if err := tx.db.First(&d, id).Error; err != nil {
		return nil, fmt.Errorf("department %d: %w", id, translate(err))
	}
	return &d, nil
}

// ActiveDepartments lists the active departments by code.
func (tx *Tx) ActiveDepartments() ([]Department, error) {
	var out []Department
	if err := tx.db.Where("active = ?", true).Order("code").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	return out, nil
}

// Citizen returns citizen id; ErrNotFound if there is none. Only the
// dispatcher's views and the delivery of messages to the citizen may call it.
func (tx *Tx) Citizen(id uint64) (*Citizen, error) {
	var c Citizen
	if err := tx.db.First(&c, id).Error; err != nil {
		return nil, fmt.Errorf("citizen %d: %w", id, translate(err))
	}
	return &c, nil
}

// OpenCases lists open cases, nearest deadline first (cases without one,
// waiting for triage, first of all), at most limit. dept limits the list to
// cases where that unit is active (0 for all).
func (tx *Tx) OpenCases(dept uint64, limit int) ([]Case, error) {
	open := []Status{StatusReceived, StatusAssigned, StatusHandling, StatusReviewing}
	q := tx.db.Model(&Case{}).Where("cases.status IN ?", open)
	if dept != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM case_units u WHERE u.case_id = cases.id AND u.department_id = ? AND u.active = ?)", dept, true)
	}
	var out []Case
	err := q.Order("CASE WHEN cases.due_at IS NULL THEN 0 ELSE 1 END, cases.due_at, cases.id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	return out, nil
}

// Events returns case k's record, oldest first.
func (tx *Tx) Events(k *Case) ([]CaseEvent, error) {
	var out []CaseEvent
	if err := tx.db.Where("case_id = ?", k.ID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("events of case %s: %w", k.No, err)
	}
	return out, nil
}

// Act runs fn in one transaction: every change and every message it causes
// are committed together or not at all.
func (s *Store) Act(ctx context.Context, fn func(tx *Tx) error) error {
	return s.inTx(ctx, fn)
}

// Once runs fn for an inbound message at most once: a retry of (platform,
// key) gets the stored reply with retry set. It is Receive for members.
func (s *Store) Once(ctx context.Context, platform Platform, key, msgType, content string, fn func(tx *Tx) (string, error)) (reply string, retry bool, err error) {
	err = s.inTx(ctx, func(tx *Tx) error {
		msg := InboundMessage{Platform: string(platform), DedupKey: key, MsgType: msgType, Content: content, Outcome: "member", CreatedAt: tx.Now()}
		if err := tx.db.Create(&msg).Error; err != nil {
			return fmt.Errorf("record inbound message: %w", translate(err))
		}
		r, err := fn(tx)
		if err != nil {
			return err
		}
		reply = r
		return tx.db.Model(&msg).Update("reply", r).Error
	})
	if errors.Is(err, ErrDuplicate) {
		var prev InboundMessage
		e := s.db.WithContext(ctx).Where("platform = ? AND dedup_key = ?", platform, key).First(&prev).Error
		if e != nil {
			return "", false, fmt.Errorf("find first delivery of %s message: %w", platform, translate(e))
		}
		return prev.Reply, true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("handle %s message: %w", platform, err)
	}
	return reply, false, nil
}

// CaseOutbox lists the outbox rows of case k for purpose (Outbox.Kind).
func (tx *Tx) CaseOutbox(k *Case, purpose string) ([]Outbox, error) {
	var out []Outbox
	if err := tx.db.Where("case_id = ? AND kind = ?", k.ID, purpose).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("outbox of case %s: %w", k.No, err)
	}
	return out, nil
}

// SetResponseCode keeps what the platform returned for a sent card, so the
// card can be updated after someone acts on it.
func (s *Store) SetResponseCode(ctx context.Context, id uint64, code string) error {
	if err := s.db.WithContext(ctx).Model(&Outbox{}).Where("id = ?", id).Update("response_code", code).Error; err != nil {
		return fmt.Errorf("store response code of outbox %d: %w", id, err)
	}
	return nil
}

// OutboxByRef returns the newest outbox row that sent the card with task id ref.
func (s *Store) OutboxByRef(ctx context.Context, ref string) (*Outbox, error) {
	var o Outbox
	if err := s.db.WithContext(ctx).Where("ref = ? AND kind <> ?", ref, "card_update").Order("id DESC").First(&o).Error; err != nil {
		return nil, fmt.Errorf("outbox with ref %s: %w", ref, translate(err))
	}
	return &o, nil
}
