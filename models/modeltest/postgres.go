package modeltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	// The database/sql driver "pgx", for creating and dropping test databases.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// testPGPool is the connection pool of a PostgreSQL test store: tests of
// several packages run at once on one server.
const testPGPool = 8

// pgDSN creates an empty PostgreSQL database mstest_<random>, dropped when t
// ends, and returns a DSN for it.
func pgDSN(t testing.TB) string {
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
	var b [4]byte
	rand.Read(b[:])
	name := "mstest_" + hex.EncodeToString(b[:])
	// template0: UTF8 whatever template1 was made with.
	if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
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
