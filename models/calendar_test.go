package models

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// calCST is China Standard Time; callers pass Asia/Shanghai times, which
// have had no daylight saving since 1991.
var calCST = time.FixedZone("CST", 8*3600)

var calHours = OfficeHours{StartMinute: 9 * 60, EndMinute: 17*60 + 30}

// calAt returns "2006-01-02 15:04" in CST.
func calAt(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calCST)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// calDay returns the date "2006-01-02" at 10:00 CST.
func calDay(t *testing.T, s string) time.Time {
	t.Helper()
	return calAt(t, s+" 10:00")
}

func newTestCalendar(t *testing.T, extra ...CalendarYear) *Calendar {
	t.Helper()
	c, err := NewCalendar(extra)
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	return c
}

// The holidays of the notices, every day written out by hand.
var calHolidays = []string{
	// 2025, 国办发明电〔2024〕12号
	"2025-01-01",
	"2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04",
	"2025-04-04", "2025-04-05", "2025-04-06",
	"2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05",
	"2025-05-31", "2025-06-01", "2025-06-02",
	"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08",
	// 2026, notice of 2025-11-04
	"2026-01-01", "2026-01-02", "2026-01-03",
	"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
	"2026-04-04", "2026-04-05", "2026-04-06",
	"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
	"2026-06-19", "2026-06-20", "2026-06-21",
	"2026-09-25", "2026-09-26", "2026-09-27",
	"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
}

// The working Saturdays and Sundays (调休上班) of the notices.
var calWorkWeekends = []string{
	"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
	"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
}

func TestCalendarHolidays(t *testing.T) {
	c := newTestCalendar(t)
	for _, s := range calHolidays {
		t.Run(s, func(t *testing.T) {
			for _, hm := range []string{"00:00", "10:00", "23:59"} {
				if got := c.IsWorkday(calAt(t, s+" "+hm)); got {
					t.Errorf("IsWorkday(%s %s) = %v; want false", s, hm, got)
				}
			}
		})
	}
	if got, want := len(calHolidays), 28+33; got != want {
		t.Errorf("len(calHolidays) = %d; want %d", got, want)
	}
}

func TestCalendarWorkWeekends(t *testing.T) {
	c := newTestCalendar(t)
	for _, s := range calWorkWeekends {
		t.Run(s, func(t *testing.T) {
			d := calDay(t, s)
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Fatalf("%s is a %s; the test data is wrong", s, wd)
			}
			if got := c.IsWorkday(d); !got {
				t.Errorf("IsWorkday(%s) = %v; want true", s, got)
			}
		})
	}
}

// Every day of 2025 and 2026 not in the lists above follows the weekend rule.
func TestCalendarIsWorkdayWholeYears(t *testing.T) {
	c := newTestCalendar(t)
	for d := calDay(t, "2025-01-01"); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		s := d.Format("2006-01-02")
		want := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		if slices.Contains(calHolidays, s) {
			want = false
		}
		if slices.Contains(calWorkWeekends, s) {
			want = true
		}
		if got := c.IsWorkday(d); got != want {
			t.Errorf("IsWorkday(%s, %s) = %v; want %v", s, d.Weekday(), got, want)
		}
	}
}

