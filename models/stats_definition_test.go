package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// seedOffice writes a varied office of n cases over the 60 days before
// 2026-12-01 into s (after SeedOrg): every status, returned and reassigned
// cases, extensions, answers in and out of time, cases rated before the
// ratings table (the case's column alone), ratings of one and of two rounds
// (a 不满意, then 重办), appeals filed, upheld and rejected, ratings written
// without their case's receipt and cases with ratings not marked so
// (a server older than the columns), 督办
// records of every level and late report-ups.
func seedOffice(t *testing.T, s *models.Store, n int) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(18, 2026))
	end := modeltest.At(2026, 12, 1, 0, 0)
	units := []string{"cg", "zj", "hb"}
	statuses := []models.Status{models.StatusReceived, models.StatusAssigned, models.StatusHandling, models.StatusReviewing,
		models.StatusAnswered, models.StatusClosed, models.StatusClosed, models.StatusAnswered, models.StatusInvalid, models.StatusDuplicate}
	ratingsOf := []string{"", "满意", "基本满意", "不满意"}
	var cases []modeltest.SeedCase
	for i := range n {
		received := end.Add(-time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Minute)
		c := modeltest.SeedCase{No: fmt.Sprintf("2026%07d", i+1), Received: received, Status: statuses[rng.IntN(len(statuses))]}
		if c.Status != models.StatusReceived && c.Status != models.StatusInvalid && c.Status != models.StatusDuplicate {
			c.Lead = units[rng.IntN(2)] // hb leads nothing, and is still listed
			c.Due = modeltest.P(received.Add(time.Duration(2+rng.IntN(14)) * 24 * time.Hour))
			if rng.IntN(5) == 0 {
				c.Returned = []string{units[2-rng.IntN(2)]}
			}
			if rng.IntN(4) == 0 {
				c.Extensions = []modeltest.SeedExtension{{Dept: c.Lead, State: []string{models.ExtensionApproved, models.ExtensionRejected, models.ExtensionRequested}[rng.IntN(3)]}}
				if rng.IntN(2) == 0 {
					c.Extensions = append(c.Extensions, modeltest.SeedExtension{Dept: "hb", State: models.ExtensionApproved})
				}
			}
			if c.Status == models.StatusAnswered || c.Status == models.StatusClosed {
				c.Answered = modeltest.P(received.Add(time.Duration(1+rng.IntN(20)) * 24 * time.Hour))
				c.Rating = ratingsOf[rng.IntN(len(ratingsOf))]
			}
		} else if rng.IntN(3) == 0 {
			c.Returned = []string{units[rng.IntN(3)]}
		}
		cases = append(cases, c)
	}
	modeltest.SeedCases(t, s, cases...)

	db := s.DB().WithContext(ctx)
	var all []models.Case
	modeltest.Must(t, db.Order("id").Find(&all).Error, "cases")
	for _, k := range all {
		// A rated case: its ratings, or none at all (rated before the
		// ratings table), or a 不满意 and the second answer's rating.
		if k.Rating != "" && k.LeadDeptID != nil && rng.IntN(4) != 0 {
			rounds := []string{k.Rating}
			if rng.IntN(4) == 0 {
				rounds = []string{"不满意", k.Rating}
			}
			for round, v := range rounds {
				r := models.Rating{CaseID: k.ID, Round: round + 1, CitizenID: k.CitizenID, DepartmentID: *k.LeadDeptID, Value: v,
					RatedAt: k.AnsweredAt.Add(time.Duration(round*72+1+rng.IntN(48)) * time.Hour), AppealState: models.AppealNone}
				if rng.IntN(6) != 0 { // else written by a server older than the column
					received := k.ReceivedAt
					r.CaseReceivedAt = &received
				}
				if v == "不满意" && rng.IntN(2) == 0 {
					r.AppealState = []string{models.AppealFiled, models.AppealUpheld, models.AppealRejected}[rng.IntN(3)]
					if r.AppealState != models.AppealFiled {
						r.DecidedAt = modeltest.P(r.RatedAt.Add(time.Duration(1+rng.IntN(96)) * time.Hour))
					}
				}
				modeltest.Must(t, db.Create(&r).Error, "rating of %s", k.No)
			}
			if rng.IntN(5) != 0 { // else rated by a server older than the mark
				modeltest.Must(t, db.Model(&models.Case{}).Where("id = ?", k.ID).Update("rating_rows", true).Error, "mark %s", k.No)
			}
		}
		if k.LeadDeptID != nil && rng.IntN(3) == 0 {
			for _, level := range []string{"remind", "overdue", "leader"}[:1+rng.IntN(3)] {
				sup := models.Supervision{CaseID: k.ID, DepartmentID: *k.LeadDeptID, ByKind: models.ActorSystem, Level: level, CreatedAt: k.ReceivedAt}
				modeltest.Must(t, db.Create(&sup).Error, "督办 of %s", k.No)
			}
		}
		if rng.IntN(10) == 0 {
			a := models.SeriousAlert{CaseID: k.ID, Severity: models.SeverityMajor, ReportDueAt: k.ReceivedAt.Add(2 * time.Hour), State: "acked",
				LastChasedAt: k.ReceivedAt, CreatedAt: k.ReceivedAt.Add(time.Duration(rng.IntN(48)) * time.Hour), Late: rng.IntN(2) == 0}
			modeltest.Must(t, db.Create(&a).Error, "alert of %s", k.No)
		}
	}
}

