package models

import (
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The leaders' work (issue "Leaders decide from their phone"): the approval
// chain of an answer draft, 批示, and the report-up of serious cases.

// More event kinds, for the leaders' work.
const (
	EventReviewed          EventKind = "reviewed"           // one step of the answer's approval chain passed
	EventExtensionApproved EventKind = "extension_approved" // 延期 approved
	EventExtensionRejected EventKind = "extension_rejected" // 延期 rejected
	EventAcknowledged      EventKind = "acknowledged"       // 知悉: a leader took note of a serious case
	EventChased            EventKind = "chased"             // a serious case chased again: no leader has taken note yet
)

// Review step states. A draft's chain starts with its first step pending and
// the others waiting; each approval opens the next.
const (
	StepWaiting  = "waiting"
	StepPending  = "pending"
	StepApproved = "approved"
	StepRejected = "rejected"
)

// ReviewStep is one approver's turn on an answer draft: the unit's head or a
// leader. The steps of a draft are written when it is submitted, from the
// chain configured for its unit, so a later change of config does not move a
// draft already under review.
type ReviewStep struct {
	ID       uint64 `gorm:"primaryKey"`
	AnswerID uint64 `gorm:"not null;index:idx_step_answer,priority:1"`
	CaseID   uint64 `gorm:"not null;index"`
	// Step counts from 1, in the order of the chain.
	Step      int    `gorm:"not null;index:idx_step_answer,priority:2"`
	Role      Role   `gorm:"size:16;not null"`
	State     string `gorm:"size:16;not null"`
	DecidedBy uint64 `gorm:"not null;default:0"`
	DecidedAt *time.Time
	Comment   string `gorm:"type:text"`
	CreatedAt time.Time
}

// Instruction is a leader's 批示 on a case. It is open until the lead unit
// posts 进展 or an answer draft after it (see Tx.InstructionActed).
type Instruction struct {
	ID       uint64 `gorm:"primaryKey"`
	CaseID   uint64 `gorm:"not null;index"`
	LeaderID uint64 `gorm:"not null"`
	Body     string `gorm:"type:text;not null"`
	// AfterEventID is the newest event of the case when the 批示 was given:
	// only what the unit records after it counts as acting on it.
	AfterEventID uint64 `gorm:"not null;default:0"`
	CreatedAt    time.Time
}

// Serious alert states.
const (
	AlertOpen       = "open"       // no leader has taken note yet: chased
	AlertAcked      = "acked"      // a leader sent 知悉
	AlertSuperseded = "superseded" // graded again; a newer alert stands for it
	AlertEnded      = "ended"      // graded down below the grades that are chased: no longer chased
)

// SeriousAlert is the report-up of a 重大/特别重大 case to the leaders: it is
// chased until a leader acknowledges it (知悉).
type SeriousAlert struct {
	ID       uint64   `gorm:"primaryKey"`
	CaseID   uint64   `gorm:"not null;index"`
	Severity Severity `gorm:"size:16;not null"`
	// ReportDueAt is the report-up deadline (DOMAIN.md: 1 h / 2 h).
	ReportDueAt  time.Time `gorm:"not null"`
	State        string    `gorm:"size:16;not null;index:idx_alert_state_chase,priority:1"`
	AckedBy      uint64    `gorm:"not null;default:0"`
	AckedAt      *time.Time
	Chases       int       `gorm:"not null;default:0"`
	LastChasedAt time.Time `gorm:"not null;index:idx_alert_state_chase,priority:2"`
	CreatedAt    time.Time
	// ReportedUpAt is when the case was reported to the upper-level
	// recipients (serious.report_up); nil when none is configured.
	ReportedUpAt *time.Time
	// Late is set when the report-up left after ReportDueAt (迟报).
	Late bool `gorm:"not null;default:false"`
}

func init() {
	register(&gormigrate.Migration{
		ID: "202611220005_leaders",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&ReviewStep{}, &Instruction{}, &SeriousAlert{})
		},
	})
}