func TestCalendarIsWorkday(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name string
		at   string
		want bool
	}{
		{"ordinary Monday", "2025-03-10 10:00", true},
		{"ordinary Friday", "2025-03-14 17:00", true},
		{"ordinary Saturday", "2025-03-15 10:00", false},
		{"ordinary Sunday", "2025-03-16 10:00", false},
		{"ordinary Wednesday 2026", "2026-03-11 10:00", true},
		{"ordinary Sunday 2026", "2026-03-15 10:00", false},
		{"Wednesday after 2025 National Day", "2025-10-09 00:00", true},
		{"Monday 2026-01-05 after the 元旦 Sunday shift", "2026-01-05 10:00", true},
		{"Saturday 2026-01-03 in 元旦", "2026-01-03 10:00", false},
		{"Sunday 2026-02-15 first day of Spring Festival", "2026-02-15 10:00", false},
		{"no notice: 2027 元旦 is a Friday off", "2027-01-01 10:00", false},
		{"no notice: 2027 Saturday", "2027-01-02 10:00", false},
		{"no notice: 2027 Monday", "2027-01-04 10:00", true},
		{"no notice: 2027-02-05 除夕", "2027-02-05 10:00", false},
		{"no notice: 2027-02-08 正月初三", "2027-02-08 10:00", false},
		{"no notice: 2027-02-09 after 春节", "2027-02-09 10:00", true},
		{"no notice: 2027-04-05 清明", "2027-04-05 10:00", false},
		{"no notice: 2027-06-09 端午", "2027-06-09 10:00", false},
		{"no notice: 2027-09-15 中秋", "2027-09-15 10:00", false},
		{"no notice: 2027-10-01 国庆", "2027-10-01 10:00", false},
		{"no notice: 2027-10-04 Monday after 国庆", "2027-10-04 10:00", true},
		{"no notice: 2024 国庆 Tuesday", "2024-10-01 10:00", false},
		{"no notice: 2024 Wednesday", "2024-10-09 10:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.IsWorkday(calAt(t, tt.at)); got != tt.want {
				t.Errorf("IsWorkday(%s) = %v; want %v", tt.at, got, tt.want)
			}
		})
	}
}

// The date is taken in the location of the time given.
func TestCalendarIsWorkdayLocation(t *testing.T) {
	c := newTestCalendar(t)
	// 2025-01-27 20:00 UTC is 2025-01-28 04:00 in Shanghai, Spring Festival.
	utc := time.Date(2025, 1, 27, 20, 0, 0, 0, time.UTC)
	if got := c.IsWorkday(utc); !got {
		t.Errorf("IsWorkday(%v) = %v; want true", utc, got)
	}
	if got := c.IsWorkday(utc.In(calCST)); got {
		t.Errorf("IsWorkday(%v) = %v; want false", utc.In(calCST), got)
	}
}

