package models

// WithoutSkipLocked makes s claim the outbox as on a server without FOR
// UPDATE SKIP LOCKED: by the lease claim alone.
func WithoutSkipLocked(s *Store) { s.skipLocked.Store(false) }

// RefuseInsertInWith makes s's statement that numbers and writes a new case
// in one (PostgreSQL's INSERT in WITH) one the server refuses, as a server
// of the family without data-modifying WITH would.
func RefuseInsertInWith(s *Store) { s.openWith = "WITH n AS (INSERT INTO case_sequences RETURNING" }

// WritesWith reports whether s numbers and writes a new case in one
// statement.
func WritesWith(s *Store) bool { return s.writeWith.Load() }
