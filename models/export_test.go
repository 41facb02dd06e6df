package models

// WithoutSkipLocked makes s claim the outbox as on a server without FOR
// UPDATE SKIP LOCKED: by the lease claim alone.
func WithoutSkipLocked(s *Store) { s.skipLocked.Store(false) }
