package models

import (
	"context"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RevokedSession is a dashboard session its user signed out of before it
// expired: the session's nonce, and when its cookie would have expired. A
// cookie naming a revoked nonce is no session, on every instance.
type RevokedSession struct {
	Nonce     string    `gorm:"primaryKey;size:64"`
	ExpiresAt time.Time `gorm:"not null;index"`
}

func init() {
	register(&gormigrate.Migration{
		ID: "202612030001_revoked_sessions",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&RevokedSession{})
		},
	})
}

// RevokeSession ends the session with nonce, whose cookie expires at until,
// and forgets sessions revoked earlier that have expired since. Revoking
// twice is not an error.
func (s *Store) RevokeSession(ctx context.Context, nonce string, until time.Time) error {
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", s.now()).Delete(&RevokedSession{}).Error; err != nil {
		return fmt.Errorf("revoke session: forget expired: %w", err)
	}
	row := RevokedSession{Nonce: nonce, ExpiresAt: until.UTC().Truncate(time.Second)}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// SessionRevoked reports whether the session with nonce was signed out of.
func (s *Store) SessionRevoked(ctx context.Context, nonce string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&RevokedSession{}).Where("nonce = ?", nonce).Count(&n).Error; err != nil {
		return false, fmt.Errorf("session revoked: %w", err)
	}
	return n > 0, nil
}
