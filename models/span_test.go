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
	t.Run("RemindFloor", func(t *testing.T) {
		cases := []struct {
			name  string
			until time.Time
			n     int
			want  time.Time
		}{
			{"Tuesday in office hours", at(2026, 11, 24, 10, 0), 1, at(2026, 11, 26, 0, 0)},     // due Wednesday: reminded this morning
			{"Tuesday before office hours", at(2026, 11, 24, 8, 0), 1, at(2026, 11, 25, 0, 0)},  // due Tuesday: reminded Monday
			{"at the start of office hours", at(2026, 11, 24, 9, 0), 1, at(2026, 11, 26, 0, 0)}, // this morning's reminders are out
			{"Saturday", at(2026, 11, 28, 12, 0), 1, at(2026, 12, 1, 0, 0)},                     // due Monday: reminded Friday
			{"two days ahead", at(2026, 11, 24, 10, 0), 2, at(2026, 11, 27, 0, 0)},              // due Thursday: reminded this morning
			{"before 国庆", at(2026, 9, 30, 10, 0), 1, at(2026, 10, 9, 0, 0)},                     // due 10-08, the next working day
			{"on 国庆", at(2026, 10, 3, 10, 0), 1, at(2026, 10, 9, 0, 0)},                         // nothing new over the holiday
			{"the working Saturday", at(2026, 10, 10, 9, 30), 1, at(2026, 10, 13, 0, 0)},        // due Monday 10-12: reminded this Saturday
			{"before the working Saturday", at(2026, 10, 9, 18, 0), 1, at(2026, 10, 11, 0, 0)},  // due Saturday 10-10: reminded Friday
			{"Spring Festival eve", at(2026, 2, 14, 12, 0), 1, at(2026, 2, 25, 0, 0)},           // the working Saturday, then 春节 to 02-23
		}
		for _, c := range cases {
			got := cal.RemindFloor(c.until, c.n, hours)
			if want := c.want.Add(-time.Nanosecond); !got.Equal(want) {
				t.Errorf("%s: RemindFloor(%s, %d) = %s; want %s", c.name, c.until.Format("01-02 15:04"), c.n, got.Format("01-02 15:04:05.999999999"), want.Format("01-02 15:04:05.999999999"))
			}
		}
		// Exact, checked every 5 hours over the year: a deadline at the
		// floor was reminded by until, one just after it was not.
		for _, n := range []int{1, 2, 3} {
			for until := at(2026, 1, 1, 0, 0); until.Before(at(2027, 1, 1, 0, 0)); until = until.Add(5 * time.Hour) {
				f := cal.RemindFloor(until, n, hours)
				if r := cal.StartOfWorkdayBefore(f, n, hours); r.After(until) {
					t.Fatalf("RemindFloor(%s, %d) = %s, whose reminder comes at %s, after until", until.Format("01-02 15:04"), n, f.Format("01-02 15:04"), r.Format("01-02 15:04"))
				}
				next := f.Add(time.Nanosecond)
				if r := cal.StartOfWorkdayBefore(next, n, hours); !r.After(until) {
					t.Fatalf("RemindFloor(%s, %d) = %s, but %s was reminded at %s, by until", until.Format("01-02 15:04"), n, f.Format("01-02 15:04"), next.Format("01-02 15:04"), r.Format("01-02 15:04"))
				}
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
