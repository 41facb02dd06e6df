package models_test

import (
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func TestParseSpan(t *testing.T) {
	cases := []struct {
		in   string
		want models.Span
		ok   bool
	}{
		{"1wd", models.Span{Workdays: 1}, true},
		{"2 workdays", models.Span{Workdays: 2}, true},
		{"1个工作日", models.Span{Workdays: 1}, true},
		{"8h", models.Span{Duration: 8 * time.Hour}, true},
		{"90m", models.Span{Duration: 90 * time.Minute}, true},
		{"0wd", models.Span{}, false},
		{"-1h", models.Span{}, false},
		{"soon", models.Span{}, false},
		{"", models.Span{}, false},
	}
	for _, c := range cases {
		got, err := models.ParseSpan(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSpan(%q) = %+v, %v; want %+v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// TestLadderDays: the days the deadline ladder reckons with, around the
// Spring Festival and National Day 2026 and their working Saturdays
// (02-14, 02-28, 10-10).
func TestLadderDays(t *testing.T) {
	cal, err := models.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	hours, _ := models.ParseOfficeHours("09:00-17:30")
	at := modeltest.At
	t.Run("StartOfWorkdayBefore", func(t *testing.T) {
		cases := []struct{ due, want time.Time }{
			{at(2026, 2, 24, 17, 30), at(2026, 2, 14, 9, 0)}, // after the holiday: the working Saturday
			{at(2026, 3, 2, 17, 30), at(2026, 2, 28, 9, 0)},  // Monday after the working Saturday 02-28
			{at(2026, 2, 13, 17, 30), at(2026, 2, 12, 9, 0)},
			{at(2026, 10, 9, 17, 30), at(2026, 10, 8, 9, 0)},
			{at(2026, 10, 8, 17, 30), at(2026, 9, 30, 9, 0)}, // over 国庆
			{at(2026, 10, 12, 17, 30), at(2026, 10, 10, 9, 0)},
		}
		for _, c := range cases {
			if got := cal.StartOfWorkdayBefore(c.due, 1, hours); !got.Equal(c.want) {
				t.Errorf("StartOfWorkdayBefore(%s, 1) = %s; want %s", c.due.Format("01-02"), got.Format("01-02 15:04"), c.want.Format("01-02 15:04"))
			}
		}
	})
	t.Run("AddWorkdays after a deadline", func(t *testing.T) {
		cases := []struct {
			due  time.Time
			n    int
			want time.Time
		}{
			{at(2026, 2, 13, 17, 30), 1, at(2026, 2, 14, 17, 30)}, // the working Saturday
			{at(2026, 2, 13, 17, 30), 3, at(2026, 2, 25, 17, 30)}, // 02-14, then 02-24, 02-25 after 春节
			{at(2026, 10, 9, 17, 30), 1, at(2026, 10, 10, 17, 30)},
			{at(2026, 10, 9, 17, 30), 3, at(2026, 10, 13, 17, 30)},
		}
		for _, c := range cases {
			if got, _ := cal.AddWorkdays(c.due, c.n, hours); !got.Equal(c.want) {
				t.Errorf("AddWorkdays(%s, %d) = %s; want %s", c.due.Format("01-02"), c.n, got.Format("01-02 15:04"), c.want.Format("01-02 15:04"))
			}
		}
	})
	// SpanFloor bounds the scans: whatever starts at or before the floor
	// has run out by until. Checked every 7 hours across both holidays.
	t.Run("SpanFloor", func(t *testing.T) {
		for _, span := range []models.Span{{Workdays: 1}, {Workdays: 3}, {Duration: 8 * time.Hour}} {
			for until := at(2026, 2, 1, 0, 0); until.Before(at(2026, 3, 10, 0, 0)); until = until.Add(7 * time.Hour) {
				floor := cal.SpanFloor(until, span, hours)
				if end := cal.AddSpan(floor, span, hours); end.After(until) {
					t.Fatalf("span %v: AddSpan(SpanFloor(%s)) = %s; want not after %s", span, until, end, until)
				}
			}
		}
		for n := range 4 {
			for until := at(2026, 9, 20, 0, 0); until.Before(at(2026, 10, 20, 0, 0)); until = until.Add(5 * time.Hour) {
				floor := cal.WorkdaysFloor(until, n, hours)
				if end, _ := cal.AddWorkdays(floor, n, hours); end.After(until) {
					t.Fatalf("AddWorkdays(WorkdaysFloor(%s, %d)) = %s; want not after it", until, n, end)
				}
			}
		}
	})
}
