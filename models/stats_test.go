package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func TestRate(t *testing.T) {
	tests := []struct {
		name      string
		r         models.Rate
		want      string
		below90   bool
		wantValue float64
	}{
		{"NineOfTen", models.Rate{Num: 9, Den: 10}, "90.0%", false, 0.9},
		{"EightOfNine", models.Rate{Num: 8, Den: 9}, "88.9%", true, 8.0 / 9},
		{"TwoThirds", models.Rate{Num: 2, Den: 3}, "66.7%", true, 2.0 / 3},
		{"All", models.Rate{Num: 1, Den: 1}, "100.0%", false, 1},
		{"None", models.Rate{Num: 0, Den: 4}, "0.0%", true, 0},
		{"NothingToRate", models.Rate{}, "—", false, 0},
		{"JustUnder", models.Rate{Num: 899, Den: 1000}, "89.9%", true, 0.899},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Errorf("Rate%v.String() = %q; want %q", tt.r, got, tt.want)
			}
			if got := tt.r.Below(0.9); got != tt.below90 {
				t.Errorf("Rate%v.Below(0.9) = %v; want %v", tt.r, got, tt.below90)
			}
			if got := tt.r.Value(); got != tt.wantValue {
				t.Errorf("Rate%v.Value() = %v; want %v", tt.r, got, tt.wantValue)
			}
		})
	}
}

func TestPeriods(t *testing.T) {
	loc := modeltest.Shanghai
	tests := []struct {
		name     string
		got      models.Period
		from, to time.Time
	}{
		{"WeekFromMonday", models.WeekPeriod(modeltest.At(2026, 11, 23, 9, 0), loc), modeltest.At(2026, 11, 23, 0, 0), modeltest.At(2026, 11, 30, 0, 0)},
		{"WeekFromSundayNight", models.WeekPeriod(modeltest.At(2026, 11, 29, 23, 59), loc), modeltest.At(2026, 11, 23, 0, 0), modeltest.At(2026, 11, 30, 0, 0)},
		// 00:30 on Monday in Shanghai is Sunday in UTC: the week is Shanghai's.
		{"WeekFromMondayInUTC", models.WeekPeriod(modeltest.At(2026, 11, 30, 0, 30).UTC(), loc), modeltest.At(2026, 11, 30, 0, 0), modeltest.At(2026, 12, 7, 0, 0)},
		{"WeekAcrossYears", models.WeekPeriod(modeltest.At(2027, 1, 1, 12, 0), loc), modeltest.At(2026, 12, 28, 0, 0), modeltest.At(2027, 1, 4, 0, 0)},
		{"Month", models.MonthPeriod(modeltest.At(2026, 11, 30, 23, 59), loc), modeltest.At(2026, 11, 1, 0, 0), modeltest.At(2026, 12, 1, 0, 0)},
		{"December", models.MonthPeriod(modeltest.At(2026, 12, 1, 0, 0), loc), modeltest.At(2026, 12, 1, 0, 0), modeltest.At(2027, 1, 1, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.got.From.Equal(tt.from) || !tt.got.To.Equal(tt.to) {
				t.Errorf("period = [%v, %v); want [%v, %v)", tt.got.From, tt.got.To, tt.from, tt.to)
			}
		})
	}
	if got := models.WeekPeriod(modeltest.At(2026, 11, 18, 9, 0), loc).ISOWeek(); got != "2026-W47" {
		t.Errorf("ISOWeek of 18 Nov 2026 = %q; want 2026-W47", got)
	}
	if got := models.WeekPeriod(modeltest.At(2027, 1, 1, 9, 0), loc).ISOWeek(); got != "2026-W53" {
		t.Errorf("ISOWeek of 1 Jan 2027 = %q; want 2026-W53", got)
	}
	p, err := models.ParseMonth("2026-11", loc)
	if err != nil || !p.From.Equal(modeltest.At(2026, 11, 1, 0, 0)) || p.Month() != "2026-11" {
		t.Errorf("ParseMonth(2026-11) = %v, %v; want November 2026", p, err)
	}
	for _, bad := range []string{"", "2026-13", "2026/11", "11-2026", "2026-11-01"} {
		if _, err := models.ParseMonth(bad, loc); err == nil {
			t.Errorf("ParseMonth(%q) = nil error; want one", bad)
		}
	}
}