func TestCalendarYears(t *testing.T) {
	c := newTestCalendar(t)
	if got, want := c.Years(), []int{2025, 2026}; !slices.Equal(got, want) {
		t.Errorf("Years() = %v; want %v", got, want)
	}
	for y, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if got := c.HasYear(y); got != want {
			t.Errorf("HasYear(%d) = %v; want %v", y, got, want)
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name    string
		from    string
		n       int
		want    string
		missing []int
	}{
		// Plain weeks.
		{"plain week: 7 from Monday 10:00 is next Wednesday", "2025-03-10 10:00", 7, "2025-03-19 17:30", nil},
		{"plain week: late on Monday still does not count", "2025-03-10 23:59", 7, "2025-03-19 17:30", nil},
		{"plain week: 1 from Friday is Monday", "2025-03-14 16:00", 1, "2025-03-17 17:30", nil},
		{"plain week: 1 from Saturday is Monday", "2025-03-15 10:00", 1, "2025-03-17 17:30", nil},
		{"plain week: 5 from Sunday is Friday", "2025-03-16 10:00", 5, "2025-03-21 17:30", nil},
		{"plain week: 15 from Monday", "2025-03-03 09:00", 15, "2025-03-24 17:30", nil},
		{"n=0 on a working day is that day", "2025-03-12 08:00", 0, "2025-03-12 17:30", nil},
		{"n=0 after hours on a working day is still that day", "2025-03-12 20:00", 0, "2025-03-12 17:30", nil},
		{"n<0 on a Saturday is Monday", "2025-03-15 10:00", -3, "2025-03-17 17:30", nil},

		// Spring Festival 2025: off 01-28..02-04, work Sun 01-26 and Sat 02-08.
		// 01-26 Sun 1, 01-27 Mon 2, 02-05 3, 02-06 4, 02-07 5, 02-08 Sat 6, 02-10 Mon 7.
		{"Spring Festival 2025: 7 from Friday before", "2025-01-24 10:00", 7, "2025-02-10 17:30", nil},
		// 01-21..01-24 1-4, 01-26 5, 01-27 6, 02-05..02-07 7-9, 02-08 10, 02-10..02-14 11-15.
		{"Spring Festival 2025: 15 from Monday 01-20", "2025-01-20 09:00", 15, "2025-02-14 17:30", nil},
		{"Spring Festival 2025: 1 from Saturday 01-25 is the working Sunday", "2025-01-25 10:00", 1, "2025-01-26 17:30", nil},
		{"Spring Festival 2025: 1 from eve of holiday", "2025-01-27 15:00", 1, "2025-02-05 17:30", nil},
		{"Spring Festival 2025: 1 from inside holiday", "2025-01-30 10:00", 1, "2025-02-05 17:30", nil},
		{"Spring Festival 2025: n=0 inside holiday", "2025-02-02 10:00", 0, "2025-02-05 17:30", nil},
		{"Spring Festival 2025: 3 from Thursday 02-06 uses working Saturday", "2025-02-06 10:00", 3, "2025-02-10 17:30", nil},

		// Spring Festival 2026: off 02-15..02-23, work Sat 02-14 and Sat 02-28.
		// 02-13 Fri 1, 02-14 Sat 2, 02-24 Tue 3, 02-25 4, 02-26 5, 02-27 6, 02-28 Sat 7.
		{"Spring Festival 2026: 7 from Thursday falls on a working Saturday", "2026-02-12 09:30", 7, "2026-02-28 17:30", nil},
		// 02-11..02-13 1-3, 02-14 4, 02-24..02-27 5-8, 02-28 9, 03-02..03-06 10-14, 03-09 15.
		{"Spring Festival 2026: 15 from Tuesday 02-10", "2026-02-10 11:00", 15, "2026-03-09 17:30", nil},
		{"Spring Festival 2026: 1 from Friday 02-13 is Saturday 02-14", "2026-02-13 16:00", 1, "2026-02-14 17:30", nil},
		{"Spring Festival 2026: n=0 on working Saturday", "2026-02-14 16:00", 0, "2026-02-14 17:30", nil},
		{"Spring Festival 2026: n=0 inside holiday", "2026-02-20 10:00", 0, "2026-02-24 17:30", nil},
		{"Spring Festival 2026: 1 from last holiday Monday", "2026-02-23 10:00", 1, "2026-02-24 17:30", nil},

		// National Day 2025: off 10-01..10-08, work Sun 09-28 and Sat 10-11.
		// 09-28 Sun 1, 09-29 2, 09-30 3, 10-09 4, 10-10 5, 10-11 Sat 6, 10-13 Mon 7.
		{"National Day 2025: 7 from Friday 09-26", "2025-09-26 11:00", 7, "2025-10-13 17:30", nil},
		{"National Day 2025: 1 from last day before", "2025-09-30 17:00", 1, "2025-10-09 17:30", nil},
		// 10-10 1, 10-11 Sat 2, 10-13 3, 10-14 4, 10-15 5.
		{"National Day 2025: 5-day extension from 10-09", "2025-10-09 10:00", 5, "2025-10-15 17:30", nil},
		// 09-29, 09-30 1-2, 10-09, 10-10 3-4, 10-11 5, 10-13..10-17 6-10, 10-20..10-24 11-15.
		{"National Day 2025: 15 from working Sunday 09-28", "2025-09-28 10:00", 15, "2025-10-24 17:30", nil},

		// Mid-Autumn and National Day 2026: off 09-25..09-27 and 10-01..10-07,
		// work Sun 09-20 and Sat 10-10.
		// 09-20 Sun 1, 09-21..09-24 2-5, 09-28 6, 09-29 7.
		{"National Day 2026: 7 from Friday 09-18 across Mid-Autumn", "2026-09-18 10:00", 7, "2026-09-29 17:30", nil},
		// 09-28 1, 09-29 2, 09-30 3, 10-08 4, 10-09 5, 10-10 Sat 6, 10-12 Mon 7.
		{"National Day 2026: 7 from Thursday 09-24", "2026-09-24 10:00", 7, "2026-10-12 17:30", nil},
		// ... 10-13..10-16 8-11, 10-19..10-22 12-15.
		{"National Day 2026: 15 from Thursday 09-24", "2026-09-24 10:00", 15, "2026-10-22 17:30", nil},
		{"National Day 2026: 1 from Friday 10-09 is Saturday 10-10", "2026-10-09 10:00", 1, "2026-10-10 17:30", nil},

		// Across years with data: 12-30 1, 12-31 2, 01-01..01-03 off, 01-04 Sun 3, 01-05..01-08 4-7.
		{"New Year 2026 across the year end", "2025-12-29 10:00", 7, "2026-01-08 17:30", nil},

		// No notice for 2027: weekends and the statutory days, and 2027
		// reported missing (the date is provisional).
		// 12-29..12-31 1-3, 2027-01-01 元旦 off, 01-04 Mon 4, 01-05 5, 01-06 6, 01-07 7.
		{"into 2027 without data", "2026-12-28 10:00", 7, "2027-01-07 17:30", []int{2027}},
		// 02-05 除夕 .. 02-08 初三 off; 02-09..02-12 1-4, 02-15..02-17 5-7.
		{"across 春节 2027 without notice", "2027-02-04 10:00", 7, "2027-02-17 17:30", []int{2027}},
		// 10-01..10-03 国庆 off (Fri-Sun); 10-04..10-08 1-5, 10-11 6, 10-12 7.
		{"across 国庆 2027 without notice", "2027-09-30 10:00", 7, "2027-10-12 17:30", []int{2027}},
		// 03-08..03-12 1-5, 03-15 6, 03-16 7.
		{"inside 2027 without data", "2027-03-05 10:00", 7, "2027-03-16 17:30", []int{2027}},
		{"n=0 in 2027 without data", "2027-03-06 10:00", 0, "2027-03-08 17:30", []int{2027}},
		{"n=0 on a 2027 workday without data", "2027-03-08 10:00", 0, "2027-03-08 17:30", []int{2027}},
		// 2024-12-30 Mon 1, 12-31 Tue 2, 2025-01-01 off, 01-02 3.
		{"from 2024 without data into 2025", "2024-12-27 10:00", 3, "2025-01-02 17:30", []int{2024}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := calAt(t, tt.from)
			got, missing := c.AddWorkdays(from, tt.n, calHours)
			if want := calAt(t, tt.want); !got.Equal(want) || got.Location() != calCST {
				t.Errorf("AddWorkdays(%v, %d) = %v; want %v", from, tt.n, got, want)
			}
			if !slices.Equal(missing, tt.missing) {
				t.Errorf("AddWorkdays(%v, %d) missing = %v; want %v", from, tt.n, missing, tt.missing)
			}
		})
	}
}

