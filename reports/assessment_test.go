package reports_test

import (
	"context"
	"strings"
	"testing"

	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

func TestParseQuarterAndYear(t *testing.T) {
	loc := modeltest.Shanghai
	tests := []struct {
		in       string
		quarter  bool
		from, to string
		bad      bool
	}{
		{"2026Q4", true, "2026-10-01", "2027-01-01", false},
		{"2026Q1", true, "2026-01-01", "2026-04-01", false},
		{"2026Q5", true, "", "", true},
		{"26Q1", true, "", "", true},
		{"2026", false, "2026-01-01", "2027-01-01", false},
		{"26", false, "", "", true},
		{"2026-01", false, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			parse := reports.ParseYear
			if tt.quarter {
				parse = reports.ParseQuarter
			}
			p, err := parse(tt.in, loc)
			if (err != nil) != tt.bad {
				t.Fatalf("parse(%q) = %v; want error %v", tt.in, err, tt.bad)
			}
			if !tt.bad && (p.From.Format("2006-01-02") != tt.from || p.To.Format("2006-01-02") != tt.to) {
				t.Errorf("parse(%q) = [%v, %v); want [%s, %s)", tt.in, p.From, p.To, tt.from, tt.to)
			}
		})
	}
}

// TestAssessmentScoresAndRanks scores the column's month (cg: 205 assigned,
// 195 answered on time, 185 satisfied, 10 overdue, one 迟报) beside zj's
// seeded cases, with the shipped weights.
func TestAssessmentScoresAndRanks(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 12, 1, 9, 0)
		setup(t, s, now)
		seedColumn(t, s)
		p := models.MonthPeriod(modeltest.At(2026, 11, 1, 0, 0), modeltest.Shanghai)
		a := &reports.Assessment{Store: s, Weights: reports.Weights{ReplyRate: 40, OnTimeRate: 20, SatisfactionRate: 40, Overdue: 1, Supervised: 0.5, LateReported: 1}}
		scores, err := a.Scores(ctx, p, now)
		modeltest.Must(t, err, "scores")
		if len(scores) != 3 {
			t.Fatalf("scores = %+v; want the three units", scores)
		}
		// cg: 40 × 195/205 + 20 × 1 + 40 × 185/205 − 10 overdue − 1 迟报 = 83.1.
		cg := scores[0]
		if cg.Code != "cg" || !cg.Scored || cg.Rank != 1 || cg.Points != 83.1 || cg.LateReported != 1 {
			t.Errorf("first = %+v; want cg ranked 1 with 83.1 points and one 迟报", cg)
		}
		for _, sc := range scores[1:] {
			if sc.Scored || sc.Rank != 0 {
				t.Errorf("%s has nothing to score yet is ranked: %+v", sc.Code, sc)
			}
		}
		book, err := a.Workbook(ctx, p, "2026-11", now)
		modeltest.Must(t, err, "workbook")
		defer book.Close()
		row := cells(t, book, reports.SheetAssessment, 4, 15)
		if row[0] != "1" || row[1] != "cg" || row[14] != "83.1" || row[7] != "95.1%" || row[9] != "90.2%" {
			t.Errorf("考核 row = %v; want cg first, 95.1%%, 90.2%%, 83.1", row)
		}
		defs, err := book.GetRows(reports.SheetDefinitions)
		modeltest.Must(t, err, "definitions")
		if all := strings.Join(defs[3], "|"); !strings.Contains(all, "回复率") || !strings.Contains(all, "40") {
			t.Errorf("口径 first row = %q; want 回复率 and its weight 40", all)
		}
	})
}
