package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Closing the loop (DOMAIN.md steps 8 and 9): the citizen rates the answer
// (评价); 满意 or 基本满意 closes and archives the case (办结归档), 不满意
// reopens it for a second handling (重办) or puts it before the dispatcher;
// the lead unit may appeal (申诉) a 不满意 it thinks unreasonable, and an
// upheld appeal takes that rating out of the unit's satisfaction rate.
//
// Every rating is a row of its own (Rating), so a reopened case is rated
// again and the earlier 不满意 still counts for the unit; Case.Rating and
// Case.RatedAt repeat the latest for the case list of the reports.

// The citizen's ratings.
const (
	RatingSatisfied   = "满意"
	RatingBasic       = "基本满意"
	RatingUnsatisfied = "不满意"
)

// RatingValue is the rating a citizen means by score: 1 满意, 2 基本满意,
// 3 不满意; "" for any other score.
func RatingValue(score int) string {
	switch score {
	case 1:
		return RatingSatisfied
	case 2:
		return RatingBasic
	case 3:
		return RatingUnsatisfied
	}
	return ""
}

// Satisfied reports whether a rating counts as satisfied (满意 or 基本满意).
func Satisfied(value string) bool { return value == RatingSatisfied || value == RatingBasic }

// Appeal states of a rating.
const (
	AppealNone     = "none"     // not appealed
	AppealFiled    = "filed"    // the unit appealed; waiting for the decision
	AppealUpheld   = "upheld"   // 申诉成立: the rating no longer counts for the unit
	AppealRejected = "rejected" // 申诉驳回: the rating counts
)

// AppealLabel is an appeal state in Chinese.
func AppealLabel(state string) string {
	switch state {
	case AppealFiled:
		return "申诉待裁定"
	case AppealUpheld:
		return "申诉成立"
	case AppealRejected:
		return "申诉驳回"
	}
	return "未申诉"
}

// Event kinds of the rating, reopening, appeal and archive.
const (
	EventRated          EventKind = "rated"           // 评价 by the citizen
	EventRatingReason   EventKind = "rating_reason"   // the reason of a 不满意
	EventRatingReminded EventKind = "rating_reminded" // the citizen reminded to rate
	EventRatingReview   EventKind = "rating_review"   // a 不满意 put before the dispatchers
	EventReopened       EventKind = "reopened"        // 重办: answered → handling
	EventArchived       EventKind = "archived"        // 办结归档: → closed, nothing deleted
	EventAppealFiled    EventKind = "appeal_filed"    // 申诉 by the lead unit
	EventAppealDecided  EventKind = "appeal_decided"  // 申诉成立 / 申诉驳回
)

// Rating is one rating of one answer of a case: the first answer is round
// 1, the answer after the first 重办 round 2, and so on. It is never
// deleted; an appeal changes only its appeal columns, compare-and-set.
type Rating struct {
	ID     uint64 `gorm:"primaryKey"`
	CaseID uint64 `gorm:"not null;uniqueIndex:idx_rating_round,priority:1"`
	// Round is Case.Reopens + 1 when the rating was given: one rating per answer.
	Round int `gorm:"not null;uniqueIndex:idx_rating_round,priority:2"`
	// CitizenID is who rated (the case's reporter), for finding the
	// rating a reason belongs to; never shown to a unit.
	CitizenID uint64 `gorm:"not null;index:idx_rating_citizen"`
	// DepartmentID is the lead unit whose answer was rated: the rating
	// counts for it.
	DepartmentID uint64 `gorm:"not null;index:idx_rating_dept"`
	Value        string `gorm:"size:16;not null"`
	// Reason is why the citizen was not satisfied (or a remark with a
	// satisfied rating); empty if none was given.
	Reason string `gorm:"type:text"`
	// ReasonDueAt is set while a 不满意 waits for its reason: the citizen's
	// next text before it is the reason. Cleared once the reason came or
	// the time ran out, and what a 不满意 leads to was done.
	ReasonDueAt *time.Time `gorm:"index:idx_rating_reason_due"`
	RatedAt     time.Time  `gorm:"not null"`

	AppealState  string `gorm:"size:16;not null;default:'none';index:idx_rating_appeal"`
	AppealReason string `gorm:"type:text"`
	AppealBy     uint64 `gorm:"not null;default:0"`
	AppealAt     *time.Time
	// DecidedBy, DecidedAt and Decision are the appeal's decision: who, when
	// and why (the reason is required for a rejection).
	DecidedBy uint64 `gorm:"not null;default:0"`
	DecidedAt *time.Time
	Decision  string `gorm:"type:text"`

	// CaseReceivedAt repeats the case's ReceivedAt, which never changes:
	// the statistics find the ratings of a period's cases by it
	// (idx_rating_cohort) without a look-up per case (stats.go). NULL on
	// a row written by a server older than the column, which Stats finds
	// through its case instead.
	CaseReceivedAt *time.Time
}