// TestStatsSeededMonth checks every figure of a seeded November against the
// numbers worked out by hand in modeltest.SeedNovember2026.
func TestStatsSeededMonth(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		modeltest.SeedOrg(t, s)
		modeltest.SeedNovember2026(t, s)
		at := modeltest.At(2026, 12, 1, 9, 0)
		st, err := s.Stats(ctx, models.MonthPeriod(at.AddDate(0, -1, 0), modeltest.Shanghai), at)
		modeltest.Must(t, err, "stats")

		want := map[string]models.UnitFigures{
			"cg": {Code: "cg", Name: "县城市管理局", Received: 12, Valid: 11, Assigned: 10, Answered: 9, OnTime: 8, Overdue: 2,
				ExtensionsRequested: 2, ExtensionsApproved: 1, Rated: 6, Satisfied: 5, AnsweredInPeriod: 9, Counted: 10},
			"zj": {Code: "zj", Name: "县住房和城乡建设局", Received: 4, Valid: 4, Assigned: 4, Answered: 4, OnTime: 4, AnsweredInPeriod: 4, Counted: 4},
			"hb": {Code: "hb", Name: "县生态环境分局"},
		}
		if len(st.Units) != 3 || st.Units[0].Code != "cg" || st.Units[1].Code != "hb" || st.Units[2].Code != "zj" {
			t.Fatalf("units = %+v; want cg, hb, zj", st.Units)
		}
		for _, u := range st.Units {
			w := want[u.Code]
			w.DepartmentID = u.DepartmentID
			if u != w {
				t.Errorf("%s figures =\n %+v; want\n %+v", u.Code, u, w)
			}
		}
		rates := []struct {
			what      string
			got, want string
		}{
			{"cg reply rate", st.Units[0].ReplyRate().String(), "90.0%"},
			{"cg on-time rate", st.Units[0].OnTimeRate().String(), "88.9%"},
			// Satisfied over the cases assigned, as the regulations count
			// it (5 of 10), the rated-only rate beside it (5 of 6); zj's
			// citizens never rated: 0 of 4, not "—".
			{"cg satisfaction rate", st.Units[0].SatisfactionRate().String(), "50.0%"},
			{"cg rated-only satisfaction rate", st.Units[0].RatedSatisfactionRate().String(), "83.3%"},
			{"zj reply rate", st.Units[2].ReplyRate().String(), "100.0%"},
			{"zj satisfaction rate", st.Units[2].SatisfactionRate().String(), "0.0%"},
			{"zj rated-only satisfaction rate", st.Units[2].RatedSatisfactionRate().String(), "—"},
			{"hb reply rate", st.Units[1].ReplyRate().String(), "—"},
			{"total reply rate", st.Total.ReplyRate().String(), "92.9%"},
			{"total on-time rate", st.Total.OnTimeRate().String(), "92.3%"},
			{"total satisfaction rate", st.Total.SatisfactionRate().String(), "35.7%"},
			{"total rated-only satisfaction rate", st.Total.RatedSatisfactionRate().String(), "83.3%"},
		}
		for _, r := range rates {
			if r.got != r.want {
				t.Errorf("%s = %s; want %s", r.what, r.got, r.want)
			}
		}
		wantTotal := models.UnitFigures{Name: "合计", Received: 18, Valid: 14, Assigned: 14, Answered: 13, OnTime: 12, Overdue: 2,
			ExtensionsRequested: 2, ExtensionsApproved: 1, Rated: 6, Satisfied: 5, AnsweredInPeriod: 13, Counted: 14}
		if st.Total != wantTotal {
			t.Errorf("total =\n %+v; want\n %+v", st.Total, wantTotal)
		}
		if want := (models.Intake{Received: 18, Valid: 14, Invalid: 2, Duplicate: 1, Waiting: 1}); st.Intake != want {
			t.Errorf("intake = %+v; want %+v", st.Intake, want)
		}

		// An hour before the late answer the late case is open and overdue:
		// answered 8, and cg has three overdue.
		early, err := s.Stats(ctx, st.Period, modeltest.At(2026, 12, 1, 7, 0))
		modeltest.Must(t, err, "stats at 07:00")
		if cg := early.Units[0]; cg.Answered != 8 || cg.OnTime != 8 {
			t.Errorf("at 07:00 cg answered %d, on time %d; want 8 and 8", cg.Answered, cg.OnTime)
		}

		// Cases not yet due and not answered are in no rate (未到期).
		notDue := []struct {
			name                      string
			at                        time.Time
			counted, notDue           int64
			reply, satisfied, ratedOn string
		}{
			// 20261102009 (due 11-24) and 20261102010 (due 11-25) are open and not due.
			{"before the two deadlines", modeltest.At(2026, 11, 21, 9, 0), 8, 2, "100.0%", "62.5%", "83.3%"},
			// 20261102009 is past due, 20261102010 not yet.
			{"between them", modeltest.At(2026, 11, 24, 18, 0), 9, 1, "88.9%", "55.6%", "83.3%"},
			{"after both", modeltest.At(2026, 11, 26, 9, 0), 10, 0, "80.0%", "50.0%", "83.3%"},
		}
		for _, tt := range notDue {
			t.Run(tt.name, func(t *testing.T) {
				st, err := s.Stats(ctx, st.Period, tt.at)
				modeltest.Must(t, err, "stats")
				cg := st.Units[0]
				if cg.Counted != tt.counted || cg.NotDue() != tt.notDue {
					t.Errorf("cg counted %d, not due %d; want %d, %d", cg.Counted, cg.NotDue(), tt.counted, tt.notDue)
				}
				if got := cg.ReplyRate().String(); got != tt.reply {
					t.Errorf("cg reply rate = %s; want %s", got, tt.reply)
				}
				if got := cg.SatisfactionRate().String(); got != tt.satisfied {
					t.Errorf("cg satisfaction rate = %s; want %s", got, tt.satisfied)
				}
				if got := cg.RatedSatisfactionRate().String(); got != tt.ratedOn {
					t.Errorf("cg rated-only satisfaction rate = %s; want %s", got, tt.ratedOn)
				}
			})
		}
	})
}

