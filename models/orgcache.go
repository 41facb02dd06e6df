package models

import (
	"context"
	"sync"
	"sync/atomic"
)

// Directory is what every new case needs of the organisation: the active
// dispatchers, who get its card (by id), and the active units, one of which
// the card suggests (by code) — as MembersWithRole(0, RoleDispatcher) and
// ActiveDepartments return them. It is shared between transactions: callers
// must not change it.
type Directory struct {
	Dispatchers []Member
	Departments []Department
}

// Directory returns the active dispatchers and units. They change only
// through this store (SyncOrg at start, SetUnitPlatform and
// SetMemberPlatform from the sandbox), so they are kept in memory from one
// change to the next: Receive reads them again, outside its transaction,
// after a change, and a transaction that finds none kept reads them itself,
// as MembersWithRole and ActiveDepartments do. A change made by another
// server instance on the same database is seen after this one's next
// SyncOrg (or restart). It returns no sentinel error.
func (tx *Tx) Directory() (*Directory, error) {
	if d := tx.s.org.get(); d != nil {
		return d, nil
	}
	return tx.readDirectory()
}

func (tx *Tx) readDirectory() (*Directory, error) {
	dispatchers, err := tx.MembersWithRole(0, RoleDispatcher)
	if err != nil {
		return nil, err
	}
	deps, err := tx.ActiveDepartments()
	if err != nil {
		return nil, err
	}
	return &Directory{Dispatchers: dispatchers, Departments: deps}, nil
}

// warmDirectory reads the directory into memory when a change emptied it.
// It runs outside any transaction, so that what it reads is the last
// committed state and not a transaction's older snapshot, and so that it
// never waits for a second connection while holding one. An error is
// dropped: the transaction then reads the directory itself and reports it.
func (s *Store) warmDirectory(ctx context.Context) {
	if s.org == nil || s.org.get() != nil {
		return
	}
	gen := s.org.generation()
	d, err := (&Tx{db: s.db.WithContext(ctx), s: s}).readDirectory()
	if err != nil {
		return
	}
	s.org.put(gen, d)
}

// orgCache holds the Directory between changes of the organisation.
// Readers load it without a lock; a change bumps the generation, so that a
// read that began before the change cannot put back what it read. A nil
// orgCache (a Store not made by Open) keeps nothing.
type orgCache struct {
	dir atomic.Pointer[Directory]
	mu  sync.Mutex
	gen uint64
}

// get returns the kept directory, or nil.
func (o *orgCache) get() *Directory {
	if o == nil {
		return nil
	}
	return o.dir.Load()
}

func (o *orgCache) generation() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.gen
}

// put keeps d if nothing changed since generation gen was read.
func (o *orgCache) put(gen uint64, d *Directory) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.gen == gen {
		o.dir.Store(d)
	}
}

// invalidate forgets the directory; called after every change of members
// or departments has committed (or failed).
func (o *orgCache) invalidate() {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.gen++
	o.dir.Store(nil)
}
