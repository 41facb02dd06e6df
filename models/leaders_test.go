package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// leadersFixture is a case assigned to a lead and a co-handling unit, with
// one member in each.
type leadersFixture struct {
	k          *models.Case
	lead, co   models.Member
	leader     models.Member
	clock      *modeltest.Clock
	leadDeptID uint64
}

func newLeadersFixture(t *testing.T, s *models.Store) *leadersFixture {
	t.Helper()
	ctx := context.Background()
	f := &leadersFixture{clock: modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0))}
	s.Now = f.clock.Now
	modeltest.Must(t, s.SyncOrg(ctx,
		[]models.Department{{Code: "cg", Name: "城管", Platform: "wecom"}, {Code: "zj", Name: "住建", Platform: "wecom"}},
		[]models.Member{
			{Name: "甲", UserID: "cg1", Platform: "wecom", Role: models.RoleOfficer},
			{Name: "乙", UserID: "zj1", Platform: "wecom", Role: models.RoleOfficer},
			{Name: "丙", UserID: "l1", Platform: "wecom", Role: models.RoleLeader},
		}, []string{"cg", "zj", ""}), "sync org")
	r := openCase(t, s, "m1", "oA", "路灯坏了")
	modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
		var err error
		if f.k, err = tx.CaseByID(r.CaseID); err != nil {
			return err
		}
		cg, _ := tx.FindDepartment("cg")
		zj, _ := tx.FindDepartment("zj")
		f.leadDeptID = cg.ID
		for _, m := range []struct {
			id string
			to *models.Member
		}{{"cg1", &f.lead}, {"zj1", &f.co}, {"l1", &f.leader}} {
			got, err := tx.Member("wecom", m.id)
			if err != nil {
				return err
			}
			*m.to = *got
		}
		return tx.Assign(f.k, models.MemberActor(&f.leader), cg.ID, []uint64{zj.ID}, "复杂", f.clock.Now().Add(72*time.Hour), "交办")
	}), "assign")
	return f
}

func TestReviewStepsDecideOnce(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := newLeadersFixture(t, s)
		ctx := context.Background()
		var steps []models.ReviewStep
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			a := &models.Answer{CaseID: f.k.ID, DepartmentID: f.leadDeptID, AuthorID: f.lead.ID, Body: "答复"}
			if err := tx.AddAnswer(a); err != nil {
				return err
			}
			var err error
			steps, err = tx.AddReviewSteps(a, []models.Role{models.RoleHead, models.RoleLeader})
			return err
		}), "add steps")
		if len(steps) != 2 || steps[0].State != models.StepPending || steps[1].State != models.StepWaiting {
			t.Fatalf("steps = %+v; want the first pending, the second waiting", steps)
		}
		first, second := steps[0], steps[0]
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error { return tx.DecideStep(&first, &f.leader, models.StepApproved, "") }), "decide")
		err := s.Act(ctx, func(tx *models.Tx) error { return tx.DecideStep(&second, &f.lead, models.StepRejected, "晚了") })
		if !errors.Is(err, models.ErrConflict) {
			t.Errorf("second decision of one step = %v; want ErrConflict", err)
		}
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error { return tx.OpenStep(&steps[1]) }), "open next")
		err = s.Act(ctx, func(tx *models.Tx) error { return tx.OpenStep(&steps[1]) })
		if !errors.Is(err, models.ErrConflict) {
			t.Errorf("opening a step twice = %v; want ErrConflict", err)
		}
	})
}

func TestAlertsChaseOnceAndStopWhenAcked(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := newLeadersFixture(t, s)
		ctx := context.Background()
		start := f.clock.Now()
		var first, second *models.SeriousAlert
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			var err error
			if first, err = tx.RaiseAlert(f.k, start.Add(2*time.Hour)); err != nil {
				return err
			}
			second, err = tx.RaiseAlert(f.k, start.Add(time.Hour)) // graded again: the older alert is superseded
			return err
		}), "raise")
		due := func(at time.Time) []models.SeriousAlert {
			var out []models.SeriousAlert
			modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
				var err error
				out, err = tx.AlertsToChase(at, 10)
				return err
			}), "alerts to chase")
			return out
		}
		if got := due(start.Add(15 * time.Minute)); len(got) != 1 || got[0].ID != second.ID {
			t.Fatalf("alerts to chase = %+v; want only the newer alert %d (not %d)", got, second.ID, first.ID)
		}
		a, b := due(start.Add(15 * time.Minute))[0], due(start.Add(15 * time.Minute))[0]
		now := start.Add(16 * time.Minute)
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error { return tx.MarkChased(&a, now) }), "chase")
		if err := s.Act(ctx, func(tx *models.Tx) error { return tx.MarkChased(&b, now) }); !errors.Is(err, models.ErrConflict) {
			t.Errorf("a second instance chasing the same round = %v; want ErrConflict", err)
		}
		if got := due(now.Add(-time.Minute)); len(got) != 0 {
			t.Errorf("just chased, yet due again: %+v", got)
		}
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error { return tx.AckAlert(&a, &f.leader) }), "ack")
		if got := due(now.Add(24 * time.Hour)); len(got) != 0 {
			t.Errorf("acknowledged alert still chased: %+v", got)
		}
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			l, err := tx.LatestAlert(f.k)
			if err == nil && (l.ID != second.ID || l.State != models.AlertAcked || l.AckedBy != f.leader.ID || l.Chases != 1) {
				t.Errorf("latest alert = %+v; want %d acked by %d after one chase", l, second.ID, f.leader.ID)
			}
			return err
		}), "latest alert")
	})
}

func TestInstructionActedByLeadUnitOnly(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := newLeadersFixture(t, s)
		ctx := context.Background()
		var in *models.Instruction
		// Progress before the 批示 does not count.
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			if err := tx.Record(f.k, models.MemberActor(&f.lead), models.EventProgress, "", "", "早先的进展"); err != nil {
				return err
			}
			var err error
			in, err = tx.AddInstruction(f.k, &f.leader, "请今天到现场")
			if err != nil {
				return err
			}
			return tx.Record(f.k, models.MemberActor(&f.leader), models.EventInstructed, "", "", "请今天到现场")
		}), "instruct")
		state := func() (bool, int) {
			var acted bool
			var open []models.Instruction
			modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
				var err error
				if acted, err = tx.InstructionActed(in); err != nil {
					return err
				}
				open, err = tx.OpenInstructions(10)
				return err
			}), "instruction state")
			return acted, len(open)
		}
		if acted, open := state(); acted || open != 1 {
			t.Errorf("fresh 批示: acted=%v open=%d; want open", acted, open)
		}
		record := func(m *models.Member, kind models.EventKind) {
			modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
				return tx.Record(f.k, models.MemberActor(m), kind, "", "", "进展")
			}), "record")
		}
		record(&f.co, models.EventProgress)
		record(&f.lead, models.EventAccepted)
		if acted, open := state(); acted || open != 1 {
			t.Errorf("after the co unit's 进展 and the lead's 签收: acted=%v open=%d; want still open", acted, open)
		}
		record(&f.lead, models.EventProgress)
		if acted, open := state(); !acted || open != 0 {
			t.Errorf("after the lead unit's 进展: acted=%v open=%d; want acted", acted, open)
		}
	})
}