func TestFlagRule(t *testing.T) {
	// The regulation names units whose 回复率和满意率均低于90%.
	tests := []struct {
		name         string
		f            models.UnitFigures
		both, either bool
	}{
		{"both under", models.UnitFigures{Counted: 10, Answered: 8, Satisfied: 7}, true, true},
		{"satisfaction under only", models.UnitFigures{Counted: 10, Answered: 10, Satisfied: 8}, false, true},
		{"none under", models.UnitFigures{Counted: 10, Answered: 10, Satisfied: 9}, false, false},
		{"nothing due", models.UnitFigures{Assigned: 3}, false, false},
		{"205/195/185", models.UnitFigures{Assigned: 205, Counted: 205, Answered: 195, Satisfied: 185}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Flagged(models.FlagBoth, 0.9, 0.9); got != tt.both {
				t.Errorf("Flagged(both) = %v; want %v (回复率 %s, 满意率 %s)", got, tt.both, tt.f.ReplyRate(), tt.f.SatisfactionRate())
			}
			if got := tt.f.Flagged("", 0.9, 0.9); got != tt.both {
				t.Errorf("Flagged(\"\") = %v; want the regulation's rule (both) %v", got, tt.both)
			}
			if got := tt.f.Flagged(models.FlagEither, 0.9, 0.9); got != tt.either {
				t.Errorf("Flagged(either) = %v; want %v", got, tt.either)
			}
		})
	}
	f := models.UnitFigures{Assigned: 205, Counted: 205, Answered: 195, Satisfied: 185, Rated: 190}
	if r, s := f.ReplyRate().String(), f.SatisfactionRate().String(); r != "95.1%" || s != "90.2%" {
		t.Errorf("205/195/185: 回复率 %s, 满意率 %s; want 95.1%%, 90.2%%", r, s)
	}
}

func TestLongestOverdue(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		modeltest.SeedOrg(t, s)
		modeltest.SeedNovember2026(t, s)
		at := modeltest.At(2026, 12, 1, 9, 0)
		got, err := s.LongestOverdue(ctx, at, 10)
		modeltest.Must(t, err, "longest overdue")
		var nos []string
		for _, c := range got {
			nos = append(nos, c.No+"/"+c.DeptCode)
		}
		if strings.Join(nos, " ") != "20261020001/cg 20261102010/cg" {
			t.Errorf("longest overdue = %v; want 20261020001/cg 20261102010/cg", nos)
		}
		if len(got) > 0 && !got[0].DueAt.Equal(modeltest.At(2026, 10, 30, 17, 30)) {
			t.Errorf("first due at %v; want 30 Oct 17:30", got[0].DueAt)
		}
		one, err := s.LongestOverdue(ctx, at, 1)
		modeltest.Must(t, err, "longest overdue, one")
		if len(one) != 1 || one[0].No != "20261020001" {
			t.Errorf("longest overdue (1) = %+v; want 20261020001", one)
		}
		// Before 30 Oct 17:30 nothing is overdue.
		none, err := s.LongestOverdue(ctx, modeltest.At(2026, 10, 30, 17, 0), 10)
		modeltest.Must(t, err, "longest overdue, early")
		if len(none) != 0 {
			t.Errorf("longest overdue on 30 Oct 17:00 = %+v; want none", none)
		}
	})
}

