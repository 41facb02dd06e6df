package models_test

import (
	"context"
	"fmt"
	"testing"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// On PostgreSQL a new case's number, row and first entry are one statement
// (INSERT in WITH). A server of the family that refuses it (some openGauss
// versions) gets the three statements MySQL gets, from the first refusal on:
// the report that met the refusal is not lost, the numbers run on without a
// gap, and both ways write the same rows.
func TestOpenCaseWhereInsertInWithIsRefused(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		if s.Driver() != "postgres" {
			t.Skip("only PostgreSQL writes a new case in one statement")
		}
		ctx := context.Background()
		s.Now = modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0)).Now
		open := func(key string) *models.Case {
			t.Helper()
			r := openCase(t, s, key, "oWith", "路灯坏了")
			k, err := s.CaseByNo(ctx, r.CaseNo)
			modeltest.Must(t, err, "case of %s", key)
			if r.Reply != "编号"+k.No || k.ID != r.CaseID {
				t.Errorf("%s: reply %q, case %d; want case %s, %d", key, r.Reply, r.CaseID, k.No, k.ID)
			}
			return k
		}
		if !models.WritesWith(s) {
			t.Fatal("a PostgreSQL store does not write new cases in one statement")
		}
		first := open("w1")
		if first.No != "20261123001" {
			t.Errorf("first case %s; want 20261123001", first.No)
		}
		models.RefuseInsertInWith(s)
		refused := open("w2")
		if models.WritesWith(s) {
			t.Error("still writing new cases in one statement after the server refused it")
		}
		s.NumberInOneStatement(true)
		if models.WritesWith(s) {
			t.Error("NumberInOneStatement(true) turned the statement the server refused back on")
		}
		again := open("w3")
		if refused.No != "20261123002" || again.No != "20261123003" {
			t.Errorf("cases after the refusal %s, %s; want 20261123002, 20261123003", refused.No, again.No)
		}
		var n int64
		modeltest.Must(t, s.DB().Model(&models.Case{}).Count(&n).Error, "count cases")
		if n != 3 {
			t.Errorf("%d cases; want 3", n)
		}
		// Both ways write the same case row and the same first entry.
		sameRow(t, "cases", row(t, s, "cases", again.ID), row(t, s, "cases", first.ID), "id", "no")
		for _, k := range []*models.Case{first, again} {
			evs, err := s.Events(ctx, k.ID)
			modeltest.Must(t, err, "events of %s", k.No)
			if len(evs) != 1 || evs[0].Kind != models.EventReceived {
				t.Fatalf("case %s has entries %+v; want one, received", k.No, evs)
			}
		}
		e1, _ := s.Events(ctx, first.ID)
		e3, _ := s.Events(ctx, again.ID)
		sameRow(t, "case_events", row(t, s, "case_events", e3[0].ID), row(t, s, "case_events", e1[0].ID), "id", "case_id")
		if got := fmt.Sprint(row(t, s, "case_events", e1[0].ID)["case_id"]); got != fmt.Sprint(first.ID) {
			t.Errorf("first entry is on case %s; want %d", got, first.ID)
		}
	})
}
