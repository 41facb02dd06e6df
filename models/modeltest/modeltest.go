// Package modeltest opens fresh, migrated stores for tests: one on embedded
// SQLite, one on MariaDB/MySQL and one on PostgreSQL, so the same test runs
// on all three.
//
// MariaDB is found through MINSHENG_TEST_MYSQL_DSN, PostgreSQL through
// MINSHENG_TEST_PG_DSN. When a variable is set (CI sets both) an unreachable
// server fails the test; when it is not set the local default
// (root@tcp(127.0.0.1:3306)/test,
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) is tried and,
// if it does not answer, that driver's half is skipped with a note.
package modeltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"minsheng/models"
)

// EnvDSN names the variable that carries the MariaDB DSN for tests.
const EnvDSN = "MINSHENG_TEST_MYSQL_DSN"

// EnvPGDSN names the variable that carries the PostgreSQL DSN for tests: a
// user that may create and drop databases, and a database to connect to
// while it does.
const EnvPGDSN = "MINSHENG_TEST_PG_DSN"

const (
	defaultDSN   = "root@tcp(127.0.0.1:3306)/test"
	defaultPGDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// Shanghai is the time zone tests reckon in.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Drivers lists the databases every store test runs on.
var Drivers = []string{"sqlite", "mysql", "postgres"}

// Each runs fn as a subtest on a fresh store of every driver.
func Each(t *testing.T, fn func(t *testing.T, s *models.Store)) {
	t.Helper()
	for _, d := range Drivers {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

// PoolSize caps the connections of a test's store to MariaDB or
// PostgreSQL. The server's pool is for a busy intake; tests run many stores
// at once (packages and parallel tests) against servers whose
// max_connections (151 on MariaDB, 100 on PostgreSQL by default) other
// suites share. A test that needs more concurrency than this waits for
// a connection; it does not fail.
const PoolSize = 6

// Cap limits s, when it is on MariaDB/MySQL or PostgreSQL (100 connections
// by default), to PoolSize connections, for tests that open their own stores
// with models.Open.
func Cap(s *models.Store) *models.Store {
	if s.Driver() == "sqlite" {
		return s
	}
	s.SetPool(PoolSize, PoolSize)
	return s
}

// Open returns a fresh, migrated store of driver, removed when t ends. On
// MariaDB and PostgreSQL its pool holds at most PoolSize connections.
func Open(t testing.TB, driver string) *models.Store {
	t.Helper()
	var dsn string
	if driver == "postgres" {
		dsn = pgMigratedDSN(t)
	} else {
		driver, dsn = DSN(t, driver)
	}
	s, err := models.Open(driver, dsn, Shanghai)
	if err != nil {
		t.Fatalf("open %s store: %v", driver, err)
	}
	Cap(s)
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s store: %v", driver, err)
	}
	return s
}

// DSN returns a DSN for a new, empty database of driver, dropped when t ends.
func DSN(t testing.TB, driver string) (string, string) {
	t.Helper()
	switch driver {
	case "sqlite":
		return "sqlite", filepath.Join(t.TempDir(), "test.db")
	case "postgres":
		return "postgres", pgDSN(t, "")
	}
	base, set := os.LookupEnv(EnvDSN)
	if !set || base == "" {
		base = defaultDSN
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	admin, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatalf("mysql: %v", err)
	}
	// Two statements in the test's life: no connection kept in between.
	admin.SetMaxOpenConns(1)
	admin.SetMaxIdleConns(0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		if set {
			t.Fatalf("MariaDB at %s=%q does not answer: %v", EnvDSN, base, err)
		}
		t.Skipf("MariaDB does not answer at %s (set %s to test on MySQL): %v", defaultDSN, EnvDSN, err)
	}
	var b [4]byte
	rand.Read(b[:])
	name := "mstest_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		t.Fatalf("create test database %s: %v (the test user needs CREATE on mstest_%%)", name, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name)
		admin.Close()
	})
	cfg.DBName = name
	return "mysql", cfg.FormatDSN()
}

// Clock is a movable clock for tests, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// At returns a Shanghai time for tests.
func At(year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, Shanghai)
}

// Must fails t on err.
func Must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