func TestAddWorkdaysMissingAcrossYears(t *testing.T) {
	c := newTestCalendar(t)
	from := calAt(t, "2026-12-28 10:00")
	// 2026-12-29..12-31 are 3 working days. 2027 has 261 weekdays, 7 of
	// them statutory days off (元旦, 除夕, 初三, 清明, 端午, 中秋, 10-01):
	// 254. 2028 has 260 weekdays and 9 statutory days off on them (除夕 to
	// 初三, 清明, 05-01, 05-02, 10-02, 10-03 which is 中秋 too): 251, the last
	// Friday 12-29. 3 + 254 + 251 = 508.
	got, missing := c.AddWorkdays(from, 508, calHours)
	if want := calAt(t, "2028-12-29 17:30"); !got.Equal(want) {
		t.Errorf("AddWorkdays(%v, 508) = %v; want %v", from, got, want)
	}
	if want := []int{2027, 2028}; !slices.Equal(missing, want) {
		t.Errorf("AddWorkdays(%v, 508) missing = %v; want %v", from, missing, want)
	}
}

func TestAddWorkdaysAbsurdN(t *testing.T) {
	c := newTestCalendar(t)
	from := calAt(t, "2025-03-10 10:00")
	capped, _ := c.AddWorkdays(from, 3660, calHours)
	for _, n := range []int{3661, 1 << 30, int(^uint(0) >> 1)} {
		got, missing := c.AddWorkdays(from, n, calHours)
		if !got.Equal(capped) {
			t.Errorf("AddWorkdays(%v, %d) = %v; want %v (the cap)", from, n, got, capped)
		}
		if len(missing) == 0 || missing[0] != 2027 || !slices.IsSorted(missing) {
			t.Errorf("AddWorkdays(%v, %d) missing = %v; want 2027 onwards, ascending", from, n, missing)
		}
	}
}

