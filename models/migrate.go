package models

import (
	"context"
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations are the schema's versions, applied in order and recorded in the
// migrations table. Never edit one that has shipped: add the next.
//
// The first migration creates the tables from the model types; every later
// one must state its own change (AddColumn, CreateIndex…) so that it means the
// same thing on a database created at any version.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202611220001_init",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(
					&Citizen{}, &Department{}, &Member{}, &Case{}, &CaseEvent{},
					&Attachment{}, &Outbox{}, &InboundMessage{}, &CaseSequence{},
				)
			},
		},
		{
			ID: "202611220002_workflow",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.AutoMigrate(&CaseUnit{}, &Answer{}, &Extension{}, &Supervision{}); err != nil {
					return err
				}
				for _, col := range []string{"Ref", "ResponseCode"} {
					if !tx.Migrator().HasColumn(&Outbox{}, col) {
						if err := tx.Migrator().AddColumn(&Outbox{}, col); err != nil {
							return err
						}
					}
				}
				return nil
			},
		},
	}
}

// Migrate brings the schema up to date. On MySQL a named lock keeps two
// instances starting at once from migrating together.
func (s *Store) Migrate(ctx context.Context) error {
	if s.driver == "mysql" {
		sqlDB, err := s.db.DB()
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		var got int
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('minsheng_migrate', 120)").Scan(&got); err != nil || got != 1 {
			return fmt.Errorf("migrate: take the migration lock: %v (got %d)", err, got)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('minsheng_migrate')")
	}
	db := s.db.WithContext(ctx)
	if s.driver == "mysql" {
		// Set starts a statement of its own; Session makes it safe to chain
		// from again, so the option does not leak from one query to the next.
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci").
			Session(&gorm.Session{})
	}
	m := gormigrate.New(db, gormigrate.DefaultOptions, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrationIDs lists the versions applied to the database, oldest first.
func (s *Store) MigrationIDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Table(gormigrate.DefaultOptions.TableName).Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	return ids, nil
}
