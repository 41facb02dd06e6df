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

// Migrate brings the schema up to date. Instances starting at once on an
// empty database migrate one after the other (startLocked): the second
// waits, then finds the schema current.
func (s *Store) Migrate(ctx context.Context) error {
	return s.startLocked(ctx, "migrate", func() error { return s.migrate(ctx) })
}

// startLocked runs fn holding a lock across every instance on the
// database: MySQL's named lock or PostgreSQL's advisory lock, held by a
// connection of its own for fn's duration. What every instance does at
// start on the shared schema (Migrate, SyncOrg) runs under it, so that two
// instances starting at once do not do it together. On SQLite, one
// process's file, fn runs as it is. The lock takes a connection of the
// pool besides fn's: a pool of one would wait forever.
func (s *Store) startLocked(ctx context.Context, what string, fn func() error) error {
	lock, unlock := startLock[s.driver], startUnlock[s.driver]
	if lock == "" {
		return fn()
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("%s: take the start lock: %w", what, err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("%s: take the start lock: %w", what, err)
	}
	defer conn.Close()
	var got int
	if err := conn.QueryRowContext(ctx, lock).Scan(&got); err != nil || got != 1 {
		return fmt.Errorf("%s: take the start lock: %v (got %d)", what, err, got)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), unlock)
	return fn()
}

func (s *Store) migrate(ctx context.Context) error {
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

// startLock takes the lock of startLocked, per driver, answering 1 once
// taken (MySQL gives up after 120 s); startUnlock releases it. The MySQL
// lock keeps the name it had when it guarded migrations alone, so that an
// older instance and a newer one still exclude each other.
var (
	startLock = map[string]string{
		"mysql":    "SELECT GET_LOCK('minsheng_migrate', 120)",
		"postgres": "SELECT 1 FROM (SELECT pg_advisory_lock(" + pgStartLockKey + ")) AS l",
	}
	startUnlock = map[string]string{
		"mysql":    "SELECT RELEASE_LOCK('minsheng_migrate')",
		"postgres": "SELECT pg_advisory_unlock(" + pgStartLockKey + ")",
	}
)

// pgStartLockKey is the advisory lock's key: "minsheng" in ASCII, a number
// no other application on the database is likely to take.
const pgStartLockKey = "7883954064640536167"

// MigrationIDs lists the versions applied to the database, oldest first.
func (s *Store) MigrationIDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Table(gormigrate.DefaultOptions.TableName).Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	return ids, nil
}