// A zero OfficeHours makes deadlines fall due at the end of the day, never
// at the midnight that starts it.
func TestAddWorkdaysZeroOfficeHours(t *testing.T) {
	c := newTestCalendar(t)
	from := calAt(t, "2025-03-10 10:00")
	got, _ := c.AddWorkdays(from, 1, OfficeHours{})
	if want := calAt(t, "2025-03-12 00:00"); !got.Equal(want) {
		t.Errorf("AddWorkdays(%v, 1) = %v; want %v", from, got, want)
	}
}

// AddWorkdays agrees with WorkdaysBetween: the due date is n working days
// after from, and the day before it is n-1.
func TestAddWorkdaysAgreesWithWorkdaysBetween(t *testing.T) {
	c := newTestCalendar(t)
	r := rand.New(rand.NewPCG(1, 2))
	start := calAt(t, "2024-11-01 10:00")
	for range 2000 {
		from := start.AddDate(0, 0, r.IntN(900))
		n := 1 + r.IntN(30)
		due, _ := c.AddWorkdays(from, n, calHours)
		if !c.IsWorkday(due) {
			t.Errorf("AddWorkdays(%v, %d) = %v, not a working day", from, n, due)
		}
		if got := c.WorkdaysBetween(from, due); got != n {
			t.Errorf("WorkdaysBetween(%v, %v) = %d; want %d", from, due, got, n)
		}
		if got := c.WorkdaysBetween(from, due.AddDate(0, 0, -1)); got != n-1 {
			t.Errorf("WorkdaysBetween(%v, %v) = %d; want %d", from, due.AddDate(0, 0, -1), got, n-1)
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"same day", "2025-03-10 08:00", "2025-03-10 18:00", 0},
		{"to before from", "2025-03-17 10:00", "2025-03-10 10:00", 0},
		{"plain week Monday to Monday", "2025-03-10 10:00", "2025-03-17 09:00", 5},
		{"plain weekend", "2025-03-14 10:00", "2025-03-16 10:00", 0},
		{"working Saturday 2025-02-08", "2025-02-07 10:00", "2025-02-10 10:00", 2},
		{"Sunday before working Saturday counts nothing", "2025-02-07 10:00", "2025-02-09 23:00", 1},
		{"working Sunday 2025-01-26 across Spring Festival", "2025-01-24 10:00", "2025-02-05 10:00", 3},
		{"inside Spring Festival 2025", "2025-01-27 10:00", "2025-02-04 10:00", 0},
		{"working Saturday 2026-02-14 across Spring Festival", "2026-02-13 10:00", "2026-02-24 10:00", 2},
		{"2026 Spring Festival month", "2026-01-31 10:00", "2026-02-28 10:00", 16},
		{"working Sunday 2025-09-28 and Saturday 2025-10-11", "2025-09-26 10:00", "2025-10-13 10:00", 7},
		{"whole year 2025", "2024-12-31 10:00", "2025-12-31 10:00", 248},
		{"whole year 2026", "2025-12-31 10:00", "2026-12-31 10:00", 248},
		{"2027 without data", "2027-03-05 10:00", "2027-03-16 10:00", 7},
		{"2027 春节 without notice", "2027-02-04 10:00", "2027-02-17 10:00", 7},
		{"whole year 2027 without notice", "2026-12-31 10:00", "2027-12-31 10:00", 254},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := calAt(t, tt.from), calAt(t, tt.to)
			if got := c.WorkdaysBetween(from, to); got != tt.want {
				t.Errorf("WorkdaysBetween(%v, %v) = %d; want %d", from, to, got, tt.want)
			}
		})
	}
}