func init() {
	register(&gormigrate.Migration{
		ID: "202611220007_ratings",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&Rating{}); err != nil {
				return fmt.Errorf("create ratings: %w", err)
			}
			if !tx.Migrator().HasColumn(&Case{}, "Reopens") {
				if err := tx.Migrator().AddColumn(&Case{}, "Reopens"); err != nil {
					return fmt.Errorf("add cases.reopens: %w", err)
				}
			}
			return nil
		},
	})
}

// Round is the round of case k's present answer: 1 before any 重办.
func (k *Case) Round() int { return k.Reopens + 1 }

// AddRating stores rating r of case k (its present round) and repeats it in
// the case's Rating and RatedAt, and records it (EventRated by a). It sets
// r's CaseID, CitizenID, Round, RatedAt and AppealState. It returns
// ErrDuplicate when this round of the case was rated already (and writes
// nothing: the transaction may go on).
func (tx *Tx) AddRating(k *Case, r *Rating, a Actor) error {
	now := tx.Now()
	r.ID, r.CaseID, r.CitizenID, r.Round, r.RatedAt, r.AppealState = 0, k.ID, k.CitizenID, k.Round(), now, AppealNone
	received := k.ReceivedAt.UTC()
	r.CaseReceivedAt = &received
	fresh, err := tx.createOnce(r)
	if err != nil {
		return fmt.Errorf("rate case %s: %w", k.No, err)
	}
	if !fresh {
		return fmt.Errorf("rate case %s round %d: %w", k.No, r.Round, ErrDuplicate)
	}
	if err := tx.Update(k, map[string]any{"rating": r.Value, "rated_at": now, "rating_rows": true}); err != nil {
		return err
	}
	k.Rating, k.RatedAt, k.RatingRows = r.Value, &now, true
	body := r.Value
	if k.Round() > 1 {
		body = fmt.Sprintf("%s（第%d次答复）", r.Value, k.Round())
	}
	if r.Reason != "" {
		body += "：" + r.Reason
	}
	return tx.Record(k, a, EventRated, "", "", body)
}

// RatingOf returns the rating of round of case k; ErrNotFound if none.
func (tx *Tx) RatingOf(k *Case, round int) (*Rating, error) {
	var r Rating
	if err := tx.db.Where("case_id = ? AND round = ?", k.ID, round).First(&r).Error; err != nil {
		return nil, fmt.Errorf("rating %d of case %s: %w", round, k.No, translate(err))
	}
	return &r, nil
}

// awaitingRating is the condition on cases that wait for the rating of
// their present answer.
const awaitingRating = "cases.status = ? AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.case_id = cases.id AND r.round = cases.reopens + 1)"

