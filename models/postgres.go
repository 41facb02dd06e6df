package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	gpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
)

// postgresDialector connects to PostgreSQL (or a server that speaks its
// protocol: openGauss, KingbaseES, 瀚高) at dsn, a URL
// (postgres://user@host:5432/db?sslmode=disable) or key=value pairs.
//
// The session reckons in UTC, as the store does, and timestamps come back
// as UTC time.Time like they do from the MySQL and SQLite drivers (pgx
// would hand timestamptz back in the process's local zone).
func postgresDialector(dsn string) (gorm.Dialector, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres dsn: %w", err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	utc := stdlib.OptionAfterConnect(func(_ context.Context, conn *pgx.Conn) error {
		conn.TypeMap().RegisterType(&pgtype.Type{
			Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		conn.TypeMap().RegisterType(&pgtype.Type{
			Name: "timestamp", OID: pgtype.TimestampOID,
			Codec: &pgtype.TimestampCodec{ScanLocation: time.UTC},
		})
		return nil
	})
	d := gpostgres.New(gpostgres.Config{Conn: stdlib.OpenDB(*cfg, utc)}).(*gpostgres.Dialector)
	return pgDialector{*d}, nil
}

// pgDialector is gorm's PostgreSQL dialector that reads the MySQL column
// type the outbox payload asks for (mediumtext: more than MySQL's TEXT)
// as PostgreSQL's text, which has no such limit.
type pgDialector struct{ gpostgres.Dialector }

// DataTypeOf is the column type of field.
func (d pgDialector) DataTypeOf(field *schema.Field) string {
	if strings.EqualFold(string(field.DataType), "mediumtext") {
		return "text"
	}
	return d.Dialector.DataTypeOf(field)
}

// Migrator is gorm's PostgreSQL migrator, asking d for column types.
func (d pgDialector) Migrator(db *gorm.DB) gorm.Migrator {
	return gpostgres.Migrator{Migrator: migrator.Migrator{Config: migrator.Config{
		DB: db, Dialector: d, CreateIndexAfterCreateTable: true,
	}}}
}

// bind rewrites the ? placeholders of a statement sent past gorm (Tx.exec,
// Tx.queryRow) into PostgreSQL's $1, $2, …; on the other drivers query is
// returned as it is. A ? inside a quoted literal or identifier is left alone.
func (s *Store) bind(query string) string {
	if s.driver != "postgres" || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// createOnce inserts v (a pointer to a model) unless a unique key already
// holds its values, and reports whether it did; the caller's transaction
// goes on either way. On MySQL and SQLite a duplicate key fails the INSERT
// only; on PostgreSQL it would abort the whole transaction, so there the
// INSERT says ON CONFLICT DO NOTHING and an insert of no row is the
// duplicate. (On MariaDB that clause would hand back the existing row's id
// as if it were new.)
func (tx *Tx) createOnce(v any) (bool, error) {
	if tx.s.driver == "postgres" {
		res := tx.db.Clauses(clause.OnConflict{DoNothing: true}).Create(v)
		if res.Error != nil {
			return false, translate(res.Error)
		}
		return res.RowsAffected == 1, nil
	}
	err := translate(tx.db.Create(v).Error)
	if errors.Is(err, ErrDuplicate) {
		return false, nil
	}
	return err == nil, err
}

// pgDuplicate reports PostgreSQL's unique_violation.
func pgDuplicate(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// pgDeadlocked reports PostgreSQL's deadlock_detected and
// serialization_failure: the transaction was rolled back and may be run
// again.
func pgDeadlocked(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}
