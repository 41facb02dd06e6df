package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
)

// database is the throw-away database of one run.
type database struct {
	admin  *sql.DB
	name   string
	server string // user@address, for the progress line
	dsn    string // the DSN of the new database
}

// createDatabase creates msbench_<random> on the server of dsn.
func createDatabase(ctx context.Context, dsn string) (*database, error) {
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
	return &database{admin: admin, name: name, server: cfg.User + "@" + cfg.Addr, dsn: cfg.FormatDSN()}, nil
}

// drop removes the database and closes the admin connection.
func (d *database) drop() error {
	defer d.admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := d.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+d.name); err != nil {
		return fmt.Errorf("drop database %s: %w", d.name, err)
	}
	return nil
}

func (d *database) close() { d.admin.Close() }

// openRaw opens database/sql on dsn for the plain-SQL baseline, with the
// store's connection settings and a pool as large as the store's.
func openRaw(dsn string) (*sql.DB, error) {
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
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	return db, nil
}