// AwaitingRating returns citizen c's newest answered case whose present
// answer is not rated yet; ErrNotFound if none.
func (tx *Tx) AwaitingRating(c *Citizen) (*Case, error) {
	var k Case
	err := tx.db.Where("cases.citizen_id = ? AND "+awaitingRating, c.ID, StatusAnswered).
		Order("cases.answered_at DESC, cases.id DESC").First(&k).Error
	if err != nil {
		return nil, fmt.Errorf("case of citizen %d waiting for a rating: %w", c.ID, translate(err))
	}
	return &k, nil
}

// AwaitingRatings lists answered cases whose present answer is not rated,
// answered after position after, ordered by (answered_at, id), at most
// limit. It returns no sentinel error.
func (tx *Tx) AwaitingRatings(after Cursor, limit int) ([]Case, error) {
	var out []Case
	lo := after.at()
	err := tx.db.Where(awaitingRating+" AND cases.answered_at >= ? AND (cases.answered_at > ? OR cases.id > ?)",
		StatusAnswered, lo, lo, after.ID).
		Order("cases.answered_at, cases.id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cases waiting for a rating: %w", err)
	}
	return out, nil
}

// PendingReason returns citizen c's newest 不满意 still waiting for its
// reason at now; ErrNotFound if none.
func (tx *Tx) PendingReason(c *Citizen, now time.Time) (*Rating, error) {
	if c.fresh { // no case yet, so nothing rated
		return nil, fmt.Errorf("rating of citizen %d waiting for a reason: %w", c.ID, ErrNotFound)
	}
	var r Rating
	err := tx.db.Where("citizen_id = ? AND reason_due_at IS NOT NULL AND reason_due_at > ?", c.ID, now.UTC()).
		Order("rated_at DESC, id DESC").First(&r).Error
	if err != nil {
		return nil, fmt.Errorf("rating of citizen %d waiting for a reason: %w", c.ID, translate(err))
	}
	return &r, nil
}

// ReasonsDue lists the 不满意 ratings whose time for a reason ran out at
// now, oldest first, at most limit. It returns no sentinel error.
func (tx *Tx) ReasonsDue(now time.Time, limit int) ([]Rating, error) {
	var out []Rating
	err := tx.db.Where("reason_due_at IS NOT NULL AND reason_due_at <= ?", now.UTC()).
		Order("reason_due_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("ratings whose reason is due: %w", err)
	}
	return out, nil
}