func TestCasesReceived(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		modeltest.SeedOrg(t, s)
		modeltest.SeedNovember2026(t, s)
		rows, err := s.CasesReceived(ctx, models.MonthPeriod(modeltest.At(2026, 11, 1, 0, 0), modeltest.Shanghai))
		modeltest.Must(t, err, "cases received")
		if len(rows) != 18 {
			t.Fatalf("cases received in November = %d; want 18", len(rows))
		}
		by := map[string]models.CaseRow{}
		for i, r := range rows {
			by[r.No] = r
			if i > 0 && rows[i-1].No >= r.No {
				t.Errorf("rows not in number order: %s before %s", rows[i-1].No, r.No)
			}
		}
		late := by["20261102009"]
		if on, ok := late.OnTime(); !ok || on || late.DeptName != "县城市管理局" {
			t.Errorf("late case = %+v (on time %v, %v); want answered late by 县城市管理局", late, on, ok)
		}
		if on, ok := by["20261102001"].OnTime(); !ok || !on {
			t.Errorf("20261102001 on time = %v, %v; want true", on, ok)
		}
		if _, ok := by["20261102010"].OnTime(); ok {
			t.Errorf("open case 20261102010 counted as answered")
		}
		moved := by["20261110001"]
		if moved.DeptCode != "zj" || moved.AssignedAt == nil || !moved.AssignedAt.Equal(modeltest.At(2026, 11, 10, 11, 0)) {
			t.Errorf("case returned by cg = %+v; want led by zj since 10 Nov 11:00", moved)
		}
		if inv := by["20261111001"]; inv.DeptCode != "" || inv.AssignedAt != nil || inv.Status != models.StatusInvalid {
			t.Errorf("invalid case = %+v; want no unit", inv)
		}
		if r := by["20261102001"]; r.Rating == nil || *r.Rating != "满意" {
			t.Errorf("rating of 20261102001 = %v; want 满意", r.Rating)
		}
	})
}

// TestRatingColumnsAreNullable reads a case whose rating columns are NULL, as
// on a database migrated from before ratings existed.
func TestRatingColumnsAreNullable(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		modeltest.SeedOrg(t, s)
		modeltest.SeedCases(t, s, modeltest.SeedCase{No: "20261101001", Received: modeltest.At(2026, 11, 1, 9, 0), Status: models.StatusReceived})
		modeltest.Must(t, s.DB().Exec("UPDATE cases SET rating = NULL, rated_at = NULL").Error, "null ratings")
		k, err := s.CaseByNo(ctx, "20261101001")
		modeltest.Must(t, err, "read case")
		if k.Rating != "" || k.RatedAt != nil {
			t.Errorf("rating = %q, %v; want empty", k.Rating, k.RatedAt)
		}
		st, err := s.Stats(ctx, models.MonthPeriod(modeltest.At(2026, 11, 1, 0, 0), modeltest.Shanghai), modeltest.At(2026, 12, 1, 0, 0))
		modeltest.Must(t, err, "stats")
		if st.Intake.Waiting != 1 || st.Total.Rated != 0 {
			t.Errorf("stats = %+v; want one waiting case, nothing rated", st.Intake)
		}
	})
}

// TestOutboxHoldsLargePayloads checks the payload column takes a chart or a
// report file (MEDIUMTEXT on MySQL).
func TestOutboxHoldsLargePayloads(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		big := `{"kind":"image","image":"` + strings.Repeat("QUJD", 100_000) + `"}`
		o := &models.Outbox{Platform: "wecom", Target: "joint", Kind: "weekly_chart", Payload: big, DedupKey: "weekly:2026-W47:image"}
		modeltest.Must(t, s.Enqueue(ctx, o), "enqueue a 400 KB payload")
		var got models.Outbox
		modeltest.Must(t, s.DB().First(&got, o.ID).Error, "read it back")
		if len(got.Payload) != len(big) {
			t.Errorf("payload read back has %d bytes; want %d", len(got.Payload), len(big))
		}
	})
}

