package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The written feedback of 003 ("将回复和办理情况以书面形式分别向县信访局、
// 县委办督查室反馈，直到办结为止"): each recipient has a mark, the newest
// event it has been sent; a digest is the handling events after it, and
// each case fed back records it (EventFedBack) on its own record.

// EventFedBack is a case's handling put in a recipient's written feedback.
const EventFedBack EventKind = "fed_back"

// FeedbackKinds are the events a written feedback reports: the handling
// and the reply, up to 办结.
var FeedbackKinds = []EventKind{
	EventAssigned, EventReturned, EventProgress, EventExtensionApproved, EventInstructed,
	EventSupervise, EventApproved, EventReopened, EventArchived,
}

// FeedbackMark is how far recipient has been sent the handling events.
type FeedbackMark struct {
	Recipient   string `gorm:"primaryKey;size:64"`
	LastEventID uint64 `gorm:"not null"`
	UpdatedAt   time.Time
}

func init() {
	register(&gormigrate.Migration{
		ID: "202612030014_feedback",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&FeedbackMark{})
		},
	})
}

// FeedbackEvents returns the mark of recipient (0 when it was never sent
// anything) and, oldest first, at most limit handling events after it; a
// recipient never sent anything starts with the events since since.
func (tx *Tx) FeedbackEvents(recipient string, since time.Time, limit int) (uint64, []CaseEvent, error) {
	var m FeedbackMark
	err := tx.db.Where("recipient = ?", recipient).First(&m).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil, fmt.Errorf("feedback mark of %s: %w", recipient, err)
	}
	q := tx.db.Where("kind IN ?", FeedbackKinds)
	if m.LastEventID > 0 {
		q = q.Where("id > ?", m.LastEventID)
	} else {
		q = q.Where("created_at >= ?", since.UTC())
	}
	var out []CaseEvent
	if err := q.Order("id").Limit(limit).Find(&out).Error; err != nil {
		return 0, nil, fmt.Errorf("feedback events of %s: %w", recipient, err)
	}
	return m.LastEventID, out, nil
}

// AdvanceFeedback moves recipient's mark from from to to, compare-and-set:
// ErrConflict when another run moved it first.
func (tx *Tx) AdvanceFeedback(recipient string, from, to uint64) error {
	now := tx.Now()
	if from == 0 {
		err := tx.db.Create(&FeedbackMark{Recipient: recipient, LastEventID: to, UpdatedAt: now}).Error
		if err != nil {
			if errors.Is(translate(err), ErrDuplicate) {
				return fmt.Errorf("feedback mark of %s: %w", recipient, ErrConflict)
			}
			return fmt.Errorf("feedback mark of %s: %w", recipient, err)
		}
		return nil
	}
	res := tx.db.Model(&FeedbackMark{}).Where("recipient = ? AND last_event_id = ?", recipient, from).
		Updates(map[string]any{"last_event_id": to, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("feedback mark of %s: %w", recipient, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("feedback mark of %s: %w", recipient, ErrConflict)
	}
	return nil
}

// FedBack lists, oldest first, the written-feedback records of the cases
// received in period p: what was fed back to whom, for the 月报.
// It returns no sentinel error.
//
// A case's feedback comes after its receipt, so only the records made since
// p began are looked at: a range of idx_event_kind, not every feedback
// record ever made.
func (s *Store) FedBack(ctx context.Context, p Period) ([]FedBackRow, error) {
	var out []FedBackRow
	err := s.db.WithContext(ctx).Raw(`SELECT c.no, e.created_at, e.body FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.kind = ? AND e.created_at >= ? AND c.received_at >= ? AND c.received_at < ? ORDER BY e.id`,
		EventFedBack, p.From.UTC(), p.From.UTC(), p.To.UTC()).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("fed back %s: %w", p.Month(), err)
	}
	return out, nil
}

// FedBackRow is one case's written feedback: when, and to whom with what
// (the event's body).
type FedBackRow struct {
	No        string
	CreatedAt time.Time
	Body      string
}