// GiveReason ends rating r's wait for a reason, with reason (empty when
// none came in time), compare-and-set: it returns ErrConflict when the wait
// was ended before (by the citizen's message or the rating job).
func (tx *Tx) GiveReason(r *Rating, reason string) error {
	res := tx.db.Model(&Rating{}).Where("id = ? AND reason_due_at IS NOT NULL", r.ID).
		Updates(map[string]any{"reason": reason, "reason_due_at": nil})
	if res.Error != nil {
		return fmt.Errorf("reason of rating %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("reason of rating %d: %w", r.ID, ErrConflict)
	}
	r.Reason, r.ReasonDueAt = reason, nil
	return nil
}

// Reopen moves answered case k back to handling (重办) and counts it in
// Reopens, recording EventReopened with body. ErrInvalidTransition or
// ErrConflict as Move.
func (tx *Tx) Reopen(k *Case, a Actor, body string) error {
	if err := tx.Move(k, StatusHandling, a, EventReopened, body, map[string]any{"reopens": gorm.Expr("reopens + 1")}); err != nil {
		return err
	}
	k.Reopens++
	return nil
}

// Archive closes case k (办结归档) with its whole record kept: nothing is
// deleted, the case is closed and an EventArchived entry says why.
// ErrInvalidTransition or ErrConflict as Move.
func (tx *Tx) Archive(k *Case, a Actor, body string) error {
	now := tx.Now()
	if err := tx.Move(k, StatusClosed, a, EventArchived, body, map[string]any{"closed_at": now}); err != nil {
		return err
	}
	k.ClosedAt = &now
	return nil
}

// AppealableRating returns the newest 不满意 of case k that counts for unit
// dept; ErrNotFound if none.
func (tx *Tx) AppealableRating(k *Case, dept uint64) (*Rating, error) {
	var r Rating
	err := tx.db.Where("case_id = ? AND department_id = ? AND value = ?", k.ID, dept, RatingUnsatisfied).
		Order("round DESC").First(&r).Error
	if err != nil {
		return nil, fmt.Errorf("unsatisfied rating of case %s: %w", k.No, translate(err))
	}
	return &r, nil
}

// FiledAppeal returns the rating of case k whose appeal waits for a
// decision; ErrNotFound if none.
func (tx *Tx) FiledAppeal(k *Case) (*Rating, error) {
	var r Rating
	if err := tx.db.Where("case_id = ? AND appeal_state = ?", k.ID, AppealFiled).Order("round DESC").First(&r).Error; err != nil {
		return nil, fmt.Errorf("appeal on case %s: %w", k.No, translate(err))
	}
	return &r, nil
}

// FileAppeal records member m's appeal (申诉) of rating r with reason,
// compare-and-set: ErrConflict when r was appealed before.
func (tx *Tx) FileAppeal(r *Rating, m *Member, reason string) error {
	now := tx.Now()
	res := tx.db.Model(&Rating{}).Where("id = ? AND appeal_state = ?", r.ID, AppealNone).
		Updates(map[string]any{"appeal_state": AppealFiled, "appeal_reason": reason, "appeal_by": m.ID, "appeal_at": now})
	if res.Error != nil {
		return fmt.Errorf("appeal rating %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("appeal rating %d: %w", r.ID, ErrConflict)
	}
	r.AppealState, r.AppealReason, r.AppealBy, r.AppealAt = AppealFiled, reason, m.ID, &now
	return nil
}

// DecideAppeal records m's decision on the appeal of rating r: upheld
// (申诉成立) or rejected (申诉驳回), with why; compare-and-set: ErrConflict
// when the appeal is no longer waiting.
func (tx *Tx) DecideAppeal(r *Rating, m *Member, upheld bool, why string) error {
	state := AppealRejected
	if upheld {
		state = AppealUpheld
	}
	now := tx.Now()
	res := tx.db.Model(&Rating{}).Where("id = ? AND appeal_state = ?", r.ID, AppealFiled).
		Updates(map[string]any{"appeal_state": state, "decided_by": m.ID, "decided_at": now, "decision": why})
	if res.Error != nil {
		return fmt.Errorf("decide appeal of rating %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("decide appeal of rating %d: %w", r.ID, ErrConflict)
	}
	r.AppealState, r.DecidedBy, r.DecidedAt, r.Decision = state, m.ID, &now, why
	return nil
}

// Ratings returns every rating of case caseID, oldest first. It returns no
// sentinel error.
func (s *Store) Ratings(ctx context.Context, caseID uint64) ([]Rating, error) {
	var out []Rating
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("round, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("ratings of case %d: %w", caseID, err)
	}
	return out, nil
}

// AppealNote is what a report says next to a unit's satisfaction rate when
// upheld appeals were taken out of it: "含申诉成立 N 件，已剔除"; "" when
// none were.
func (f UnitFigures) AppealNote() string {
	if f.AppealsUpheld <= 0 {
		return ""
	}
	return "含申诉成立 " + strconv.FormatInt(f.AppealsUpheld, 10) + " 件，已剔除"
}

// RatingRemindedAt returns when the citizen was reminded to rate case k's
// present answer, nil if not yet.
func (tx *Tx) RatingRemindedAt(k *Case) (*time.Time, error) {
	q := tx.db.Model(&CaseEvent{}).Where("case_id = ? AND kind = ?", k.ID, EventRatingReminded)
	if k.AnsweredAt != nil {
		q = q.Where("created_at >= ?", k.AnsweredAt.UTC())
	}
	var e CaseEvent
	err := q.Order("created_at DESC, id DESC").First(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("rating reminder of case %s: %w", k.No, err)
	}
	return &e.CreatedAt, nil
}
