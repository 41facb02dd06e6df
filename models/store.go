package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is the database: every query of the product goes through it.
type Store struct {
	db     *gorm.DB
	driver string
	// Now is the clock; tests move it.
	Now func() time.Time
	// Location is the time zone case numbers and deadlines are reckoned in.
	Location *time.Location
	// org keeps the dispatchers and units every new case reads (orgcache.go).
	org *orgCache
	// receiving are the inbound messages in Receive now (intake_inflight.go).
	receiving *inflight
	// gate lets as many intakes at once as the pool has connections, in
	// their order of arrival (SetPool, Receive).
	gate *atomic.Pointer[chan struct{}]
	// skipLocked is whether the outbox claim reads FOR UPDATE SKIP LOCKED
	// (outbox.go).
	skipLocked *atomic.Bool
	// writeWith is whether OpenCase writes the number, the case and its
	// first entry in one statement, PostgreSQL's data-modifying WITH
	// (intake.go); a server of the family that refuses it turns it off.
	// openWith is that statement; withRefused is set once the server
	// refused it.
	writeWith, withRefused *atomic.Bool
	openWith               string
}

// Open connects to driver ("sqlite", "mysql" or "postgres") at dsn. It does
// not migrate.
func Open(driver, dsn string, loc *time.Location) (*Store, error) {
	if loc == nil {
		loc = time.UTC
	}
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		db  *gorm.DB
		err error
	)
	switch driver {
	case "sqlite":
		db, err = gorm.Open(sqlite.Open(sqliteDSN(dsn)), cfg)
	case "mysql":
		var d string
		d, err = mysqlDSN(dsn)
		if err == nil {
			db, err = gorm.Open(gmysql.Open(d), cfg)
		}
	case "postgres":
		var d gorm.Dialector
		d, err = postgresDialector(dsn)
		if err == nil {
			db, err = gorm.Open(d, cfg)
		}
	default:
		return nil, fmt.Errorf("open database: unknown driver %q (want sqlite, mysql or postgres)", driver)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	if driver != "sqlite" {
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	s := &Store{db: db, driver: driver, Now: time.Now, Location: loc, org: &orgCache{}, receiving: &inflight{}, skipLocked: &atomic.Bool{}, gate: &atomic.Pointer[chan struct{}]{}, writeWith: &atomic.Bool{}, withRefused: &atomic.Bool{}}
	s.skipLocked.Store(driver != "sqlite")
	s.writeWith.Store(driver == "postgres")
	s.openWith = openWithSQL
	s.SetPool(0, 0)
	return s, nil
}

// DefaultPool is the connection pool of one instance on driver when the
// configuration does not set one (database.max_open_conns):
//
//   - sqlite: 1, the one writer SQLite takes; queue in Go, not in busy loops.
//   - mysql: 8 and postgres: 4, the sizes at which minsheng bench measured
//     the most intakes per second at 64 clients on this project's machine
//     (2 cores; README, Benchmarks: `bench -intake-pools 4,8,16,64`), 16
//     and 64 connections doing less (on PostgreSQL, 64 connections did a
//     third of what 4 did): connections beyond what the server's cores run
//     at once wait on its locks and schedulers. Intakes beyond the pool
//     wait at the store's gate in their order of arrival. A database server
//     with more cores takes more: measure it the same way and set
//     database.max_open_conns.
func DefaultPool(driver string) int {
	switch driver {
	case "sqlite":
		return 1
	case "postgres":
		return defaultPostgresPool
	default:
		return defaultMySQLPool
	}
}

// The pools DefaultPool gives, by measurement (see there).
const (
	defaultMySQLPool    = 8
	defaultPostgresPool = 4
)

// SetPool sizes the connection pool: at most maxOpen connections (0: the
// driver's DefaultPool), of which maxIdle stay open when idle (0: all of
// them). SQLite keeps its one connection whatever is asked.
func (s *Store) SetPool(maxOpen, maxIdle int) {
	db, err := s.db.DB()
	if err != nil {
		return
	}
	if maxOpen <= 0 || s.driver == "sqlite" {
		maxOpen = DefaultPool(s.driver)
	}
	if maxIdle <= 0 || maxIdle > maxOpen {
		maxIdle = maxOpen
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxIdle)
	gate := make(chan struct{}, maxOpen)
	s.gate.Store(&gate)
}

// enterGate waits for a place among the intakes running at once, which are
// as many as the pool's connections: the others wait here in their order of
// arrival, where database/sql would hand a freed connection to any of its
// waiters, the last as well as the first (a long tail of latency with a
// small pool). The returned function leaves.
func (s *Store) enterGate(ctx context.Context) (func(), error) {
	g := s.gate.Load()
	if g == nil {
		return func() {}, nil
	}
	select {
	case *g <- struct{}{}:
		return func() { <-*g }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Pool is the connection pool's size, as SetPool left it.
func (s *Store) Pool() int {
	db, err := s.db.DB()
	if err != nil {
		return 0
	}
	return db.Stats().MaxOpenConnections
}

// sqliteDSN adds the pragmas the store relies on.
func sqliteDSN(dsn string) string {
	if strings.Contains(dsn, "_pragma") {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Driver timeouts put in a MySQL DSN that does not set its own (timeout,
// readTimeout, writeTimeout). The I/O timeout leaves room for the monthly
// report's longest query.
const (
	DefaultDialTimeout = 3 * time.Second
	DefaultIOTimeout   = 30 * time.Second
)

// mysqlDSN makes sure times come back as UTC time.Time and text is utf8mb4,
// and has the driver put the arguments into the statement text: without
// that every statement with arguments costs a prepare and an execute, two
// round trips instead of one, and an intake holds the day's case-number row
// twice as long (see minsheng bench in the README). The driver escapes for
// utf8mb4 and refuses to interpolate for charsets where that is unsafe.
// One statement per round trip: the store never sends several in one.
func mysqlDSN(dsn string) (string, error) {
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("parse mysql dsn: %w", err)
	}
	c.ParseTime = true
	c.Loc = time.UTC
	c.InterpolateParams = true
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	if _, ok := c.Params["charset"]; !ok {
		c.Params["charset"] = "utf8mb4"
	}
	// A database that accepts connections and never answers must not hold
	// a connection for ever: dial, read and write each get a deadline
	// unless the DSN sets its own. Callers' contexts bound the rest.
	if c.Timeout == 0 {
		c.Timeout = DefaultDialTimeout
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultIOTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultIOTimeout
	}
	return c.FormatDSN(), nil
}

// Driver names the database kind: sqlite, mysql or postgres.
func (s *Store) Driver() string { return s.driver }

// DB is the gorm handle, for migrations and tests.
func (s *Store) DB() *gorm.DB { return s.db }

// Close closes the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// intakeTables are the tables a citizen's report is written to.
var intakeTables = []string{"inbound_messages", "citizens", "cases", "case_events", "case_sequences", "outboxes"}

// Ready reports whether the store can take a report: one statement that
// reads every table the intake writes (WHERE 1 = 0: no rows, but each table
// must exist and be readable). A ping would pass with the tables gone.
func (s *Store) Ready(ctx context.Context) error {
	var q strings.Builder
	for i, t := range intakeTables {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		q.WriteString("SELECT 1 FROM " + t + " WHERE 1 = 0")
	}
	var n []int
	if err := s.db.WithContext(ctx).Raw(q.String()).Scan(&n).Error; err != nil {
		return fmt.Errorf("store not ready: %w", err)
	}
	return nil
}

// now is the store clock in UTC, truncated to what both databases keep.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// inTx runs fn in a transaction.
// A transaction that the database chose as a deadlock victim is run again, up to
// txAttempts times: fn must only touch the database (messages go through the
// outbox), so running it again is safe.
func (s *Store) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= txAttempts; attempt++ {
		err = s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
			return fn(&Tx{db: db, s: s})
		}, &sql.TxOptions{})
		if !deadlocked(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// txAttempts bounds the retries of a deadlocked transaction.
const txAttempts = 4

// deadlocked reports MySQL's deadlock (1213) and lock wait timeout (1205),
// and PostgreSQL's deadlock and serialization failure.
func deadlocked(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205) || pgDeadlocked(err)
}

// Tx is a transaction of the store; its methods are the building blocks the
// bot composes into one atomic step.
type Tx struct {
	db *gorm.DB
	s  *Store
	// opened is the case OpenCase opened in this transaction, if any
	// (Receive hands its number back).
	opened *Case
}

// Now is the store's clock.
func (tx *Tx) Now() time.Time { return tx.s.now() }

// SyncOrg brings departments and members in line with config: new ones are
// added, changed ones updated, and ones no longer listed marked inactive
// (never deleted: the record refers to them).
func (s *Store) SyncOrg(ctx context.Context, deps []Department, members []Member, memberDept []string) error {
	defer s.org.invalidate()
	// Under the start lock: two instances starting at once on an empty
	// database would both insert every unit, and one would fail.
	return s.startLocked(ctx, "sync org", func() error { return s.syncOrg(ctx, deps, members, memberDept) })
}

func (s *Store) syncOrg(ctx context.Context, deps []Department, members []Member, memberDept []string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		if err := tx.db.Model(&Department{}).Where("1 = 1").Update("active", false).Error; err != nil {
			return fmt.Errorf("sync departments: %w", err)
		}
		ids := map[string]uint64{}
		for _, d := range deps {
			var cur Department
			err := tx.db.Where("code = ?", d.Code).First(&cur).Error
			switch translate(err) {
			case nil:
				d.ID, d.CreatedAt = cur.ID, cur.CreatedAt
			case ErrNotFound:
			default:
				return fmt.Errorf("sync department %s: %w", d.Code, err)
			}
			d.Active = true
			if err := tx.db.Save(&d).Error; err != nil {
				return fmt.Errorf("sync department %s: %w", d.Code, err)
			}
			ids[d.Code] = d.ID
		}
		if err := tx.db.Model(&Member{}).Where("1 = 1").Update("active", false).Error; err != nil {
			return fmt.Errorf("sync members: %w", err)
		}
		for i, m := range members {
			var cur Member
			err := tx.db.Where("platform = ? AND user_id = ?", m.Platform, m.UserID).First(&cur).Error
			switch translate(err) {
			case nil:
				m.ID, m.CreatedAt = cur.ID, cur.CreatedAt
			case ErrNotFound:
			default:
				return fmt.Errorf("sync member %s: %w", m.UserID, err)
			}
			m.DepartmentID = nil
			if i < len(memberDept) && memberDept[i] != "" {
				id, ok := ids[memberDept[i]]
				if !ok {
					return fmt.Errorf("sync member %s: department %q: %w", m.UserID, memberDept[i], ErrNotFound)
				}
				m.DepartmentID = &id
			}
			m.Active = true
			if err := tx.db.Save(&m).Error; err != nil {
				return fmt.Errorf("sync member %s: %w", m.UserID, err)
			}
		}
		return nil
	})
}

// Departments lists the active departments by code.
func (s *Store) Departments(ctx context.Context) ([]Department, error) {
	var out []Department
	if err := s.db.WithContext(ctx).Where("active = ?", true).Order("code").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	return out, nil
}

// Department returns the department with id, or ErrNotFound.
func (s *Store) Department(ctx context.Context, id uint64) (*Department, error) {
	var d Department
	if err := s.db.WithContext(ctx).First(&d, id).Error; err != nil {
		return nil, fmt.Errorf("department %d: %w", id, translate(err))
	}
	return &d, nil
}

// CaseByNo returns the case numbered no, or ErrNotFound.
func (s *Store) CaseByNo(ctx context.Context, no string) (*Case, error) {
	var c Case
	if err := s.db.WithContext(ctx).Where("no = ?", no).First(&c).Error; err != nil {
		return nil, fmt.Errorf("case %s: %w", no, translate(err))
	}
	return &c, nil
}

// Events returns the record of a case, oldest first.
func (s *Store) Events(ctx context.Context, caseID uint64) ([]CaseEvent, error) {
	var out []CaseEvent
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("events of case %d: %w", caseID, err)
	}
	return out, nil
}

// Attachments returns what the citizen attached to a case, oldest first.
func (s *Store) Attachments(ctx context.Context, caseID uint64) ([]Attachment, error) {
	var out []Attachment
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("attachments of case %d: %w", caseID, err)
	}
	return out, nil
}

// CountCases counts all cases; for health pages and tests.
func (s *Store) CountCases(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Case{}).Count(&n).Error
	return n, err
}

// OutboxDepth counts messages waiting to be delivered.
func (s *Store) OutboxDepth(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Outbox{}).Where("status = ?", OutboxPending).Count(&n).Error
	return n, err
}

// multiRowInsert is head ("INSERT INTO t (cols)") with n rows of values,
// each row as given ("(?, ?, …)"): one statement for all of them.
func multiRowInsert(head, row string, n int) string {
	var q strings.Builder
	q.Grow(len(head) + len(" VALUES ") + n*(len(row)+2))
	q.WriteString(head)
	q.WriteString(" VALUES ")
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return q.String()
}