func TestReportsRecorded(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 12, 1, 8, 0))
		s.Now = clock.Now
		if _, err := s.LatestReport(ctx, "2026-11", false); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("LatestReport before any = %v; want ErrNotFound", err)
		}
		first := &models.Report{Month: "2026-11", Path: "data/reports/a.xlsx", SHA256: strings.Repeat("a", 64), Size: 10, Scheduled: true}
		modeltest.Must(t, s.AddReport(ctx, first), "add report")
		clock.Add(time.Hour)
		second := &models.Report{Month: "2026-11", Path: "/tmp/b.xlsx", SHA256: strings.Repeat("b", 64), Size: 11}
		modeltest.Must(t, s.AddReport(ctx, second), "add on-demand report")
		got, err := s.LatestReport(ctx, "2026-11", false)
		if err != nil || got.Path != "/tmp/b.xlsx" {
			t.Errorf("latest report = %+v, %v; want the on-demand one", got, err)
		}
		got, err = s.LatestReport(ctx, "2026-11", true)
		if err != nil || got.Path != "data/reports/a.xlsx" || !got.CreatedAt.Equal(modeltest.At(2026, 12, 1, 8, 0)) {
			t.Errorf("latest scheduled report = %+v, %v; want the first, made at 08:00", got, err)
		}
	})
}

// TestReportsMigrationOnAnOlderDatabase undoes what 202611220004_reports
// adds, as on a database made before it, and migrates again.
func TestReportsMigrationOnAnOlderDatabase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		m := s.DB().Migrator()
		modeltest.Must(t, m.DropTable(&models.Report{}), "drop reports")
		for _, col := range []string{"Rating", "RatedAt"} {
			modeltest.Must(t, m.DropColumn(&models.Case{}, col), "drop %s", col)
		}
		for _, idx := range []string{"idx_case_received", "idx_case_answered"} {
			if m.HasIndex(&models.Case{}, idx) { // SQLite lost them with the columns: it rebuilds the table
				modeltest.Must(t, m.DropIndex(&models.Case{}, idx), "drop %s", idx)
			}
		}
		if s.Driver() == "mysql" {
			modeltest.Must(t, s.DB().Exec("ALTER TABLE outboxes MODIFY payload TEXT NOT NULL").Error, "narrow payload")
		}
		modeltest.Must(t, s.DB().Exec("DELETE FROM migrations WHERE id = ?", "202611220004_reports").Error, "forget the migration")

		modeltest.Must(t, s.Migrate(ctx), "migrate again")
		if !m.HasTable(&models.Report{}) || !m.HasColumn(&models.Case{}, "Rating") || !m.HasColumn(&models.Case{}, "RatedAt") ||
			!m.HasIndex(&models.Case{}, "idx_case_received") || !m.HasIndex(&models.Case{}, "idx_case_answered") {
			t.Errorf("after migrating: reports %v, rating %v, rated_at %v, indexes %v %v", m.HasTable(&models.Report{}),
				m.HasColumn(&models.Case{}, "Rating"), m.HasColumn(&models.Case{}, "RatedAt"),
				m.HasIndex(&models.Case{}, "idx_case_received"), m.HasIndex(&models.Case{}, "idx_case_answered"))
		}
		if s.Driver() == "mysql" {
			var typ string
			modeltest.Must(t, s.DB().Raw("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'outboxes' AND COLUMN_NAME = 'payload'").Scan(&typ).Error, "payload type")
			if typ != "mediumtext" {
				t.Errorf("outboxes.payload is %s; want mediumtext", typ)
			}
		}
		// And the seeded month's figures come out as before.
		modeltest.SeedOrg(t, s)
		modeltest.SeedNovember2026(t, s)
		st, err := s.Stats(ctx, models.MonthPeriod(modeltest.At(2026, 11, 1, 0, 0), modeltest.Shanghai), modeltest.At(2026, 12, 1, 9, 0))
		modeltest.Must(t, err, "stats")
		if st.Units[0].Satisfied != 5 {
			t.Errorf("cg satisfied = %d; want 5", st.Units[0].Satisfied)
		}
	})
}