// AddReviewSteps writes the approval chain of draft a: one step per role, in
// order, the first pending and the rest waiting.
func (tx *Tx) AddReviewSteps(a *Answer, roles []Role) ([]ReviewStep, error) {
	now := tx.Now()
	out := make([]ReviewStep, 0, len(roles))
	for i, r := range roles {
		st := StepWaiting
		if i == 0 {
			st = StepPending
		}
		out = append(out, ReviewStep{AnswerID: a.ID, CaseID: a.CaseID, Step: i + 1, Role: r, State: st, CreatedAt: now})
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := tx.db.Create(&out).Error; err != nil {
		return nil, fmt.Errorf("store review steps of answer %d: %w", a.ID, err)
	}
	return out, nil
}

// ReviewSteps returns the approval chain of draft answerID in order.
func (tx *Tx) ReviewSteps(answerID uint64) ([]ReviewStep, error) {
	var out []ReviewStep
	if err := tx.db.Where("answer_id = ?", answerID).Order("step").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("review steps of answer %d: %w", answerID, err)
	}
	return out, nil
}

// DecideStep approves or rejects step s, compare-and-set on its being
// pending (ErrConflict when someone decided it first).
func (tx *Tx) DecideStep(s *ReviewStep, by *Member, state, comment string) error {
	now := tx.Now()
	res := tx.db.Model(&ReviewStep{}).Where("id = ? AND state = ?", s.ID, StepPending).
		Updates(map[string]any{"state": state, "decided_by": by.ID, "decided_at": now, "comment": comment})
	if res.Error != nil {
		return fmt.Errorf("decide review step %d: %w", s.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("decide review step %d: %w", s.ID, ErrConflict)
	}
	s.State, s.DecidedBy, s.DecidedAt, s.Comment = state, by.ID, &now, comment
	return nil
}

// OpenStep makes waiting step s the one approvers act on now.
func (tx *Tx) OpenStep(s *ReviewStep) error {
	res := tx.db.Model(&ReviewStep{}).Where("id = ? AND state = ?", s.ID, StepWaiting).Update("state", StepPending)
	if res.Error != nil {
		return fmt.Errorf("open review step %d: %w", s.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("open review step %d: %w", s.ID, ErrConflict)
	}
	s.State = StepPending
	return nil
}

// AddRejectedDraft keeps a draft that the automatic check bounced: it is on
// record as rejected by the system with the reason, and never reached an
// approver.
func (tx *Tx) AddRejectedDraft(a *Answer, reason string) error {
	now := tx.Now()
	a.State, a.Comment, a.DecidedAt, a.DecidedBy, a.CreatedAt = AnswerRejected, reason, &now, 0, now
	if err := tx.db.Create(a).Error; err != nil {
		return fmt.Errorf("store rejected draft of case %d: %w", a.CaseID, err)
	}
	return nil
}

// Answers returns every draft of case k, oldest first.
func (tx *Tx) Answers(k *Case) ([]Answer, error) {
	var out []Answer
	if err := tx.db.Where("case_id = ?", k.ID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("answers of case %s: %w", k.No, err)
	}
	return out, nil
}

// PendingExtension returns case k's newest undecided extension request;
// ErrNotFound if there is none.
func (tx *Tx) PendingExtension(k *Case) (*Extension, error) {
	var e Extension
	err := tx.db.Where("case_id = ? AND state = ?", k.ID, ExtensionRequested).Order("id DESC").First(&e).Error
	if err != nil {
		return nil, fmt.Errorf("pending extension of case %s: %w", k.No, translate(err))
	}
	return &e, nil
}

// Extensions returns every extension request of case k, oldest first.
func (tx *Tx) Extensions(k *Case) ([]Extension, error) {
	var out []Extension
	if err := tx.db.Where("case_id = ?", k.ID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("extensions of case %s: %w", k.No, err)
	}
	return out, nil
}

// DecideExtension approves (with the new deadline) or rejects request e,
// compare-and-set on its being undecided (ErrConflict otherwise).
func (tx *Tx) DecideExtension(e *Extension, by *Member, state string, newDue *time.Time) error {
	now := tx.Now()
	upd := map[string]any{"state": state, "decided_by": by.ID, "decided_at": now}
	if newDue != nil {
		u := newDue.UTC()
		newDue = &u
		upd["new_due_at"] = u
	}
	res := tx.db.Model(&Extension{}).Where("id = ? AND state = ?", e.ID, ExtensionRequested).Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("decide extension %d: %w", e.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("decide extension %d: %w", e.ID, ErrConflict)
	}
	e.State, e.DecidedBy, e.DecidedAt = state, by.ID, &now
	if newDue != nil {
		e.NewDueAt = newDue
	}
	return nil
}

// lastEventID is the id of case k's newest event (0 if none).
func (tx *Tx) lastEventID(k *Case) (uint64, error) {
	var id *uint64
	if err := tx.db.Model(&CaseEvent{}).Where("case_id = ?", k.ID).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("last event of case %s: %w", k.No, err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// AddInstruction stores a leader's 批示 on case k. Call it before recording
// the 批示 event, so that AfterEventID excludes it.
func (tx *Tx) AddInstruction(k *Case, leader *Member, body string) (*Instruction, error) {
	after, err := tx.lastEventID(k)
	if err != nil {
		return nil, err
	}
	in := &Instruction{CaseID: k.ID, LeaderID: leader.ID, Body: body, AfterEventID: after, CreatedAt: tx.Now()}
	if err := tx.db.Create(in).Error; err != nil {
		return nil, fmt.Errorf("store instruction on case %s: %w", k.No, err)
	}
	return in, nil
}

// Instructions returns the 批示 on case k, oldest first.
func (tx *Tx) Instructions(k *Case) ([]Instruction, error) {
	var out []Instruction
	if err := tx.db.Where("case_id = ?", k.ID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("instructions of case %s: %w", k.No, err)
	}
	return out, nil
}

// actedSQL is true for an instruction i (joined with its case as cases) when
// a member of the case's lead unit recorded 进展 or an answer draft after it.
const actedSQL = `EXISTS (SELECT 1 FROM case_events e JOIN members m ON m.id = e.actor_id
	WHERE e.case_id = instructions.case_id AND e.id > instructions.after_event_id
	AND e.actor_kind = ? AND e.kind IN ? AND m.department_id = cases.lead_dept_id)`

var actedKinds = []EventKind{EventProgress, EventDraft}

// InstructionActed reports whether the lead unit acted on instruction i: it
// posted 进展 or an answer draft after the 批示.
func (tx *Tx) InstructionActed(i *Instruction) (bool, error) {
	var n int64
	err := tx.db.Model(&Instruction{}).Joins("JOIN cases ON cases.id = instructions.case_id").
		Where("instructions.id = ?", i.ID).Where(actedSQL, ActorMember, actedKinds).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("instruction %d acted: %w", i.ID, err)
	}
	return n > 0, nil
}

// OpenInstructions lists 批示 the lead unit has not acted on yet, on cases
// still open, oldest first, at most limit.
func (tx *Tx) OpenInstructions(limit int) ([]Instruction, error) {
	open := []Status{StatusReceived, StatusAssigned, StatusHandling, StatusReviewing}
	var out []Instruction
	err := tx.db.Model(&Instruction{}).Joins("JOIN cases ON cases.id = instructions.case_id").
		Where("cases.status IN ?", open).Where("NOT "+actedSQL, ActorMember, actedKinds).
		Order("instructions.id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("open instructions: %w", err)
	}
	return out, nil
}

// RaiseAlert opens a report-up alert for case k; an older open alert of the
// case is superseded by it.
func (tx *Tx) RaiseAlert(k *Case, due time.Time) (*SeriousAlert, error) {
	now := tx.Now()
	if err := tx.db.Model(&SeriousAlert{}).Where("case_id = ? AND state = ?", k.ID, AlertOpen).
		Update("state", AlertSuperseded).Error; err != nil {
		return nil, fmt.Errorf("supersede alerts of case %s: %w", k.No, err)
	}
	a := &SeriousAlert{CaseID: k.ID, Severity: k.Severity, ReportDueAt: due.UTC(), State: AlertOpen, LastChasedAt: now, CreatedAt: now}
	if err := tx.db.Create(a).Error; err != nil {
		return nil, fmt.Errorf("store alert of case %s: %w", k.No, err)
	}
	return a, nil
}

// LatestAlert returns case k's newest report-up alert; ErrNotFound if the
// case was never graded serious.
func (tx *Tx) LatestAlert(k *Case) (*SeriousAlert, error) {
	var a SeriousAlert
	err := tx.db.Where("case_id = ? AND state <> ?", k.ID, AlertSuperseded).Order("id DESC").First(&a).Error
	if err != nil {
		return nil, fmt.Errorf("alert of case %s: %w", k.No, translate(err))
	}
	return &a, nil
}

// AckAlert marks alert a acknowledged by leader m, compare-and-set on its
// being open (ErrConflict when another leader was first).
func (tx *Tx) AckAlert(a *SeriousAlert, m *Member) error {
	now := tx.Now()
	res := tx.db.Model(&SeriousAlert{}).Where("id = ? AND state = ?", a.ID, AlertOpen).
		Updates(map[string]any{"state": AlertAcked, "acked_by": m.ID, "acked_at": now})
	if res.Error != nil {
		return fmt.Errorf("acknowledge alert %d: %w", a.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("acknowledge alert %d: %w", a.ID, ErrConflict)
	}
	a.State, a.AckedBy, a.AckedAt = AlertAcked, m.ID, &now
	return nil
}

// AlertsToChase lists open alerts of open cases last chased at or before
// before, oldest first, at most limit.
func (tx *Tx) AlertsToChase(before time.Time, limit int) ([]SeriousAlert, error) {
	open := []Status{StatusReceived, StatusAssigned, StatusHandling, StatusReviewing}
	var out []SeriousAlert
	err := tx.db.Model(&SeriousAlert{}).Joins("JOIN cases ON cases.id = serious_alerts.case_id").
		Where("serious_alerts.state = ? AND serious_alerts.last_chased_at <= ? AND cases.status IN ?", AlertOpen, before.UTC(), open).
		Order("serious_alerts.last_chased_at, serious_alerts.id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("alerts to chase: %w", err)
	}
	return out, nil
}

// MarkChased counts one more chase of alert a at time at, compare-and-set on
// the count, so two instances never chase the same round twice.
func (tx *Tx) MarkChased(a *SeriousAlert, at time.Time) error {
	res := tx.db.Model(&SeriousAlert{}).Where("id = ? AND state = ? AND chases = ?", a.ID, AlertOpen, a.Chases).
		Updates(map[string]any{"chases": a.Chases + 1, "last_chased_at": at.UTC()})
	if res.Error != nil {
		return fmt.Errorf("mark alert %d chased: %w", a.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("mark alert %d chased: %w", a.ID, ErrConflict)
	}
	a.Chases++
	a.LastChasedAt = at.UTC()
	return nil
}

// MemberByIDActive returns the active member id; ErrNotFound if there is
// none or they left.
func (tx *Tx) MemberByIDActive(id uint64) (*Member, error) {
	var m Member
	if err := tx.db.Where("id = ? AND active = ?", id, true).First(&m).Error; err != nil {
		return nil, fmt.Errorf("member %d: %w", id, translate(err))
	}
	return &m, nil
}

// CaseAttachments returns what the citizen attached to case k, oldest first.
func (tx *Tx) CaseAttachments(k *Case) ([]Attachment, error) {
	var out []Attachment
	if err := tx.db.Where("case_id = ?", k.ID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("attachments of case %s: %w", k.No, err)
	}
	return out, nil
}
