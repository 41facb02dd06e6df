package modeltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	// The database/sql driver "pgx", for creating and dropping test databases.
	_ "github.com/jackc/pgx/v5/stdlib"

	"minsheng/models"
)

// pgStale is the age after which a test database is someone's leftover (a
// test binary killed before its cleanup): no test run lasts that long.
const pgStale = time.Hour

// pgAdmin is a connection to the server given by MINSHENG_TEST_PG_DSN (or
// the default), for creating and dropping test databases. It skips or fails
// t when the server does not answer.
func pgAdmin(t testing.TB) (*sql.DB, string) {
	t.Helper()
	base, set := os.LookupEnv(EnvPGDSN)
	if !set || base == "" {
		base = defaultPGDSN
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPGDSN, err)
	}
	admin.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		if set {
			t.Fatalf("PostgreSQL at %s=%q does not answer: %v", EnvPGDSN, base, err)
		}
		t.Skipf("PostgreSQL does not answer at %s (set %s to test on PostgreSQL): %v", defaultPGDSN, EnvPGDSN, err)
	}
	return admin, base
}

// pgName is a new test database name, mstest_<unix seconds>_<random>: the
// time lets a later run drop what a killed one left behind.
func pgName() string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("mstest_%d_%s", time.Now().Unix(), hex.EncodeToString(b[:]))
}

// pgDSN creates an empty PostgreSQL database mstest_…, dropped when t ends,
// and returns a DSN for it; from template, a database of this process, when
// that is not "".
func pgDSN(t testing.TB, template string) string {
	t.Helper()
	admin, base := pgAdmin(t)
	name := pgName()
	if template == "" {
		template = "template0 ENCODING 'UTF8'" // UTF8 whatever template1 was made with
	}
	if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + template); err != nil {
		admin.Close()
		t.Fatalf("create test database %s: %v (the test user needs CREATEDB)", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	dsn, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("%s: %v", EnvPGDSN, err)
	}
	return dsn
}

// pgTemplate is this process's migrated database, which every store Open
// returns is a copy of: copying a database costs a fraction of migrating
// one (70 ms against 250 ms here). It is made on first use and left for a
// later run to drop (sweepStale), a process having no cleanup of its own.
var pgTemplate struct {
	once sync.Once
	name string
	err  error
}

// pgMigratedDSN is pgDSN of a copy of this process's migrated template.
func pgMigratedDSN(t testing.TB) string {
	t.Helper()
	admin, base := pgAdmin(t)
	defer admin.Close()
	pgTemplate.once.Do(func() {
		sweepStale(admin)
		name := pgName()
		if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
			pgTemplate.err = fmt.Errorf("create template database %s: %w (the test user needs CREATEDB)", name, err)
			return
		}
		pgTemplate.err = migrateTemplate(base, name)
		pgTemplate.name = name
	})
	if pgTemplate.err != nil {
		t.Fatalf("%v", pgTemplate.err)
	}
	return pgDSN(t, pgTemplate.name)
}

// migrateTemplate migrates database name and closes every connection to it,
// which a database must have none of to be copied.
func migrateTemplate(base, name string) error {
	dsn, err := withDatabase(base, name)
	if err != nil {
		return err
	}
	s, err := models.Open("postgres", dsn, Shanghai)
	if err != nil {
		return fmt.Errorf("open template %s: %w", name, err)
	}
	defer s.Close()
	if err := s.Migrate(context.Background()); err != nil {
		return fmt.Errorf("migrate template %s: %w", name, err)
	}
	return nil
}

// sweepStale drops test databases older than pgStale.
func sweepStale(admin *sql.DB) {
	rows, err := admin.Query("SELECT datname FROM pg_database WHERE datname LIKE 'mstest!_%' ESCAPE '!'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		parts := strings.Split(name, "_")
		if len(parts) != 3 {
			continue
		}
		if sec, err := strconv.ParseInt(parts[1], 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > pgStale {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	}
}

// withDatabase returns dsn, a URL or key=value pairs, with its database
// replaced by name.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	// Key=value pairs: the last dbname given wins.
	return dsn + " dbname=" + name, nil
}