// statsByDefinition computes the figures of p at at from every row of the
// tables, in Go, as the comment at the top of stats.go defines them.
func statsByDefinition(t *testing.T, s *models.Store, p models.Period, at time.Time) (map[uint64]*models.UnitFigures, models.Intake, int64) {
	t.Helper()
	db := s.DB()
	var (
		cases   []models.Case
		units   []models.CaseUnit
		ratings []models.Rating
		exts    []models.Extension
		sups    []models.Supervision
		alerts  []models.SeriousAlert
	)
	for what, dst := range map[string]any{"cases": &cases, "units": &units, "ratings": &ratings, "extensions": &exts, "supervisions": &sups, "alerts": &alerts} {
		modeltest.Must(t, db.Find(dst).Error, "read %s", what)
	}
	in := func(x time.Time) bool { return !x.Before(p.From) && x.Before(p.To) }
	figs := map[uint64]*models.UnitFigures{}
	fig := func(id uint64) *models.UnitFigures {
		if figs[id] == nil {
			figs[id] = &models.UnitFigures{DepartmentID: id}
		}
		return figs[id]
	}
	byID := map[uint64]models.Case{}
	hasRatings := map[uint64]bool{}
	for _, r := range ratings {
		hasRatings[r.CaseID] = true
	}
	var intake models.Intake
	for _, k := range cases {
		byID[k.ID] = k
		answered := k.AnsweredAt != nil && !k.AnsweredAt.After(at)
		if k.LeadDeptID != nil && k.Status.Open() && k.DueAt != nil && k.DueAt.Before(at) {
			fig(*k.LeadDeptID).Overdue++
		}
		if k.LeadDeptID != nil && k.AnsweredAt != nil && in(*k.AnsweredAt) && answered {
			fig(*k.LeadDeptID).AnsweredInPeriod++
		}
		if !in(k.ReceivedAt) {
			continue
		}
		intake.Received++
		switch k.Status {
		case models.StatusInvalid:
			intake.Invalid++
		case models.StatusDuplicate:
			intake.Duplicate++
		case models.StatusReceived:
			intake.Waiting++
		default:
			intake.Valid++
		}
		if k.LeadDeptID == nil {
			continue
		}
		f := fig(*k.LeadDeptID)
		f.Assigned++
		if answered {
			f.Answered++
			if k.DueAt == nil || !k.AnsweredAt.After(*k.DueAt) {
				f.OnTime++
			}
		}
		if answered || k.DueAt == nil || !k.DueAt.After(at) {
			f.Counted++
		}
		if k.Rating != "" && !hasRatings[k.ID] {
			f.Rated++
			if models.Satisfied(k.Rating) {
				f.Satisfied++
			}
		}
	}
	for _, r := range ratings {
		if !in(byID[r.CaseID].ReceivedAt) || r.RatedAt.After(at) {
			continue
		}
		f := fig(r.DepartmentID)
		if r.AppealState == models.AppealUpheld && r.DecidedAt != nil && !r.DecidedAt.After(at) {
			f.AppealsUpheld++
			continue
		}
		f.Rated++
		if models.Satisfied(r.Value) {
			f.Satisfied++
		}
	}
	received := map[[2]uint64]bool{}
	for _, u := range units {
		k := byID[u.CaseID]
		if u.Role != models.UnitLead || !in(k.ReceivedAt) || received[[2]uint64{u.DepartmentID, k.ID}] {
			continue
		}
		received[[2]uint64{u.DepartmentID, k.ID}] = true
		fig(u.DepartmentID).Received++
		if k.Status != models.StatusInvalid && k.Status != models.StatusDuplicate {
			fig(u.DepartmentID).Valid++
		}
	}
	for _, e := range exts {
		k := byID[e.CaseID]
		if in(k.ReceivedAt) && k.LeadDeptID != nil && e.DepartmentID == *k.LeadDeptID {
			fig(e.DepartmentID).ExtensionsRequested++
			if e.State == models.ExtensionApproved {
				fig(e.DepartmentID).ExtensionsApproved++
			}
		}
	}
	for _, sp := range sups {
		if in(byID[sp.CaseID].ReceivedAt) && sp.Level != "remind" {
			fig(sp.DepartmentID).Supervised++
		}
	}
	late, lateInPeriod := map[uint64]bool{}, map[uint64]bool{}
	for _, a := range alerts {
		k := byID[a.CaseID]
		if a.Late && in(k.ReceivedAt) && k.LeadDeptID != nil && !late[k.ID] {
			late[k.ID] = true
			fig(*k.LeadDeptID).LateReported++
		}
		if a.Late && in(a.CreatedAt) {
			lateInPeriod[a.CaseID] = true
		}
	}
	return figs, intake, int64(len(lateInPeriod))
}

