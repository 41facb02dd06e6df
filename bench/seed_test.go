package bench

import (
	"testing"
	"time"

	"minsheng/models"
	"minsheng/reports"
)

// The jobs are measured an hour into the last working day before today, by
// the State Council's calendar: weekends moved (调休) and holidays count.
func TestJobsClock(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := models.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	hours, err := models.ParseOfficeHours("09:00-17:30")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, now, want string
	}{
		{"Sunday", "2026-11-22 09:50", "2026-11-20 10:00"},
		{"Tuesday", "2026-11-24 23:00", "2026-11-23 10:00"},
		{"after National Day", "2026-10-08 08:00", "2026-09-30 10:00"},
		{"Sunday after a working Saturday", "2026-10-11 12:00", "2026-10-10 10:00"},
		{"after the Spring Festival", "2026-02-24 10:00", "2026-02-14 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, _ := time.ParseInLocation("2006-01-02 15:04", tt.now, loc)
			got := jobsClock(cal, hours, now).Format("2006-01-02 15:04")
			if got != tt.want {
				t.Errorf("jobsClock(%s) = %s; want %s", tt.now, got, tt.want)
			}
		})
	}
}

// The seed's days: the cases add up, a tenth of them fall in the month the
// monthly report is measured on, none on or after the jobs' day, and a
// working day gets more than a day off.
func TestSeedDays(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := models.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	month := reports.PreviousMonth(at, loc)
	for _, n := range []int{1, 3000, 1_000_000} {
		days := seedDays(cal, loc, at, month, n)
		total, inMonth := 0, 0
		var workday, dayOff int
		for _, d := range days {
			total += d.count
			if !d.date.Before(month.From) && d.date.Before(month.To) {
				inMonth += d.count
			}
			if !d.date.Before(time.Date(2026, 11, 20, 0, 0, 0, 0, loc)) && d.count > 0 {
				t.Errorf("n=%d: %d cases on %s, not before the jobs' day", n, d.count, d.date.Format(time.DateOnly))
			}
			switch d.date.Format(time.DateOnly) {
			case "2026-09-30":
				workday = d.count
			case "2026-09-26":
				dayOff = d.count
			}
		}
		if total != n {
			t.Errorf("n=%d: days hold %d cases", n, total)
		}
		if want := max(1, n/10); inMonth != want {
			t.Errorf("n=%d: %d cases in %s; want %d", n, inMonth, month.Month(), want)
		}
		if n == 1_000_000 && (workday <= dayOff || dayOff == 0) {
			t.Errorf("n=%d: %d cases on a working day, %d on a holiday; want fewer but some on the holiday", n, workday, dayOff)
		}
	}
}