// WorkdaysBetween counts in closed form; check it against a day-by-day walk.
func TestWorkdaysBetweenWalk(t *testing.T) {
	c := newTestCalendar(t)
	walk := func(from, to time.Time) int {
		n := 0
		for d := from.AddDate(0, 0, 1); dayOf(d) <= dayOf(to); d = d.AddDate(0, 0, 1) {
			if c.IsWorkday(d) {
				n++
			}
		}
		return n
	}
	r := rand.New(rand.NewPCG(3, 4))
	start := calAt(t, "1969-12-20 10:00") // before the epoch, for the negative days
	for range 1000 {
		from := start.AddDate(0, 0, r.IntN(21000))
		to := from.AddDate(0, 0, r.IntN(800)-20)
		if got, want := c.WorkdaysBetween(from, to), walk(from, to); got != want {
			t.Errorf("WorkdaysBetween(%v, %v) = %d; want %d", from, to, got, want)
		}
	}
}

func TestPrevWorkday(t *testing.T) {
	c := newTestCalendar(t)
	tests := []struct {
		name string
		at   string
		want string
	}{
		{"plain Tuesday", "2025-03-11 10:00", "2025-03-10 17:30"},
		{"plain Monday", "2025-03-17 08:00", "2025-03-14 17:30"},
		{"plain Sunday", "2025-03-16 10:00", "2025-03-14 17:30"},
		{"Monday after working Saturday 2025-02-08", "2025-02-10 09:00", "2025-02-08 17:30"},
		{"Sunday after working Saturday 2025-02-08", "2025-02-09 10:00", "2025-02-08 17:30"},
		{"working Saturday 2025-02-08 itself", "2025-02-08 17:30", "2025-02-07 17:30"},
		{"first day after Spring Festival 2025", "2025-02-05 17:30", "2025-01-27 17:30"},
		{"Monday after working Sunday 2025-01-26", "2025-01-27 10:00", "2025-01-26 17:30"},
		{"working Sunday 2025-01-26 itself", "2025-01-26 10:00", "2025-01-24 17:30"},
		{"first day after National Day 2025", "2025-10-09 10:00", "2025-09-30 17:30"},
		{"Monday after working Saturday 2026-02-28", "2026-03-02 10:00", "2026-02-28 17:30"},
		{"Monday after working Saturday 2026-10-10", "2026-10-12 10:00", "2026-10-10 17:30"},
		{"first day after 元旦 2026", "2026-01-04 10:00", "2025-12-31 17:30"},
		{"2027 without notice: 元旦 is off", "2027-01-04 10:00", "2026-12-31 17:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := calAt(t, tt.at)
			got := c.PrevWorkday(at, calHours)
			if want := calAt(t, tt.want); !got.Equal(want) || got.Location() != calCST {
				t.Errorf("PrevWorkday(%v) = %v; want %v", at, got, want)
			}
		})
	}
}

