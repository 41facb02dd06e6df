package models

import (
	"context"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Report is one produced monthly report (月报) file: which month it covers,
// where it was written and its SHA-256, so that an archived copy can be
// checked. A month may have several: each production is a new row.
type Report struct {
	ID uint64 `gorm:"primaryKey"`
	// Month is YYYY-MM.
	Month  string `gorm:"size:7;not null;index:idx_report_month,priority:1"`
	Path   string `gorm:"size:1024;not null"`
	SHA256 string `gorm:"size:64;not null"`
	Size   int64  `gorm:"not null"`
	// Scheduled is true for the monthly job's report, false for one made on demand.
	Scheduled bool      `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null;index:idx_report_month,priority:2"`
}

// Indexes the statistics rely on (see stats.go): the intake of a period by
// received_at, the answers of a period by answered_at.
const (
	idxCaseReceived = "idx_case_received"
	idxCaseAnswered = "idx_case_answered"
)

// Indexes that hold every column the statistics read (stats.go), so that a
// period's figures are read from them alone, never from the rows of cases
// with their problem and answer texts: they replace idxCaseReceived and
// idxCaseAnswered, whose every entry led to a row.
const (
	idxCaseCohort       = "idx_case_cohort"
	idxCaseAnsweredDept = "idx_case_answered_dept"
	// idxRatingCohort holds what the statistics read of a rating, by the
	// time its case was received (Rating.CaseReceivedAt).
	idxRatingCohort = "idx_rating_cohort"
	// idxUnitCaseLead holds what the statistics and the case lists read of
	// a case's units (the lead unit, and when it was given the case), by
	// case; it replaces idx_unit_case over case_id alone.
	idxUnitCaseLead = "idx_unit_case_lead"
	// idxEventKind finds the entries of one kind over a time, in every
	// case's record (the repeats of a week, the written feedback of the
	// 月报): without it each such query reads the whole record table,
	// a dozen rows per case ever received.
	idxEventKind = "idx_event_kind"
)

func init() {
	register(&gormigrate.Migration{
		ID: "202612170003_event_kind_index",
		Migrate: func(tx *gorm.DB) error {
			if tx.Migrator().HasIndex(&CaseEvent{}, idxEventKind) {
				return nil
			}
			if err := tx.Exec("CREATE INDEX " + idxEventKind + " ON case_events (kind, created_at)").Error; err != nil {
				return fmt.Errorf("create index %s: %w", idxEventKind, err)
			}
			return nil
		},
	})
	register(&gormigrate.Migration{
		ID: "202612030020_stats_covering_indexes",
		Migrate: func(tx *gorm.DB) error {
			// Every case learns whether it has rows in ratings (one UPDATE;
			// rows are never deleted).
			if !tx.Migrator().HasColumn(&Case{}, "RatingRows") {
				if err := tx.Migrator().AddColumn(&Case{}, "RatingRows"); err != nil {
					return fmt.Errorf("add cases.rating_rows: %w", err)
				}
			}
			err := tx.Exec("UPDATE cases SET rating_rows = ? WHERE rating_rows = ? AND id IN (SELECT case_id FROM ratings)", true, false).Error
			if err != nil {
				return fmt.Errorf("mark the cases with ratings: %w", err)
			}
			for _, ix := range []struct {
				model                  any
				table, name, cols, old string
			}{
				{&Case{}, "cases", idxCaseCohort, "received_at, lead_dept_id, status, answered_at, due_at, rating, rating_rows", idxCaseReceived},
				{&Case{}, "cases", idxCaseAnsweredDept, "answered_at, lead_dept_id", idxCaseAnswered},
				{&CaseUnit{}, "case_units", idxUnitCaseLead, "case_id, role, department_id, active, created_at", "idx_unit_case"},
			} {
				if !tx.Migrator().HasIndex(ix.model, ix.name) {
					if err := tx.Exec("CREATE INDEX " + ix.name + " ON " + ix.table + " (" + ix.cols + ")").Error; err != nil {
						return fmt.Errorf("create index %s: %w", ix.name, err)
					}
				}
				if tx.Migrator().HasIndex(ix.model, ix.old) {
					if err := tx.Migrator().DropIndex(ix.model, ix.old); err != nil {
						return fmt.Errorf("drop index %s: %w", ix.old, err)
					}
				}
			}
			// Every rating learns when its case was received (one UPDATE,
			// portable; on 700,000 ratings under a minute on MariaDB).
			if !tx.Migrator().HasColumn(&Rating{}, "CaseReceivedAt") {
				if err := tx.Migrator().AddColumn(&Rating{}, "CaseReceivedAt"); err != nil {
					return fmt.Errorf("add ratings.case_received_at: %w", err)
				}
			}
			err = tx.Exec("UPDATE ratings SET case_received_at = (SELECT c.received_at FROM cases c WHERE c.id = ratings.case_id) WHERE case_received_at IS NULL").Error
			if err != nil {
				return fmt.Errorf("date the ratings by their cases: %w", err)
			}
			if !tx.Migrator().HasIndex(&Rating{}, idxRatingCohort) {
				err := tx.Exec("CREATE INDEX " + idxRatingCohort + " ON ratings (case_received_at, department_id, value, appeal_state, decided_at, rated_at)").Error
				if err != nil {
					return fmt.Errorf("create index %s: %w", idxRatingCohort, err)
				}
			}
			return nil
		},
	})
	register(&gormigrate.Migration{
		ID: "202611220004_reports",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&Report{}); err != nil {
				return fmt.Errorf("create reports: %w", err)
			}
			// The citizen's rating (satisfaction rate); filled by the rating feature.
			for _, col := range []string{"Rating", "RatedAt"} {
				if !tx.Migrator().HasColumn(&Case{}, col) {
					if err := tx.Migrator().AddColumn(&Case{}, col); err != nil {
						return fmt.Errorf("add cases.%s: %w", col, err)
					}
				}
			}
			for name, col := range map[string]string{idxCaseReceived: "received_at", idxCaseAnswered: "answered_at"} {
				if tx.Migrator().HasIndex(&Case{}, name) {
					continue
				}
				if err := tx.Exec("CREATE INDEX " + name + " ON cases (" + col + ")").Error; err != nil {
					return fmt.Errorf("create index %s: %w", name, err)
				}
			}
			// A chart or a report file travels in the outbox payload: more
			// than MySQL's TEXT (64 KB) holds. SQLite's TEXT has no limit.
			if tx.Dialector.Name() == "mysql" {
				var typ string
				err := tx.Raw("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'outboxes' AND COLUMN_NAME = 'payload'").
					Scan(&typ).Error
				if err != nil {
					return fmt.Errorf("read outboxes.payload type: %w", err)
				}
				if typ == "text" {
					if err := tx.Exec("ALTER TABLE outboxes MODIFY payload MEDIUMTEXT NOT NULL").Error; err != nil {
						return fmt.Errorf("widen outboxes.payload: %w", err)
					}
				}
			}
			return nil
		},
	})
}

// AddReport records a produced report file; CreatedAt is the store's clock.
func (s *Store) AddReport(ctx context.Context, r *Report) error {
	r.ID, r.CreatedAt = 0, s.now()
	if err := s.db.WithContext(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("record report %s: %w", r.Month, err)
	}
	return nil
}

// LatestReport returns the newest report of month (YYYY-MM), scheduled ones
// only if scheduled is set; ErrNotFound if there is none.
func (s *Store) LatestReport(ctx context.Context, month string, scheduled bool) (*Report, error) {
	q := s.db.WithContext(ctx).Where("month = ?", month)
	if scheduled {
		q = q.Where("scheduled = ?", true)
	}
	var r Report
	if err := q.Order("created_at DESC, id DESC").First(&r).Error; err != nil {
		return nil, fmt.Errorf("report of %s: %w", month, translate(err))
	}
	return &r, nil
}