// The statistics' queries (covering indexes, the ratings by their case's
// receipt, the anti-join for ratings before the ratings table) give the
// figures of their definition on a varied office, for months, weeks and the
// weekly summary's window, at several times of counting; and StatsOf gives
// of each part exactly what Stats gives.
func TestStatsByDefinition(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		modeltest.SeedOrg(t, s)
		seedOffice(t, s, 400)
		loc := modeltest.Shanghai
		week := models.WeekPeriod(modeltest.At(2026, 11, 25, 12, 0), loc)
		periods := map[string]models.Period{
			"November": models.MonthPeriod(modeltest.At(2026, 11, 10, 0, 0), loc),
			"October":  models.MonthPeriod(modeltest.At(2026, 10, 10, 0, 0), loc),
			"week 48":  week,
			"28 days":  {From: week.To.AddDate(0, 0, -28), To: week.To},
		}
		for name, p := range periods {
			for _, at := range []time.Time{modeltest.At(2026, 12, 1, 9, 0), modeltest.At(2026, 11, 20, 15, 30), modeltest.At(2027, 3, 1, 0, 0)} {
				st, err := s.Stats(ctx, p, at)
				modeltest.Must(t, err, "stats")
				want, intake, lateReports := statsByDefinition(t, s, p, at)
				if st.Intake != intake || st.LateReports != lateReports {
					t.Errorf("%s at %s: intake %+v, late reports %d; want %+v, %d", name, at, st.Intake, st.LateReports, intake, lateReports)
				}
				assigned := int64(0)
				for _, u := range st.Units {
					w := models.UnitFigures{DepartmentID: u.DepartmentID}
					if f := want[u.DepartmentID]; f != nil {
						w = *f
					}
					w.Code, w.Name = u.Code, u.Name
					if u != w {
						t.Errorf("%s at %s, %s:\n got %+v\nwant %+v", name, at, u.Code, u, w)
					}
					assigned += u.Assigned
				}
				if assigned == 0 && name != "October" {
					t.Errorf("%s at %s: nothing assigned; the seed does not reach the period", name, at)
				}
				// Each part alone: the same figures, the others zero.
				parts := []models.StatsPart{models.StatsCohort, models.StatsRatings, models.StatsOverdue, models.StatsAnswers,
					models.StatsUnits, models.StatsIntake, models.StatsRates, models.StatsCohort | models.StatsAnswers | models.StatsOverdue}
				for _, part := range parts {
					got, err := s.StatsOf(ctx, p, at, part)
					modeltest.Must(t, err, "stats of part %b", part)
					for i, u := range got.Units {
						if w := only(st.Units[i], part); u != w {
							t.Errorf("%s at %s, part %b, %s:\n got %+v\nwant %+v", name, at, part, u.Code, u, w)
						}
					}
				}
			}
		}
	})
}

// only keeps of f the figures of parts.
func only(f models.UnitFigures, parts models.StatsPart) models.UnitFigures {
	out := models.UnitFigures{DepartmentID: f.DepartmentID, Code: f.Code, Name: f.Name}
	has := func(p models.StatsPart) bool { return parts&p != 0 }
	if has(models.StatsCohort) {
		out.Assigned, out.Answered, out.OnTime, out.Counted = f.Assigned, f.Answered, f.OnTime, f.Counted
	}
	if has(models.StatsRatings) {
		out.Rated, out.Satisfied, out.AppealsUpheld = f.Rated, f.Satisfied, f.AppealsUpheld
	}
	if has(models.StatsOverdue) {
		out.Overdue = f.Overdue
	}
	if has(models.StatsAnswers) {
		out.AnsweredInPeriod = f.AnsweredInPeriod
	}
	if has(models.StatsUnits) {
		out.Received, out.Valid, out.ExtensionsRequested, out.ExtensionsApproved = f.Received, f.Valid, f.ExtensionsRequested, f.ExtensionsApproved
		out.Supervised, out.LateReported = f.Supervised, f.LateReported
	}
	return out
}

// A rating given now is found by the statistics without a look-up: it
// carries its case's receipt, and the case is marked as having ratings.
func TestAddRatingDatesAndMarks(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		r := openCase(t, s, "1", "oA", "路灯坏了很多天")
		err := s.Act(ctx, func(tx *models.Tx) error {
			k, err := tx.CaseByID(r.CaseID)
			if err != nil {
				return err
			}
			return tx.AddRating(k, &models.Rating{DepartmentID: 1, Value: models.RatingSatisfied}, models.SystemActor)
		})
		modeltest.Must(t, err, "rate")
		k, err := s.CaseByNo(ctx, strings.TrimPrefix(r.Reply, "编号"))
		modeltest.Must(t, err, "case")
		var got models.Rating
		modeltest.Must(t, s.DB().Where("case_id = ?", k.ID).First(&got).Error, "rating")
		if !k.RatingRows || got.CaseReceivedAt == nil || !got.CaseReceivedAt.Equal(k.ReceivedAt) {
			t.Errorf("case marked %v, rating dated %v; want marked and dated %v", k.RatingRows, got.CaseReceivedAt, k.ReceivedAt)
		}
	})
}
