package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// TestJobRunClaimedOnce: an occurrence is claimed by the first instance
// only; its end and error are kept; the last runs are found per job.
func TestJobRunClaimedOnce(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		t0 := modeltest.At(2026, 11, 23, 9, 0)
		r, err := s.StartJobRun(ctx, "remind", "2026-11-23T09:00", "a", t0)
		modeltest.Must(t, err, "start")
		if _, err := s.StartJobRun(ctx, "remind", "2026-11-23T09:00", "b", t0); !errors.Is(err, models.ErrDuplicate) {
			t.Errorf("second claim: %v; want ErrDuplicate", err)
		}
		modeltest.Must(t, s.FinishJobRun(ctx, r, t0.Add(2*time.Second), nil), "finish")
		r2, err := s.StartJobRun(ctx, "remind", "2026-11-23T09:15", "b", t0.Add(15*time.Minute))
		modeltest.Must(t, err, "start next")
		modeltest.Must(t, s.FinishJobRun(ctx, r2, t0.Add(16*time.Minute), errors.New("database is down")), "finish next")
		r3, err := s.StartJobRun(ctx, "calendar", "2026-11-23T09:00", "a", t0)
		modeltest.Must(t, err, "start calendar")

		last, err := s.LastJobRuns(ctx)
		modeltest.Must(t, err, "last runs")
		if got := last["remind"]; got.Occurrence != "2026-11-23T09:15" || got.Status != models.JobFailed || got.Error != "database is down" || got.Owner != "b" {
			t.Errorf("last remind run = %+v; want the failed 09:15 by b", got)
		}
		if got := last["calendar"]; got.ID != r3.ID || got.Status != models.JobRunning || got.EndedAt != nil {
			t.Errorf("last calendar run = %+v; want the running one", got)
		}
		ok, err := s.LastJobSuccess(ctx, "remind")
		modeltest.Must(t, err, "last success")
		if ok.ID != r.ID || !ok.StartedAt.Equal(t0) || ok.EndedAt == nil || !ok.EndedAt.Equal(t0.Add(2*time.Second)) {
			t.Errorf("last success = %+v; want the 09:00 run, 2s long", ok)
		}
		if _, err := s.LastJobSuccess(ctx, "calendar"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("last success of a job that never succeeded: %v; want ErrNotFound", err)
		}
	})
}

// TestAddChaseOnce: a chase key is taken once; the duplicate leaves the
// transaction usable, so the rest of a run still commits.
func TestAddChaseOnce(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		k := openCase(t, s, "1", "oA", "路灯坏了很多天")
		err := s.Act(ctx, func(tx *models.Tx) error {
			first, err := tx.AddChase(&models.Supervision{CaseID: k.CaseID, ByKind: models.ActorSystem, Level: "remind"}, "remind:X:1")
			if err != nil || !first {
				return fmt.Errorf("first chase: %v %v", first, err)
			}
			again, err := tx.AddChase(&models.Supervision{CaseID: k.CaseID, ByKind: models.ActorSystem, Level: "remind"}, "remind:X:1")
			if err != nil || again {
				return fmt.Errorf("same key again: %v %v; want false, nil", again, err)
			}
			other, err := tx.AddChase(&models.Supervision{CaseID: k.CaseID, ByKind: models.ActorSystem, Level: "overdue"}, "overdue:X:1")
			if err != nil || !other {
				return fmt.Errorf("another key after the duplicate: %v %v", other, err)
			}
			// A person's 督办 has no key and may repeat.
			for range 2 {
				if err := tx.AddSupervision(&models.Supervision{CaseID: k.CaseID, ByKind: models.ActorMember, Level: "manual"}); err != nil {
					return err
				}
			}
			return nil
		})
		modeltest.Must(t, err, "chases")
		sups, err := s.Supervisions(ctx, k.CaseID)
		modeltest.Must(t, err, "supervisions")
		var levels []string
		for _, x := range sups {
			levels = append(levels, x.Level)
		}
		if fmt.Sprint(levels) != "[remind overdue manual manual]" {
			t.Errorf("supervisions = %v; want [remind overdue manual manual]", levels)
		}
	})
}

// TestDueCasesScan: the scan returns cases of the given statuses due in
// the window, in (due, id) order, page by page from a cursor, cases sharing a
// deadline included.
func TestDueCasesScan(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		due := func(d int) *time.Time { t := modeltest.At(2026, 12, d, 17, 30).UTC(); return &t }
		rows := []struct {
			no     string
			status models.Status
			due    *time.Time
		}{
			{"20261201001", models.StatusHandling, due(2)},
			{"20261201002", models.StatusAssigned, due(2)},
			{"20261201003", models.StatusAnswered, due(2)}, // answered: not chased
			{"20261201004", models.StatusReviewing, due(1)},
			{"20261201005", models.StatusReceived, nil},
			{"20261201006", models.StatusHandling, due(2)},
			{"20261201007", models.StatusHandling, due(4)}, // after the window
			{"20261201008", models.StatusHandling, due(1)},
		}
		for _, r := range rows {
			k := models.Case{No: r.no, CitizenID: 1, Content: "x", ContentHash: "x", Status: r.status, Severity: models.SeverityGeneral,
				Kind: "一般", ReceivedAt: modeltest.At(2026, 11, 20, 9, 0), AckDueAt: modeltest.At(2026, 11, 21, 9, 0), DueAt: r.due}
			modeltest.Must(t, s.DB().Create(&k).Error, "case %s", r.no)
		}
		open := []models.Status{models.StatusAssigned, models.StatusHandling, models.StatusReviewing}
		var got []string
		cur := models.Cursor{}
		err := s.Act(ctx, func(tx *models.Tx) error {
			for range 10 {
				page, err := tx.DueCases(open, cur, modeltest.At(2026, 12, 3, 0, 0), 2)
				if err != nil {
					return err
				}
				for _, k := range page {
					got = append(got, k.No[8:])
					cur = models.Cursor{At: *k.DueAt, ID: k.ID}
				}
				if len(page) < 2 {
					return nil
				}
			}
			return errors.New("the scan does not end")
		})
		modeltest.Must(t, err, "scan")
		if fmt.Sprint(got) != "[004 008 001 002 006]" {
			t.Errorf("scan = %v; want [004 008 001 002 006]", got)
		}
	})
}

// TestSetDeadline: a moved deadline is stored and on the record.
func TestSetDeadline(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		r := openCase(t, s, "1", "oA", "路灯坏了很多天")
		due := modeltest.At(2026, 12, 2, 17, 30)
		err := s.Act(ctx, func(tx *models.Tx) error {
			k, err := tx.CaseByID(r.CaseID)
			if err != nil {
				return err
			}
			return tx.SetDeadline(k, models.SystemActor, due, "重办，办理时限 2026年12月2日 17:30")
		})
		modeltest.Must(t, err, "set deadline")
		k, err := s.CaseByNo(ctx, r.Reply[len("编号"):])
		modeltest.Must(t, err, "case")
		if k.DueAt == nil || !k.DueAt.Equal(due) {
			t.Errorf("due = %v; want %v", k.DueAt, due)
		}
		ev, err := s.Events(ctx, k.ID)
		modeltest.Must(t, err, "events")
		if last := ev[len(ev)-1]; last.Kind != models.EventDeadline || last.Body != "重办，办理时限 2026年12月2日 17:30" {
			t.Errorf("last event = %+v; want the deadline", last)
		}
	})
}