func TestNewCalendarExtraYears(t *testing.T) {
	fake2027 := CalendarYear{
		Year:     2027,
		Notice:   "test notice",
		Holidays: []string{"01-01", "01-04"},
		Workdays: []string{"2027-01-09"},
	}
	c := newTestCalendar(t, fake2027)
	if got, want := c.Years(), []int{2025, 2026, 2027}; !slices.Equal(got, want) {
		t.Errorf("Years() = %v; want %v", got, want)
	}
	for _, tt := range []struct {
		day  string
		want bool
	}{
		{"2027-01-01", false}, // Friday, holiday
		{"2027-01-04", false}, // Monday, holiday
		{"2027-01-05", true},
		{"2027-01-09", true}, // Saturday, working
		{"2027-01-10", false},
		{"2026-02-16", false}, // the embedded years stay
	} {
		if got := c.IsWorkday(calDay(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v; want %v", tt.day, got, tt.want)
		}
	}
	// 12-29..12-31 1-3, 01-01 off, 01-04 off, 01-05..01-07 4-6, 01-08 7.
	from := calAt(t, "2026-12-28 10:00")
	got, missing := c.AddWorkdays(from, 7, calHours)
	if want := calAt(t, "2027-01-08 17:30"); !got.Equal(want) || missing != nil {
		t.Errorf("AddWorkdays(%v, 7) = %v, %v; want %v, []", from, got, missing, want)
	}

	// A config year replaces the embedded one entirely.
	c = newTestCalendar(t, CalendarYear{Year: 2026, Notice: "replacement", Holidays: []string{"03-02"}})
	for _, tt := range []struct {
		day  string
		want bool
	}{
		{"2026-03-02", false}, // the replacement's holiday
		{"2026-10-01", true},  // the embedded holiday is gone
		{"2026-02-14", false}, // and so is the embedded working Saturday
		{"2025-10-01", false}, // 2025 untouched
	} {
		if got := c.IsWorkday(calDay(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v; want %v", tt.day, got, tt.want)
		}
	}
}

func TestNewCalendarErrors(t *testing.T) {
	tests := []struct {
		name  string
		extra []CalendarYear
		want  []string // substrings of the error
	}{
		{"bad date", []CalendarYear{{Year: 2027, Holidays: []string{"02-30"}}}, []string{"2027", `"02-30"`}},
		{"no Feb 29 in 2027", []CalendarYear{{Year: 2027, Holidays: []string{"02-29"}}}, []string{"2027", `"02-29"`}},
		{"garbage", []CalendarYear{{Year: 2027, Holidays: []string{"Jan 1"}}}, []string{"2027", `"Jan 1"`}},
		{"empty entry", []CalendarYear{{Year: 2027, Holidays: []string{""}}}, []string{"2027", `""`}},
		{"month 13", []CalendarYear{{Year: 2027, Workdays: []string{"13-01"}}}, []string{"2027", `"13-01"`}},
		{"range end before start", []CalendarYear{{Year: 2027, Holidays: []string{"02-10..02-04"}}}, []string{"2027", `"02-10..02-04"`, "before"}},
		{"range across the year end", []CalendarYear{{Year: 2027, Holidays: []string{"12-31..01-02"}}}, []string{"2027", `"12-31..01-02"`}},
		{"half a range", []CalendarYear{{Year: 2027, Holidays: []string{"02-10.."}}}, []string{"2027", `"02-10.."`}},
		{"date outside its year", []CalendarYear{{Year: 2027, Workdays: []string{"2026-12-26"}}}, []string{"2027", `"2026-12-26"`, "outside"}},
		{"range end outside its year", []CalendarYear{{Year: 2027, Holidays: []string{"12-30..2028-01-02"}}}, []string{"2027", "2028-01-02", "outside"}},
		{"workday not a weekend day", []CalendarYear{{Year: 2027, Workdays: []string{"01-04"}}}, []string{"2027", `"01-04"`, "Monday"}},
		{"workday range with a weekday", []CalendarYear{{Year: 2027, Workdays: []string{"01-09..01-11"}}}, []string{"2027", `"01-09..01-11"`, "2027-01-11"}},
		{"date in both lists", []CalendarYear{{Year: 2027, Holidays: []string{"01-01..01-03"}, Workdays: []string{"01-02"}}}, []string{"2027", `"01-02"`, "holiday"}},
		{"holiday twice", []CalendarYear{{Year: 2027, Holidays: []string{"01-01..01-03", "01-03"}}}, []string{"2027", `"01-03"`, "twice"}},
		{"year twice", []CalendarYear{{Year: 2027}, {Year: 2027}}, []string{"2027", "twice"}},
		{"year zero", []CalendarYear{{Holidays: []string{"01-01"}}}, []string{"year 0"}},
		{"second year bad", []CalendarYear{{Year: 2027, Holidays: []string{"01-01"}}, {Year: 2028, Holidays: []string{"01-32"}}}, []string{"2028", `"01-32"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCalendar(tt.extra)
			if err == nil {
				t.Fatalf("NewCalendar(%v) = %v, nil; want an error", tt.extra, c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("NewCalendar(%v) error = %q; want it to contain %q", tt.extra, err, w)
				}
			}
		})
	}
}

// The entry forms an operator may write.
func TestNewCalendarEntryForms(t *testing.T) {
	c := newTestCalendar(t, CalendarYear{
		Year:     2028, // a leap year
		Holidays: []string{"02-29", " 2028-03-01 .. 03-02 ", "2028-12-31"},
		Workdays: []string{"2028-01-08..2028-01-09"},
	})
	for _, tt := range []struct {
		day  string
		want bool
	}{
		{"2028-02-28", true},
		{"2028-02-29", false},
		{"2028-03-01", false},
		{"2028-03-02", false},
		{"2028-03-03", true},
		{"2028-01-08", true},
		{"2028-01-09", true},
	} {
		if got := c.IsWorkday(calDay(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v; want %v", tt.day, got, tt.want)
		}
	}
}

// The embedded file is exactly the lists above.
func TestCalendarEmbeddedData(t *testing.T) {
	years, err := decodeCalendarYears(embeddedCalendar)
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range years {
		if y.Notice == "" {
			t.Errorf("year %d has no notice", y.Year)
		}
	}
	c := newTestCalendar(t)
	var holidays, workdays []string
	for d, work := range c.special {
		if work {
			workdays = append(workdays, d.String())
		} else {
			holidays = append(holidays, d.String())
		}
	}
	slices.Sort(holidays)
	slices.Sort(workdays)
	if !slices.Equal(holidays, calHolidays) {
		t.Errorf("embedded holidays = %v; want %v", holidays, calHolidays)
	}
	if !slices.Equal(workdays, calWorkWeekends) {
		t.Errorf("embedded workdays = %v; want %v", workdays, calWorkWeekends)
	}
}

func TestNilCalendar(t *testing.T) {
	var c *Calendar
	from := calAt(t, "2025-01-24 10:00")
	// No notice known: 01-27 1, 除夕 01-28 .. 初三 01-31 off, 02-03..02-07 2-6, 02-10 7.
	got, missing := c.AddWorkdays(from, 7, calHours)
	if want := calAt(t, "2025-02-10 17:30"); !got.Equal(want) || !slices.Equal(missing, []int{2025}) {
		t.Errorf("AddWorkdays(%v, 7) = %v, %v; want %v, [2025]", from, got, missing, want)
	}
	if c.HasYear(2025) || c.Years() != nil || c.WorkdaysBetween(from, got) != 7 {
		t.Errorf("a nil Calendar should know no notice and count weekends and statutory days only")
	}
}

func TestParseOfficeHours(t *testing.T) {
	tests := []struct {
		in      string
		want    OfficeHours
		wantErr bool
	}{
		{"09:00-17:30", OfficeHours{540, 1050}, false},
		{"08:30-12:00", OfficeHours{510, 720}, false},
		{"8:30-17:00", OfficeHours{510, 1020}, false},
		{" 09:00 - 17:30 ", OfficeHours{540, 1050}, false},
		{"00:00-24:00", OfficeHours{0, 1440}, false},
		{"00:00-23:59", OfficeHours{0, 1439}, false},
		{"", OfficeHours{}, true},
		{"09:00", OfficeHours{}, true},
		{"09:00-", OfficeHours{}, true},
		{"-17:30", OfficeHours{}, true},
		{"17:30-09:00", OfficeHours{}, true},
		{"09:00-09:00", OfficeHours{}, true},
		{"24:00-24:00", OfficeHours{}, true},
		{"09:00-24:01", OfficeHours{}, true},
		{"25:00-26:00", OfficeHours{}, true},
		{"09:60-17:00", OfficeHours{}, true},
		{"09:0-17:30", OfficeHours{}, true},
		{"009:00-17:30", OfficeHours{}, true},
		{"9-17", OfficeHours{}, true},
		{"0900-1730", OfficeHours{}, true},
		{"09:00-17:30-18:00", OfficeHours{}, true},
		{"+9:00-17:30", OfficeHours{}, true},
		{"09:00~17:30", OfficeHours{}, true},
		{"０９:００-17:30", OfficeHours{}, true},
		{"09:00–17:30", OfficeHours{}, true}, // en dash
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseOfficeHours(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseOfficeHours(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParseOfficeHours(f *testing.F) {
	for _, s := range []string{"09:00-17:30", "8:30-12:00", "00:00-24:00", "", "-", ":-:", "24:00-24:00", "99:99-99:99", "1:2-3:4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseOfficeHours(s)
		if err != nil {
			if h != (OfficeHours{}) {
				t.Errorf("ParseOfficeHours(%q) = %v, %v; want the zero value with an error", s, h, err)
			}
			return
		}
		if h.StartMinute < 0 || h.EndMinute > 24*60 || h.EndMinute <= h.StartMinute {
			t.Errorf("ParseOfficeHours(%q) = %v; out of range", s, h)
		}
	})
}
