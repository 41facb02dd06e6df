package models

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// Sentinel errors returned by the store; callers test them with errors.Is.
var (
	// ErrNotFound means the case, citizen or member does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalidTransition means the state machine does not allow the step.
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrConflict means someone else changed the row first.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the actor may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrDuplicate means a unique key already holds the value.
	ErrDuplicate = errors.New("duplicate")
)

// translate turns gorm, MySQL, PostgreSQL and SQLite errors into the sentinels.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return ErrDuplicate
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1062 {
		return ErrDuplicate
	}
	if pgDuplicate(err) || strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return ErrDuplicate
	}
	return err
}
