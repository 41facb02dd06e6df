package models

import (
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The report-up of serious cases (002: "及时报告党组、上级部门和县xx办"):
// every report to the upper-level recipients is an event on the case, and
// its alert keeps when it left and whether it was late (迟报).

// EventReportedUp is a report of a serious case to the upper-level recipients.
const EventReportedUp EventKind = "reported_up"

func init() {
	register(&gormigrate.Migration{
		ID: "202612030013_report_up",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&SeriousAlert{})
		},
	})
}

// MarkReportedUp records that alert a was reported up at time at, late when
// at is after its report-up deadline.
func (tx *Tx) MarkReportedUp(a *SeriousAlert, at time.Time) error {
	at = at.UTC()
	late := at.After(a.ReportDueAt)
	if err := tx.db.Model(&SeriousAlert{}).Where("id = ?", a.ID).
		Updates(map[string]any{"reported_up_at": at, "late": late}).Error; err != nil {
		return fmt.Errorf("mark alert %d reported up: %w", a.ID, err)
	}
	a.ReportedUpAt, a.Late = &at, late
	return nil
}

// EndAlerts stops chasing case k's open alerts: the case was graded to a
// severity whose alert is not chased, or to another. It returns how many
// were ended.
func (tx *Tx) EndAlerts(k *Case) (int64, error) {
	res := tx.db.Model(&SeriousAlert{}).Where("case_id = ? AND state = ?", k.ID, AlertOpen).Update("state", AlertEnded)
	if res.Error != nil {
		return 0, fmt.Errorf("end alerts of case %s: %w", k.No, res.Error)
	}
	return res.RowsAffected, nil
}

// LateReports counts the alerts raised in [from, to) whose report-up was
// late (迟报), for the monthly figures.
func (tx *Tx) LateReports(from, to time.Time) (int64, error) {
	var n int64
	err := tx.db.Model(&SeriousAlert{}).
		Where("created_at >= ? AND created_at < ? AND late = ?", from.UTC(), to.UTC(), true).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("late reports: %w", err)
	}
	return n, nil
}
