package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// chasesOf makes one chase of case k per key, at level.
func chasesOf(k *models.Case, level string, keys ...string) []models.Chase {
	var out []models.Chase
	for _, key := range keys {
		out = append(out, models.Chase{Case: k, Key: key,
			Supervision: models.Supervision{DepartmentID: 7, ByKind: models.ActorSystem, Level: level, Note: "督办：" + key}})
	}
	return out
}

// countChases counts the 督办 records and entries of case id.
func countChases(t *testing.T, s *models.Store, id uint64) (records, entries int) {
	t.Helper()
	ctx := context.Background()
	sups, err := s.Supervisions(ctx, id)
	modeltest.Must(t, err, "supervisions")
	ev, err := s.Events(ctx, id)
	modeltest.Must(t, err, "events")
	for _, e := range ev {
		if e.Kind == models.EventSupervise {
			entries++
		}
	}
	return len(sups), entries
}

// AddChases stores what AddChase and Record would, once per key: a key on
// record, or twice in the batch, is neither stored again nor recorded on
// the case, and the chases after it are stored.
func TestAddChasesOncePerKey(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		r := openCase(t, s, "1", "oA", "路灯坏了很多天")
		var fresh []bool
		err := s.Act(ctx, func(tx *models.Tx) error {
			k, err := tx.CaseByID(r.CaseID)
			if err != nil {
				return err
			}
			if ok, err := tx.AddChase(&models.Supervision{CaseID: k.ID, ByKind: models.ActorSystem, Level: "remind"}, "remind:X:1"); err != nil || !ok {
				return fmt.Errorf("first chase: %v %v", ok, err)
			}
			batch := chasesOf(k, "overdue", "remind:X:1", "overdue:X:1", "overdue:X:1", "leader:X:1")
			fresh, err = tx.AddChases(batch)
			return err
		})
		modeltest.Must(t, err, "chases")
		if fmt.Sprint(fresh) != "[false true false true]" {
			t.Errorf("fresh = %v; want [false true false true]", fresh)
		}
		sups, err := s.Supervisions(ctx, r.CaseID)
		modeltest.Must(t, err, "supervisions")
		var got []string
		for _, x := range sups {
			got = append(got, *x.ChaseKey+" "+x.Note)
		}
		if want := "[remind:X:1  overdue:X:1 督办：overdue:X:1 leader:X:1 督办：leader:X:1]"; fmt.Sprint(got) != want {
			t.Errorf("records = %v; want %s", got, want)
		}
		ev, err := s.Events(ctx, r.CaseID)
		modeltest.Must(t, err, "events")
		var bodies []string
		for _, e := range ev {
			if e.Kind == models.EventSupervise {
				if e.ActorKind != models.ActorSystem || e.ActorName != "系统" || e.Platform != "system" {
					t.Errorf("entry by %s %q on %s; want the system", e.ActorKind, e.ActorName, e.Platform)
				}
				bodies = append(bodies, e.Body)
			}
		}
		if fmt.Sprint(bodies) != "[督办：overdue:X:1 督办：leader:X:1]" {
			t.Errorf("entries = %v; want one per stored chase", bodies)
		}
	})
}

// Two instances store the same chases at once: the second reads the keys
// before the first commits, and its INSERT meets them. Each chase is stored
// and recorded once, and the second learns that none of them was its own.
func TestAddChasesConcurrentInstances(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		r := openCase(t, s, "1", "oA", "路灯坏了很多天")
		k := &models.Case{ID: r.CaseID}
		keys := []string{"overdue:X:1", "leader:X:1", "joint:X:1"}
		inserted, release := make(chan struct{}), make(chan struct{})
		firstErr := make(chan error, 1)
		go func() {
			firstErr <- s.Act(ctx, func(tx *models.Tx) error {
				fresh, err := tx.AddChases(chasesOf(k, "overdue", keys...))
				if err == nil && fmt.Sprint(fresh) != "[true true true]" {
					err = fmt.Errorf("first instance: fresh = %v; want all", fresh)
				}
				close(inserted)
				<-release // hold the transaction open
				return err
			})
		}()
		<-inserted
		var fresh []bool
		secondErr := make(chan error, 1)
		go func() {
			secondErr <- s.Act(ctx, func(tx *models.Tx) error {
				var err error
				fresh, err = tx.AddChases(chasesOf(k, "overdue", keys...))
				return err
			})
		}()
		time.Sleep(100 * time.Millisecond) // let the second reach its INSERT (SQLite: its BEGIN)
		close(release)
		modeltest.Must(t, <-firstErr, "first instance")
		modeltest.Must(t, <-secondErr, "second instance")
		if fmt.Sprint(fresh) != "[false false false]" {
			t.Errorf("second instance: fresh = %v; want none", fresh)
		}
		if records, entries := countChases(t, s, r.CaseID); records != 3 || entries != 3 {
			t.Errorf("%d records, %d entries; want 3 and 3", records, entries)
		}
	})
}

// UnitsOf and CasesByID read many cases at once as Units and CaseByID read one.
func TestUnitsOfAndCasesByID(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		modeltest.SeedOrg(t, s)
		day := modeltest.At(2026, 11, 2, 10, 0)
		modeltest.SeedCases(t, s,
			modeltest.SeedCase{No: "20261102001", Received: day, Status: models.StatusHandling, Lead: "cg", Returned: []string{"zj"}, Due: modeltest.P(day.AddDate(0, 0, 9))},
			modeltest.SeedCase{No: "20261102002", Received: day, Status: models.StatusReceived},
		)
		a, err := s.CaseByNo(ctx, "20261102001")
		modeltest.Must(t, err, "case")
		b, err := s.CaseByNo(ctx, "20261102002")
		modeltest.Must(t, err, "case")
		err = s.Act(ctx, func(tx *models.Tx) error {
			units, err := tx.UnitsOf([]uint64{a.ID, b.ID})
			if err != nil {
				return err
			}
			one, err := tx.Units(a)
			if err != nil {
				return err
			}
			if len(units[a.ID]) != 1 || units[a.ID][0].ID != one[0].ID || len(units[b.ID]) != 0 {
				return fmt.Errorf("units = %+v; want the active lead of the first case only (%+v)", units, one)
			}
			cases, err := tx.CasesByID([]uint64{a.ID, b.ID, b.ID + 1000})
			if err != nil {
				return err
			}
			if len(cases) != 2 || cases[a.ID].No != a.No || cases[b.ID].Status != models.StatusReceived {
				return fmt.Errorf("cases = %+v; want the two", cases)
			}
			return nil
		})
		modeltest.Must(t, err, "read")
	})
}
