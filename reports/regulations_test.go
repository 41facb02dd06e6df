package reports_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

// seedColumn seeds the column's month (issue 13): 205 cases assigned to cg
// in the first week of November 2026, 195 answered in time, 185 of them
// satisfied (满意 or 基本满意), 5 不满意, 5 not rated, and 10 open past
// their deadline; and one 重大 case reported up late (迟报).
func seedColumn(t *testing.T, s *models.Store) {
	t.Helper()
	var cases []modeltest.SeedCase
	for i := range 205 {
		day := 2 + i%5
		c := modeltest.SeedCase{
			No: fmt.Sprintf("202611%02d%03d", day, i+1), Received: modeltest.At(2026, 11, day, 9, 0), Lead: "cg",
			Status: models.StatusHandling, Due: modeltest.P(modeltest.At(2026, 11, 13+day%2, 17, 30)),
		}
		if i < 195 {
			c.Status, c.Answered = models.StatusAnswered, modeltest.P(modeltest.At(2026, 11, 10, 15, 0))
			switch {
			case i < 150:
				c.Rating = "满意"
			case i < 185:
				c.Rating = "基本满意"
			case i < 190:
				c.Rating = "不满意"
			}
		}
		cases = append(cases, c)
	}
	modeltest.SeedCases(t, s, cases...)
	k, err := s.CaseByNo(context.Background(), cases[0].No)
	modeltest.Must(t, err, "case")
	due := modeltest.At(2026, 11, 2, 11, 0)
	modeltest.Must(t, s.DB().Create(&models.SeriousAlert{CaseID: k.ID, Severity: models.SeverityMajor, ReportDueAt: due, State: models.AlertAcked,
		LastChasedAt: due, CreatedAt: due.Add(-2 * time.Hour), ReportedUpAt: modeltest.P(due.Add(2 * time.Hour)), Late: true}).Error, "late alert")
}

func TestColumnRatesWeeklyAndMonthly(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 11, 30, 9, 0) // Monday: the week of 11-23, rates over 11-02..11-29
		setup(t, s, now)
		seedColumn(t, s)

		msgs, err := weekly(s).Build(ctx, now)
		modeltest.Must(t, err, "weekly summary")
		text := strings.Join(msgs.Texts, "\n")
		for _, want := range []string{
			"| cg 县城市管理局 | 0 | 0 | 10 | 0 | 95.1% | 90.2% | 100.0% |",
			"| 合计 | 0 | 0 | 10 | 0 | 95.1% | 90.2% | 100.0% |",
			"仅计已评价的满意率（评价满意率）：97.4%",
			"没有回复率和满意率均低于目标的单位",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("weekly summary lacks %q:\n%s", want, text)
			}
		}

		m := monthly(s, t.TempDir())
		book, err := m.Workbook(ctx, models.MonthPeriod(now, modeltest.Shanghai), modeltest.At(2026, 12, 1, 9, 0))
		modeltest.Must(t, err, "monthly workbook")
		defer book.Close()
		summary := map[string]string{}
		for row := 4; row <= 24; row++ {
			c := cells(t, book, reports.SheetSummary, row, 2)
			summary[c[0]] = c[1]
		}
		for k, want := range map[string]string{
			"交办": "205", "已答复": "195", "满意（含基本满意）": "185", "未到期": "0", "迟报": "1",
			"回复率": "95.1%", "满意率": "90.2%", "评价满意率": "97.4%", "回复率和满意率均低于目标的单位": "0",
		} {
			if summary[k] != want {
				t.Errorf("月报 汇总 %s = %q; want %q", k, summary[k], want)
			}
		}
		cg := cells(t, book, reports.SheetUnits, 4, 17)
		if got := strings.Join(cg[13:16], " "); cg[0] != "cg" || got != "95.1% 100.0% 90.2%" {
			t.Errorf("月报 单位 cg = %v; want 回复率 95.1%%, 按期率 100.0%%, 满意率 90.2%%", cg)
		}

		// Either rule: the same unit is not named either, its rates being at
		// or above 90%; a stricter satisfaction target names it.
		m.FlagRule, m.SatisfactionTarget = models.FlagEither, 0.95
		if n := m.Note(&reports.Issue{Report: &models.Report{Path: "x"}, Stats: novemberStats(t, s)}, false); !strings.Contains(n, "回复率或满意率低于目标的单位：县城市管理局（回复率 95.1%，满意率 90.2%）") {
			t.Errorf("note with flag_rule either and a 95%% satisfaction target:\n%s", n)
		}
	})
}

// novemberStats are November 2026's figures as they stand on 1 December.
func novemberStats(t *testing.T, s *models.Store) *models.Stats {
	t.Helper()
	st, err := s.Stats(context.Background(), models.MonthPeriod(modeltest.At(2026, 11, 1, 0, 0), modeltest.Shanghai), modeltest.At(2026, 12, 1, 9, 0))
	modeltest.Must(t, err, "stats")
	return st
}
