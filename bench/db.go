package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	// The database/sql driver "pgx", for the PostgreSQL baseline.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// database is the throw-away database of one run.
type database struct {
	admin  *sql.DB
	driver string // mysql or postgres
	name   string
	server string // user@address, for the progress line
	dsn    string // the DSN of the new database
}

// isPostgres reports whether dsn is a PostgreSQL URL (postgres://…); any
// other DSN is MySQL's.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// createDatabase creates msbench_<random> on the server of dsn.
func createDatabase(ctx context.Context, dsn string) (*database, error) {
	if isPostgres(dsn) {
		return createPGDatabase(ctx, dsn)
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("bench: dsn %q: %w", dsn, err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("bench: MariaDB at %s@%s does not answer (set -dsn or %s): %w", cfg.User, cfg.Addr, EnvDSN, err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	name := "msbench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("bench: create database %s (the user needs CREATE and DROP on msbench_%%): %w", name, err)
	}
	cfg.DBName = name
	return &database{admin: admin, driver: "mysql", name: name, server: cfg.User + "@" + cfg.Addr, dsn: cfg.FormatDSN()}, nil
}

// createPGDatabase creates msbench_<random> on the PostgreSQL server of
// dsn, a URL; the user needs CREATEDB.
func createPGDatabase(ctx context.Context, dsn string) (*database, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("bench: dsn: %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("bench: PostgreSQL at %s@%s does not answer (set -dsn or %s): %w", u.User.Username(), u.Host, EnvDSN, err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	name := "msbench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("bench: create database %s (the user needs CREATEDB): %w", name, err)
	}
	u.Path = "/" + name
	return &database{admin: admin, driver: "postgres", name: name, server: u.User.Username() + "@" + u.Host, dsn: u.String()}, nil
}

// drop removes the database and closes the admin connection.
func (d *database) drop() error {
	defer d.admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := "DROP DATABASE IF EXISTS " + d.name
	if d.driver == "postgres" {
		q += " WITH (FORCE)"
	}
	if _, err := d.admin.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("drop database %s: %w", d.name, err)
	}
	return nil
}

func (d *database) close() { d.admin.Close() }

// openRaw opens database/sql on dsn for the plain-SQL baseline, with the
// store's connection settings and a pool of pool connections.
func openRaw(driver, dsn string, pool int) (*sql.DB, error) {
	if driver == "postgres" {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("bench: raw: %w", err)
		}
		db.SetMaxOpenConns(pool)
		db.SetMaxIdleConns(-1) // none until measured (fill)
		return db, nil
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("bench: raw dsn: %w", err)
	}
	// The store's own settings (models.Open): one round trip per statement.
	cfg.ParseTime, cfg.Loc, cfg.InterpolateParams = true, time.UTC, true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["charset"] = "utf8mb4"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("bench: raw: %w", err)
	}
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(-1) // none until measured (fill)
	return db, nil
}

// bind rewrites a statement's ? placeholders into PostgreSQL's $1, $2, …
// for driver postgres (the bench's statements hold no quoted ?).
func bind(driver, query string) string {
	if driver != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
