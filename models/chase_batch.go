package models

import (
	"errors"
	"fmt"
)

// chaseChunk is how many rows one multi-row statement of the chases carries
// at most (each row binds up to ten values; servers take 65,535).
const chaseChunk = 500

// Chase is one automatic chase to store: its 督办 record under its key
// (Supervision.ChaseKey) and the 督办 entry on the case's record.
type Chase struct {
	Case *Case
	// Supervision is the record; CaseID, ChaseKey and CreatedAt are set by
	// AddChases.
	Supervision Supervision
	Key         string
}

// AddChases stores chases as AddChase and Record would one by one (the 督办
// record under its key, then an EventSupervise entry by the system with the
// record's note), in a few multi-row statements: a run of the deadline
// ladder that acts on thousands of cases costs round trips per batch, not
// per case. fresh[i] reports whether chases[i] was stored; a chase whose key
// is on record already (stored before, by this instance or another, or
// earlier in chases) is not, and its case gets no entry. It returns no
// sentinel error.
//
// The keys on record are read first and left out of the INSERT; a key that
// another instance stores in between makes the INSERT fail as a whole on
// MySQL and SQLite (the statement only, not the transaction), and the
// chases are then stored one by one, each duplicate skipped. PostgreSQL
// skips it in the INSERT (ON CONFLICT DO NOTHING … RETURNING).
func (tx *Tx) AddChases(chases []Chase) (fresh []bool, err error) {
	fresh = make([]bool, len(chases))
	for start := 0; start < len(chases); start += chaseChunk {
		part := chases[start:min(start+chaseChunk, len(chases))]
		f, err := tx.addChases(part)
		if err != nil {
			return nil, err
		}
		copy(fresh[start:], f)
	}
	return fresh, nil
}

func (tx *Tx) addChases(chases []Chase) ([]bool, error) {
	fresh := make([]bool, len(chases))
	keys := make([]string, 0, len(chases))
	for i := range chases {
		if chases[i].Key == "" {
			return nil, errors.New("add chases: a key is required")
		}
		keys = append(keys, chases[i].Key)
	}
	var known []string
	if err := tx.db.Model(&Supervision{}).Where("chase_key IN ?", keys).Pluck("chase_key", &known).Error; err != nil {
		return nil, fmt.Errorf("chases on record: %w", err)
	}
	seen := make(map[string]bool, len(chases))
	for _, k := range known {
		seen[k] = true
	}
	now := tx.Now()
	var todo []int // the chases to insert, by index
	for i := range chases {
		c := &chases[i]
		if seen[c.Key] {
			continue
		}
		seen[c.Key] = true
		key := c.Key
		c.Supervision.ID, c.Supervision.CaseID, c.Supervision.ChaseKey, c.Supervision.CreatedAt = 0, c.Case.ID, &key, now
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return fresh, nil
	}
	args := make([]any, 0, 8*len(todo))
	for _, i := range todo {
		s := &chases[i].Supervision
		args = append(args, s.CaseID, s.DepartmentID, s.ByKind, s.ByID, s.Level, s.Note, *s.ChaseKey, s.CreatedAt)
	}
	q := multiRowInsert("INSERT INTO supervisions (case_id, department_id, by_kind, by_id, level, note, chase_key, created_at)",
		"(?, ?, ?, ?, ?, ?, ?, ?)", len(todo))
	if tx.s.driver == "postgres" {
		rows, err := tx.db.Statement.ConnPool.QueryContext(tx.ctx(), tx.s.bind(q+" ON CONFLICT DO NOTHING RETURNING chase_key"), args...)
		if err != nil {
			return nil, fmt.Errorf("store %d chases: %w", len(todo), err)
		}
		stored := map[string]bool{}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store %d chases: %w", len(todo), err)
			}
			stored[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store %d chases: %w", len(todo), err)
		}
		for _, i := range todo {
			fresh[i] = stored[chases[i].Key]
		}
	} else if _, err := tx.exec(q, args...); errors.Is(translate(err), ErrDuplicate) {
		// Stored meanwhile by another instance: one by one, skipping it.
		for _, i := range todo {
			c := &chases[i]
			if fresh[i], err = tx.AddChase(&c.Supervision, c.Key); err != nil {
				return nil, err
			}
		}
	} else if err != nil {
		return nil, fmt.Errorf("store %d chases: %w", len(todo), err)
	} else {
		for _, i := range todo {
			fresh[i] = true
		}
	}

	// The entries on the cases' records, as Record writes them.
	args = args[:0]
	n := 0
	a := SystemActor
	for i := range chases {
		if !fresh[i] {
			continue
		}
		args = append(args, chases[i].Case.ID, EventSupervise, a.Kind, a.ID, a.Name, a.Platform, Status(""), Status(""), chases[i].Supervision.Note, now)
		n++
	}
	if n == 0 {
		return fresh, nil
	}
	q = multiRowInsert("INSERT INTO case_events ("+eventColumns+")", eventRow, n)
	if _, err := tx.exec(q, args...); err != nil {
		return nil, fmt.Errorf("record %d chases: %w", n, err)
	}
	return fresh, nil
}

// UnitsOf returns the active units of the cases with ids, by case, each
// case's lead first as Units orders them. It returns no sentinel error.
func (tx *Tx) UnitsOf(ids []uint64) (map[uint64][]CaseUnit, error) {
	out := make(map[uint64][]CaseUnit, len(ids))
	for start := 0; start < len(ids); start += chaseChunk {
		var units []CaseUnit
		err := tx.db.Where("case_id IN ? AND active = ?", ids[start:min(start+chaseChunk, len(ids))], true).
			Order("case_id, role DESC, id").Find(&units).Error
		if err != nil {
			return nil, fmt.Errorf("units of %d cases: %w", len(ids), err)
		}
		for _, u := range units {
			out[u.CaseID] = append(out[u.CaseID], u)
		}
	}
	return out, nil
}

// CasesByID reads the cases with ids, by id; an id without a case is not
// in the map. It returns no sentinel error.
func (tx *Tx) CasesByID(ids []uint64) (map[uint64]*Case, error) {
	out := make(map[uint64]*Case, len(ids))
	for start := 0; start < len(ids); start += chaseChunk {
		var cases []Case
		if err := tx.db.Where("id IN ?", ids[start:min(start+chaseChunk, len(ids))]).Find(&cases).Error; err != nil {
			return nil, fmt.Errorf("%d cases by id: %w", len(ids), err)
		}
		for i := range cases {
			out[cases[i].ID] = &cases[i]
		}
	}
	return out, nil
}
