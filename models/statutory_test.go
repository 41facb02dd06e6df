package models

import (
	"testing"
	"time"
)

func TestStatutoryHolidays(t *testing.T) {
	tests := []struct {
		year int
		want []string // "MM-DD name"
	}{
		{2024, []string{"01-01 元旦", "02-10 春节", "02-11 春节", "02-12 春节", "04-04 清明节", "05-01 劳动节", "06-10 端午节", "09-17 中秋节", "10-01 国庆节", "10-02 国庆节", "10-03 国庆节"}},
		{2025, []string{"01-01 元旦", "01-28 春节", "01-29 春节", "01-30 春节", "01-31 春节", "04-04 清明节", "05-01 劳动节", "05-02 劳动节", "05-31 端午节", "10-01 国庆节", "10-02 国庆节", "10-03 国庆节", "10-06 中秋节"}},
		{2026, []string{"01-01 元旦", "02-16 春节", "02-17 春节", "02-18 春节", "02-19 春节", "04-05 清明节", "05-01 劳动节", "05-02 劳动节", "06-19 端午节", "09-25 中秋节", "10-01 国庆节", "10-02 国庆节", "10-03 国庆节"}},
		{2027, []string{"01-01 元旦", "02-05 春节", "02-06 春节", "02-07 春节", "02-08 春节", "04-05 清明节", "05-01 劳动节", "05-02 劳动节", "06-09 端午节", "09-15 中秋节", "10-01 国庆节", "10-02 国庆节", "10-03 国庆节"}},
		// 中秋 falls on 10-03: one day off, not two.
		{2028, []string{"01-01 元旦", "01-25 春节", "01-26 春节", "01-27 春节", "01-28 春节", "04-04 清明节", "05-01 劳动节", "05-02 劳动节", "05-28 端午节", "10-01 国庆节", "10-02 国庆节", "10-03 国庆节"}},
	}
	for _, tt := range tests {
		t.Run(time.Date(tt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			got, err := StatutoryHolidays(tt.year)
			if err != nil {
				t.Fatalf("StatutoryHolidays(%d): %v", tt.year, err)
			}
			var gotS []string
			for _, h := range got {
				if h.Date.Year() != tt.year {
					t.Errorf("StatutoryHolidays(%d) has %s, outside the year", tt.year, h.Date.Format("2006-01-02"))
				}
				gotS = append(gotS, h.Date.Format("01-02")+" "+h.Name)
			}
			if len(gotS) != len(tt.want) {
				t.Fatalf("StatutoryHolidays(%d) = %v; want %v", tt.year, gotS, tt.want)
			}
			for i := range gotS {
				if gotS[i] != tt.want[i] {
					t.Errorf("StatutoryHolidays(%d)[%d] = %s; want %s", tt.year, i, gotS[i], tt.want[i])
				}
			}
		})
	}
}

// Every statutory day of a year with a notice is a day off in that notice:
// the computation agrees with the State Council's own dates.
func TestStatutoryHolidaysInsideNotices(t *testing.T) {
	c := newTestCalendar(t)
	for _, y := range c.Years() {
		days, err := StatutoryHolidays(y)
		if err != nil {
			t.Fatalf("StatutoryHolidays(%d): %v", y, err)
		}
		for _, h := range days {
			at := time.Date(h.Date.Year(), h.Date.Month(), h.Date.Day(), 10, 0, 0, 0, calCST)
			if c.IsWorkday(at) {
				t.Errorf("%s %s is a working day in the %d notice", h.Date.Format("2006-01-02"), h.Name, y)
			}
		}
	}
}

func TestStatutoryHolidaysOutOfRange(t *testing.T) {
	for _, y := range []int{1949, 2101, -5, 1 << 30} {
		if _, err := StatutoryHolidays(y); err == nil {
			t.Errorf("StatutoryHolidays(%d) = nil error; want one", y)
		}
	}
	// A calendar still answers there: weekends only.
	c := newTestCalendar(t)
	if !c.IsWorkday(time.Date(2101, 1, 3, 10, 0, 0, 0, calCST)) { // a Monday
		t.Errorf("IsWorkday(2101-01-03) = false; want true (no statutory data, weekday)")
	}
}
