package modeltest

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"gorm.io/gorm"

	"minsheng/models"
)

// RecordSQL runs f and returns every statement store s sent to its
// database meanwhile, in order, whether through gorm or as plain SQL on the
// transaction's connection (the intake's path): BEGIN, COMMIT and ROLLBACK
// included. Nothing else may use s while f runs.
func RecordSQL(s *models.Store, f func()) []string {
	db := s.DB()
	rec := &recorder{}
	orig := db.Statement.ConnPool
	db.Statement.ConnPool = &recordingPool{ConnPool: orig, rec: rec}
	defer func() { db.Statement.ConnPool = orig }()
	f()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.sqls
}

type recorder struct {
	mu   sync.Mutex
	sqls []string
}

func (r *recorder) add(q string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sqls = append(r.sqls, q)
}

// recordingPool records the statements of a pool and of the transactions
// it begins.
type recordingPool struct {
	gorm.ConnPool
	rec *recorder
}

func (p *recordingPool) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	p.rec.add(q)
	return p.ConnPool.PrepareContext(ctx, q)
}

func (p *recordingPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.rec.add(q)
	return p.ConnPool.ExecContext(ctx, q, args...)
}

func (p *recordingPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.rec.add(q)
	return p.ConnPool.QueryContext(ctx, q, args...)
}

func (p *recordingPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.rec.add(q)
	return p.ConnPool.QueryRowContext(ctx, q, args...)
}

// BeginTx begins a transaction whose statements are recorded too.
func (p *recordingPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	b, ok := p.ConnPool.(gorm.TxBeginner)
	if !ok {
		return nil, errors.New("record SQL: the pool cannot begin a transaction")
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	p.rec.add("BEGIN")
	return &recordingTx{recordingPool: recordingPool{ConnPool: tx, rec: p.rec}, tx: tx}, nil
}

// GetDBConn is the pool under the recorder, for gorm's DB().
func (p *recordingPool) GetDBConn() (*sql.DB, error) {
	if db, ok := p.ConnPool.(*sql.DB); ok {
		return db, nil
	}
	return nil, errors.New("record SQL: not a *sql.DB")
}

type recordingTx struct {
	recordingPool
	tx *sql.Tx
}

func (t *recordingTx) Commit() error {
	t.rec.add("COMMIT")
	return t.tx.Commit()
}

func (t *recordingTx) Rollback() error {
	t.rec.add("ROLLBACK")
	return t.tx.Rollback()
}
