package models

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// Statutory holidays (法定节假日) are the days 《全国年节及纪念日放假办法》
// gives every citizen off. They are known years ahead, from the Gregorian and
// the lunar calendar and the 清明 solar term, while the State Council's yearly
// notice only moves weekends around them (调休) and arrives in the November
// before. In a year without a notice the calendar counts these days as
// holidays; only the moved weekends are unknown, so a deadline computed there
// is provisional.

// statutoryRevision2024 is the first year the 2024 revision of the rules is in
// force: 春节 from 除夕 (4 days) and 劳动节 2 days. Before it 春节 was 初一 to
// 初三 and 劳动节 one day.
const statutoryRevision2024 = 2025

// statutoryYears bounds the years the lunar tables are trusted for; outside
// them the calendar knows no statutory days and counts weekends only.
const statutoryFirstYear, statutoryLastYear = 1950, 2100

// StatutoryHoliday is one day off fixed by the rules.
type StatutoryHoliday struct {
	Date time.Time // midnight UTC of the day
	Name string    // 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节
}

// StatutoryHolidays returns the statutory days off of year y in date order,
// as the rules in force in y fix them: since 2025 元旦 1 day, 春节 4 (除夕 to
// 正月初三), 清明节 1 (the 清明 solar term), 劳动节 2 (05-01, 05-02), 端午节 1
// (五月初五), 中秋节 1 (八月十五), 国庆节 3 (10-01 to 10-03). It returns an
// error for a year outside 1950 to 2100.
func StatutoryHolidays(y int) ([]StatutoryHoliday, error) {
	days, err := statutoryDays(y)
	if err != nil {
		return nil, err
	}
	out := make([]StatutoryHoliday, 0, len(days))
	for _, d := range days {
		yy, m, dd := d.d.date()
		out = append(out, StatutoryHoliday{Date: time.Date(yy, m, dd, 0, 0, 0, 0, time.UTC), Name: d.name})
	}
	return out, nil
}

type namedDay struct {
	d    day
	name string
}

// statutoryDays computes year y's statutory days off.
func statutoryDays(y int) (days []namedDay, err error) {
	if y < statutoryFirstYear || y > statutoryLastYear {
		return nil, fmt.Errorf("statutory holidays of %d: the lunar tables cover %d to %d", y, statutoryFirstYear, statutoryLastYear)
	}
	// The lunar library panics on dates it cannot convert; the dates asked
	// for here always exist, but a panic must not take a deadline down.
	defer func() {
		if r := recover(); r != nil {
			days, err = nil, fmt.Errorf("statutory holidays of %d: lunar calendar: %v", y, r)
		}
	}()
	on := func(name string, m time.Month, d int) {
		days = append(days, namedDay{dayOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)), name})
	}
	lunar := func(name string, m, d, extra int) {
		s := calendar.NewLunarFromYmd(y, m, d).GetSolar()
		first := dayOf(time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, time.UTC))
		for i := 0; i <= extra; i++ {
			days = append(days, namedDay{first + day(i), name})
		}
	}

	on("元旦", time.January, 1)
	if y >= statutoryRevision2024 {
		// 除夕 is the day before 正月初一, whether the twelfth month has 29
		// or 30 days.
		s := calendar.NewLunarFromYmd(y, 1, 1).GetSolar()
		newYear := dayOf(time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, time.UTC))
		for i := -1; i <= 2; i++ {
			days = append(days, namedDay{newYear + day(i), "春节"})
		}
	} else {
		lunar("春节", 1, 1, 2)
	}
	qm := calendar.NewSolarFromYmd(y, 4, 1).GetLunar().GetJieQiTable()["清明"]
	if qm == nil || qm.GetYear() != y {
		return nil, fmt.Errorf("statutory holidays of %d: no 清明 solar term found", y)
	}
	on("清明节", time.Month(qm.GetMonth()), qm.GetDay())
	on("劳动节", time.May, 1)
	if y >= statutoryRevision2024 {
		on("劳动节", time.May, 2)
	}
	lunar("端午节", 5, 5, 0)
	on("国庆节", time.October, 1)
	on("国庆节", time.October, 2)
	on("国庆节", time.October, 3)
	lunar("中秋节", 8, 15, 0)
	slices.SortStableFunc(days, func(a, b namedDay) int { return int(a.d - b.d) })
	// 中秋 and 国庆 may share a day (2028-10-03 is both): one day off, named
	// 国庆节 (the stable sort keeps the first appended).
	days = slices.CompactFunc(days, func(a, b namedDay) bool { return a.d == b.d })
	return days, nil
}

// statutoryCache holds the statutory days off of the years asked for, shared
// by every Calendar: they depend on the year alone.
var statutoryCache struct {
	sync.Mutex
	years map[int]map[day]bool
}

// statutoryHoliday reports whether d is a statutory day off of its year. A
// year the lunar tables do not cover has none.
func statutoryHoliday(d day) bool {
	return statutoryYear(d.year())[d]
}

// statutoryYear returns year y's statutory days off as a set.
func statutoryYear(y int) map[day]bool {
	statutoryCache.Lock()
	defer statutoryCache.Unlock()
	if set, ok := statutoryCache.years[y]; ok {
		return set
	}
	if statutoryCache.years == nil {
		statutoryCache.years = make(map[int]map[day]bool)
	}
	set := map[day]bool{}
	if days, err := statutoryDays(y); err == nil {
		for _, d := range days {
			set[d.d] = true
		}
	}
	statutoryCache.years[y] = set
	return set
}
