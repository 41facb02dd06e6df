package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// TestRatingRoundsAppealsAndStats walks the store's side of closing the
// loop: one rating per answer round, the reason of a 不满意, 重办 and a
// second rating, an appeal and its decision, the archive, and what the
// satisfaction figures make of it all.
func TestRatingRoundsAppealsAndStats(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 20, 10, 0))
		s.Now = clock.Now
		modeltest.SeedOrg(t, s)
		day := func(d, h int) *time.Time { return modeltest.P(modeltest.At(2026, 11, d, h, 0)) }
		modeltest.SeedCases(t, s,
			modeltest.SeedCase{No: "20261102001", Received: *day(2, 9), Status: models.StatusAnswered, Lead: "cg", Due: day(12, 17), Answered: day(10, 9)},
			modeltest.SeedCase{No: "20261102002", Received: *day(2, 10), Status: models.StatusAnswered, Lead: "cg", Due: day(12, 17), Answered: day(11, 9)},
			modeltest.SeedCase{No: "20261102003", Received: *day(2, 11), Status: models.StatusAnswered, Lead: "zj", Due: day(12, 17), Answered: day(9, 9)},
			// Rated before the ratings table: counted from cases.rating.
			modeltest.SeedCase{No: "20261102004", Received: *day(2, 12), Status: models.StatusClosed, Lead: "cg", Due: day(12, 17), Answered: day(8, 9), Rating: "满意"},
		)
		var cit models.Citizen
		modeltest.Must(t, s.DB().Where("open_id = ?", "o-seed-reporter").First(&cit).Error, "citizen")
		actor := models.CitizenActor(&cit, "mp")
		get := func(no string) *models.Case {
			k, err := s.CaseByNo(ctx, no)
			modeltest.Must(t, err, "case %s", no)
			return k
		}
		cg := *get("20261102001").LeadDeptID
		act := func(what string, fn func(tx *models.Tx) error) {
			t.Helper()
			modeltest.Must(t, s.Act(ctx, fn), "%s", what)
		}

		// The newest answer waits first; a second rating of the same round is refused.
		act("rate the newest", func(tx *models.Tx) error {
			k, err := tx.AwaitingRating(&cit)
			if err != nil {
				return err
			}
			if k.No != "20261102002" {
				t.Errorf("awaiting rating = %s; want the newest answer 20261102002", k.No)
			}
			if err := tx.AddRating(k, &models.Rating{DepartmentID: cg, Value: models.RatingUnsatisfied, Reason: "路灯还是不亮"}, actor); err != nil {
				return err
			}
			err = tx.AddRating(k, &models.Rating{DepartmentID: cg, Value: models.RatingSatisfied}, actor)
			if !errors.Is(err, models.ErrDuplicate) {
				t.Errorf("second rating of round 1 = %v; want ErrDuplicate", err)
			}
			return nil
		})
		if k := get("20261102002"); k.Rating != models.RatingUnsatisfied || k.RatedAt == nil {
			t.Errorf("case rating = %q at %v; want 不满意 with a time", k.Rating, k.RatedAt)
		}

		// 重办, a second answer, a second rating.
		clock.Add(time.Hour)
		act("reopen and answer again", func(tx *models.Tx) error {
			k, err := tx.CaseForUpdate("20261102002")
			if err != nil {
				return err
			}
			if err := tx.Reopen(k, models.SystemActor, "重办：路灯还是不亮"); err != nil {
				return err
			}
			if k.Status != models.StatusHandling || k.Reopens != 1 || k.Round() != 2 {
				t.Errorf("reopened case = %s, reopens %d; want handling, 1", k.Status, k.Reopens)
			}
			if _, err := tx.AwaitingRating(&cit); err != nil {
				return err
			}
			if err := tx.Move(k, models.StatusReviewing, models.SystemActor, models.EventDraft, "第二次答复", nil); err != nil {
				return err
			}
			return tx.Move(k, models.StatusAnswered, models.SystemActor, models.EventApproved, "第二次答复",
				map[string]any{"answer": "第二次答复", "answered_at": tx.Now()})
		})
		clock.Add(time.Hour)
		act("rate round 2", func(tx *models.Tx) error {
			k, err := tx.AwaitingRating(&cit)
			if err != nil {
				return err
			}
			if k.No != "20261102002" || k.Round() != 2 {
				t.Errorf("awaiting rating = %s round %d; want 20261102002 round 2", k.No, k.Round())
			}
			if err := tx.AddRating(k, &models.Rating{DepartmentID: cg, Value: models.RatingSatisfied}, actor); err != nil {
				return err
			}
			return tx.Archive(k, actor, "群众评价满意，办结归档")
		})
		rs, err := s.Ratings(ctx, get("20261102002").ID)
		modeltest.Must(t, err, "ratings")
		if len(rs) != 2 || rs[0].Round != 1 || rs[0].Value != models.RatingUnsatisfied || rs[1].Round != 2 || rs[1].Value != models.RatingSatisfied {
			t.Fatalf("ratings = %+v; want 不满意 in round 1 and 满意 in round 2", rs)
		}
		if k := get("20261102002"); k.Status != models.StatusClosed || k.ClosedAt == nil || k.Rating != models.RatingSatisfied {
			t.Errorf("case = %s closed %v rating %q; want closed, with a time, the latest rating 满意", k.Status, k.ClosedAt, k.Rating)
		}

		// A bare 不满意 waits for its reason until the time runs out.
		act("unsatisfied without a reason", func(tx *models.Tx) error {
			k, err := tx.AwaitingRating(&cit)
			if err != nil {
				return err
			}
			due := tx.Now().Add(24 * time.Hour)
			return tx.AddRating(k, &models.Rating{DepartmentID: cg, Value: models.RatingUnsatisfied, ReasonDueAt: &due}, actor)
		})
		act("the reason", func(tx *models.Tx) error {
			r, err := tx.PendingReason(&cit, tx.Now())
			if err != nil {
				return err
			}
			if due, _ := tx.ReasonsDue(tx.Now(), 10); len(due) != 0 {
				t.Errorf("reasons due now = %d; want none before the time is up", len(due))
			}
			if due, _ := tx.ReasonsDue(tx.Now().Add(25*time.Hour), 10); len(due) != 1 || due[0].ID != r.ID {
				t.Errorf("reasons due a day later = %+v; want the one rating", due)
			}
			if err := tx.GiveReason(r, "答复与事实不符"); err != nil {
				return err
			}
			if err := tx.GiveReason(r, "again"); !errors.Is(err, models.ErrConflict) {
				t.Errorf("second reason = %v; want ErrConflict", err)
			}
			if _, err := tx.PendingReason(&cit, tx.Now()); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("pending reason after it came = %v; want ErrNotFound", err)
			}
			return nil
		})

		// The appeal of round 1's 不满意 of 20261102002, upheld.
		decided := clock.Now().Add(time.Hour)
		act("appeal", func(tx *models.Tx) error {
			k, err := tx.Case("20261102002")
			if err != nil {
				return err
			}
			head, err := tx.Member("wecom", "cg-head")
			if err != nil {
				return err
			}
			r, err := tx.AppealableRating(k, cg)
			if err != nil {
				return err
			}
			if r.Round != 1 || r.AppealState != models.AppealNone {
				t.Errorf("appealable rating = round %d, %s; want round 1, none", r.Round, r.AppealState)
			}
			if err := tx.FileAppeal(r, head, "路灯已修好，群众不满意的是另一盏"); err != nil {
				return err
			}
			if err := tx.FileAppeal(r, head, "again"); !errors.Is(err, models.ErrConflict) {
				t.Errorf("second appeal = %v; want ErrConflict", err)
			}
			clock.Set(decided)
			disp, err := tx.Member("wecom", "dispatcher1")
			if err != nil {
				return err
			}
			f, err := tx.FiledAppeal(k)
			if err != nil || f.ID != r.ID {
				t.Errorf("filed appeal = %+v, %v; want rating %d", f, err, r.ID)
				return err
			}
			if err := tx.DecideAppeal(f, disp, true, "核实属实"); err != nil {
				return err
			}
			if err := tx.DecideAppeal(f, disp, false, "again"); !errors.Is(err, models.ErrConflict) {
				t.Errorf("second decision = %v; want ErrConflict", err)
			}
			return nil
		})

		// The figures: cg has the legacy 满意, round 2's 满意 and the other
		// case's 不满意; round 1's 不满意 is out, once the decision stands.
		nov := models.MonthPeriod(modeltest.At(2026, 11, 1, 0, 0), modeltest.Shanghai)
		figures := func(at time.Time) (cgf, zjf models.UnitFigures) {
			t.Helper()
			st, err := s.Stats(ctx, nov, at)
			modeltest.Must(t, err, "stats")
			for _, u := range st.Units {
				switch u.Code {
				case "cg":
					cgf = u
				case "zj":
					zjf = u
				}
			}
			if st.Total.AppealsUpheld != cgf.AppealsUpheld+zjf.AppealsUpheld {
				t.Errorf("total upheld = %d; want the units' sum", st.Total.AppealsUpheld)
			}
			return cgf, zjf
		}
		cgf, _ := figures(decided.Add(time.Minute))
		if cgf.Rated != 3 || cgf.Satisfied != 2 || cgf.AppealsUpheld != 1 {
			t.Errorf("cg after the decision: rated %d satisfied %d upheld %d; want 3, 2, 1", cgf.Rated, cgf.Satisfied, cgf.AppealsUpheld)
		}
		if got, want := cgf.AppealNote(), "含申诉成立 1 件，已剔除"; got != want {
			t.Errorf("AppealNote() = %q; want %q", got, want)
		}
		// Over the cases, as the regulations count: the upheld appeal's
		// case is out of the denominator (2 of 2); over the ratings, 2 of 3.
		if got := cgf.SatisfactionRate().String(); got != "100.0%" {
			t.Errorf("cg satisfaction = %s; want 100.0%%", got)
		}
		if got := cgf.RatedSatisfactionRate().String(); got != "66.7%" {
			t.Errorf("cg rated-only satisfaction = %s; want 66.7%%", got)
		}
		cgf, _ = figures(decided.Add(-time.Minute))
		if cgf.Rated != 4 || cgf.Satisfied != 2 || cgf.AppealsUpheld != 0 || cgf.AppealNote() != "" {
			t.Errorf("cg before the decision: rated %d satisfied %d upheld %d note %q; want 4, 2, 0, none", cgf.Rated, cgf.Satisfied, cgf.AppealsUpheld, cgf.AppealNote())
		}
	})
}

// TestRatingsMigrationOnAnOlderDatabase undoes what 202611220007_ratings
// adds, as on a database made before it, and migrates again.
func TestRatingsMigrationOnAnOlderDatabase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		m := s.DB().Migrator()
		modeltest.Must(t, m.DropTable(&models.Rating{}), "drop ratings")
		modeltest.Must(t, m.DropColumn(&models.Case{}, "Reopens"), "drop reopens")
		modeltest.Must(t, s.DB().Exec("DELETE FROM migrations WHERE id = ?", "202611220007_ratings").Error, "forget the migration")
		modeltest.Must(t, s.Migrate(context.Background()), "migrate again")
		if !m.HasTable(&models.Rating{}) || !m.HasColumn(&models.Case{}, "Reopens") || !m.HasIndex(&models.Rating{}, "idx_rating_round") {
			t.Errorf("after migrating: ratings %v, reopens %v, round index %v", m.HasTable(&models.Rating{}),
				m.HasColumn(&models.Case{}, "Reopens"), m.HasIndex(&models.Rating{}, "idx_rating_round"))
		}
	})
}
