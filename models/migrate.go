package models

import (
	"context"
	"fmt"
	"sort"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// registered holds the schema's versions. Each file that adds tables
// registers its migration in an init function with an ID that sorts after
// every shipped one (YYYYMMDDNNNN_name). Never edit one that has shipped: add
// the next.
//
// The first migrations create tables from the model types as they stand;
// every later change to a type that already has a table must come with a
// migration that states it (AddColumn, CreateIndex…) and checks whether it is
// already applied, so it means the same on a database created at any version.
var registered []*gormigrate.Migration

// register adds a migration; called from init functions only.
func register(m *gormigrate.Migration) { registered = append(registered, m) }

// migrations returns the registered migrations in ID order.
func migrations() []*gormigrate.Migration {
	out := append([]*gormigrate.Migration(nil), registered...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func init() {
	register(&gormigrate.Migration{
		ID: "202611220001_init",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(
				&Citizen{}, &Department{}, &Member{}, &Case{}, &CaseEvent{},
				&Attachment{}, &Outbox{}, &InboundMessage{}, &CaseSequence{},
			)
		},
	})
	register(&gormigrate.Migration{
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
	})
}

// Migrate brings the schema up to date. A lock held by the migrating
// connection (MySQL's named lock, PostgreSQL's advisory lock) keeps two
// instances starting at once on an empty database from migrating together:
// the second waits, then finds the schema current.
func (s *Store) Migrate(ctx context.Context) error {
	if lock, unlock := migrateLock[s.driver], migrateUnlock[s.driver]; lock != "" {
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
		if err := conn.QueryRowContext(ctx, lock).Scan(&got); err != nil || got != 1 {
			return fmt.Errorf("migrate: take the migration lock: %v (got %d)", err, got)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), unlock)
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

// migrateLock takes the lock that serialises migrations across instances,
// per driver, answering 1 once taken (MySQL gives up after 120 s);
// migrateUnlock releases it. SQLite is one process's file: none.
var (
	migrateLock = map[string]string{
		"mysql":    "SELECT GET_LOCK('minsheng_migrate', 120)",
		"postgres": "SELECT 1 FROM (SELECT pg_advisory_lock(" + pgMigrateLockKey + ")) AS l",
	}
	migrateUnlock = map[string]string{
		"mysql":    "SELECT RELEASE_LOCK('minsheng_migrate')",
		"postgres": "SELECT pg_advisory_unlock(" + pgMigrateLockKey + ")",
	}
)

// pgMigrateLockKey is the advisory lock's key: "minsheng" in ASCII, a
// number no other application on the database is likely to take.
const pgMigrateLockKey = "7883954064640536167"

// MigrationIDs lists the versions applied to the database, oldest first.
func (s *Store) MigrationIDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Table(gormigrate.DefaultOptions.TableName).Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	return ids, nil
}
