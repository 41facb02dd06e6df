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

func init() {
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
