package models

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// embeddedCalendar is the State Council's notices this build knows about;
// see the comment at the top of the file for its format.
//
//go:embed calendardata/cn.yaml
var embeddedCalendar []byte

// maxWorkdays caps n in AddWorkdays: about fourteen years of working days,
// far beyond any deadline, and it keeps absurd input from looping for long.
const maxWorkdays = 3660

// maxScanDays bounds every day-by-day walk, whatever the data says.
const maxScanDays = 366 * 30

// CalendarYear is one year of the State Council's holiday notice.
type CalendarYear struct {
	Year     int      `yaml:"year" json:"year"`
	Notice   string   `yaml:"notice" json:"notice"`     // e.g. 国办发明电〔2024〕12号
	Holidays []string `yaml:"holidays" json:"holidays"` // "01-01" or a range "01-28..02-04"
	Workdays []string `yaml:"workdays" json:"workdays"` // weekend days that are working days
}

// Calendar answers which days are working days in China. The weekend rule
// (Monday to Friday work) holds except on the days the yearly notices move:
// holidays on weekdays and working Saturdays and Sundays (调休). A Calendar is
// read-only once made and safe for concurrent use. In a year without a notice,
// and in every year for a nil *Calendar, the statutory holidays are the only
// weekdays off (statutory.go).
type Calendar struct {
	years map[int]CalendarYear
	// special holds the days the notices move: true for a working weekend
	// day, false for a holiday.
	special map[day]bool
}

// NewCalendar returns the embedded 2025/2026 data merged with extra years
// from config (an extra year replaces an embedded year of the same number).
// Errors name the year and the bad entry (bad date, range end before start, a
// date outside its year, a workday that is not a Saturday/Sunday, a date in
// both lists).
func NewCalendar(extra []CalendarYear) (*Calendar, error) {
	base, err := decodeCalendarYears(embeddedCalendar)
	if err != nil {
		return nil, fmt.Errorf("embedded calendar data: %w", err)
	}
	years := make(map[int]CalendarYear, len(base)+len(extra))
	for _, y := range base {
		if _, dup := years[y.Year]; dup {
			return nil, fmt.Errorf("embedded calendar data: year %d listed twice", y.Year)
		}
		years[y.Year] = y
	}
	fromConfig := make(map[int]bool, len(extra))
	for _, y := range extra {
		if fromConfig[y.Year] {
			return nil, fmt.Errorf("calendar year %d listed twice", y.Year)
		}
		fromConfig[y.Year] = true
		years[y.Year] = y
	}

	c := &Calendar{years: years, special: make(map[day]bool)}
	for _, n := range slices.Sorted(maps.Keys(years)) {
		y := years[n]
		special, err := y.days()
		if err != nil {
			if !fromConfig[y.Year] {
				err = fmt.Errorf("embedded calendar data: %w", err)
			}
			return nil, err
		}
		for d, work := range special {
			c.special[d] = work
		}
	}
	return c, nil
}

// decodeCalendarYears reads a YAML document of the form `years: [...]`.
func decodeCalendarYears(b []byte) ([]CalendarYear, error) {
	var doc struct {
		Years []CalendarYear `yaml:"years"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc.Years, nil
}

// days checks one year's notice and returns the days it moves: true for a
// working weekend day, false for a holiday.
func (y CalendarYear) days() (map[day]bool, error) {
	if y.Year < 1900 || y.Year > 2999 {
		return nil, fmt.Errorf("calendar year %d: year out of range", y.Year)
	}
	special := make(map[day]bool)
	for _, e := range y.Holidays {
		from, to, err := parseCalendarEntry(y.Year, e)
		if err != nil {
			return nil, fmt.Errorf("calendar year %d: holiday %q: %w", y.Year, e, err)
		}
		for d := from; d <= to; d++ {
			if _, dup := special[d]; dup {
				return nil, fmt.Errorf("calendar year %d: holiday %q: %s listed twice", y.Year, e, d)
			}
			special[d] = false
		}
	}
	for _, e := range y.Workdays {
		from, to, err := parseCalendarEntry(y.Year, e)
		if err != nil {
			return nil, fmt.Errorf("calendar year %d: workday %q: %w", y.Year, e, err)
		}
		for d := from; d <= to; d++ {
			if !d.weekend() {
				return nil, fmt.Errorf("calendar year %d: workday %q: %s is a %s, not a Saturday or Sunday", y.Year, e, d, d.weekday())
			}
			if work, dup := special[d]; dup {
				if !work {
					return nil, fmt.Errorf("calendar year %d: workday %q: %s is also a holiday", y.Year, e, d)
				}
				return nil, fmt.Errorf("calendar year %d: workday %q: %s listed twice", y.Year, e, d)
			}
			special[d] = true
		}
	}
	return special, nil
}

// parseCalendarEntry parses "MM-DD" or an inclusive range "MM-DD..MM-DD" of
// year y. Either end may be written in full as "YYYY-MM-DD"; it must then lie
// in year y.
func parseCalendarEntry(y int, s string) (from, to day, err error) {
	a, b, isRange := strings.Cut(s, "..")
	if from, err = parseCalendarDate(y, a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return from, from, nil
	}
	if to, err = parseCalendarDate(y, b); err != nil {
		return 0, 0, err
	}
	if to < from {
		return 0, 0, fmt.Errorf("range ends (%s) before it starts (%s)", to, from)
	}
	return from, to, nil
}

// parseCalendarDate parses "MM-DD" or "YYYY-MM-DD" in year y.
func parseCalendarDate(y int, s string) (day, error) {
	s = strings.TrimSpace(s)
	layout := "01-02"
	if len(s) > len(layout) {
		layout = "2006-01-02"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, fmt.Errorf("bad date %q, want MM-DD or YYYY-MM-DD", s)
	}
	if layout == "01-02" {
		// time.Parse read the date in year 0, a leap year; 02-29 must
		// still exist in year y.
		d := time.Date(y, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if d.Month() != t.Month() {
			return 0, fmt.Errorf("bad date %q: no such day in %d", s, y)
		}
		t = d
	} else if t.Year() != y {
		return 0, fmt.Errorf("date %s is outside the year %d", s, y)
	}
	return dayOf(t), nil
}

// HasYear reports whether the State Council's notice for year y is known.
// Without it, deadlines in y count the statutory holidays but not the moved
// weekends (调休): they are provisional.
func (c *Calendar) HasYear(y int) bool {
	if c == nil {
		return false
	}
	_, ok := c.years[y]
	return ok
}

// Years lists the years with data, ascending.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(c.years))
}

// IsWorkday reports whether the date of t (in t's location) is a working day.
// In a year without a notice, Monday to Friday are working days except the
// statutory holidays (statutory.go).
func (c *Calendar) IsWorkday(t time.Time) bool {
	return c.workday(dayOf(t))
}

func (c *Calendar) workday(d day) bool {
	if c != nil {
		if work, ok := c.special[d]; ok {
			return work
		}
	}
	if d.weekend() {
		return false
	}
	return c.HasYear(d.year()) || !statutoryHoliday(d)
}

// OfficeHours are the hours of a working day, e.g. 09:00-17:30; deadlines
// fall due at End of the last working day. Both are minutes after midnight.
// An EndMinute of zero or less (the zero OfficeHours) means the end of the
// day, 24:00, so that a forgotten setting never moves a deadline to the
// midnight that starts its day.
type OfficeHours struct{ StartMinute, EndMinute int } // minutes after midnight

// ParseOfficeHours parses "09:00-17:30": two times of day, HH:MM with a one-
// or two-digit hour, the end after the start. The end may be 24:00.
func ParseOfficeHours(s string) (OfficeHours, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return OfficeHours{}, fmt.Errorf("office hours %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(a)
	if err != nil {
		return OfficeHours{}, fmt.Errorf("office hours %q: start: %w", s, err)
	}
	end, err := parseClock(b)
	if err != nil {
		return OfficeHours{}, fmt.Errorf("office hours %q: end: %w", s, err)
	}
	if start == 24*60 {
		return OfficeHours{}, fmt.Errorf("office hours %q: start cannot be 24:00", s)
	}
	if end <= start {
		return OfficeHours{}, fmt.Errorf("office hours %q: end is not after start", s)
	}
	return OfficeHours{StartMinute: start, EndMinute: end}, nil
}

var errClock = errors.New("want a time of day HH:MM, 00:00 to 24:00")

// parseClock parses "H:MM" or "HH:MM" into minutes after midnight; "24:00"
// is allowed.
func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, errClock
	}
	h, m := 0, 0
	for _, r := range hs {
		if r < '0' || r > '9' {
			return 0, errClock
		}
		h = h*10 + int(r-'0')
	}
	for _, r := range ms {
		if r < '0' || r > '9' {
			return 0, errClock
		}
		m = m*10 + int(r-'0')
	}
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, errClock
	}
	return h*60 + m, nil
}

// end returns hours.End on day d in loc.
func (hours OfficeHours) end(d day, loc *time.Location) time.Time {
	end := hours.EndMinute
	if end <= 0 {
		end = 24 * 60
	}
	y, m, dd := d.date()
	return time.Date(y, m, dd, 0, end, 0, 0, loc)
}

// AddWorkdays returns the deadline n working days after from. It falls due
// at hours.End on the n-th working day strictly after the date of from, so
// the day a case arrives never counts, whatever the hour: "7 working days"
// from Monday 10:00 in a plain week is the next Wednesday at End. If from is
// on a non-working day, the first working day after it is day 1. For n <= 0
// the deadline is End of the date of from if that is a working day, else End
// of the next working day. n is capped at 3660.
//
// missing lists, ascending, the years without notice data whose days the
// computation looked at; in them it counted Monday to Friday as working days
// except the statutory holidays, so the moved weekends (调休) are not in the
// result: the deadline is provisional. The caller should warn and tell the
// dispatcher when it is not empty. All
// dates are taken in from's location; pass Asia/Shanghai times.
func (c *Calendar) AddWorkdays(from time.Time, n int, hours OfficeHours) (due time.Time, missing []int) {
	loc := from.Location()
	d := dayOf(from)
	note := func(d day) {
		if y := d.year(); !c.HasYear(y) && !slices.Contains(missing, y) {
			missing = append(missing, y)
		}
	}
	if n <= 0 {
		note(d)
		if c.workday(d) {
			return hours.end(d, loc), missing
		}
		n = 1
	}
	n = min(n, maxWorkdays)
	for count, steps := 0, 0; count < n && steps < maxScanDays; steps++ {
		d++
		note(d)
		if c.workday(d) {
			count++
		}
	}
	slices.Sort(missing)
	return hours.end(d, loc), missing
}

// WorkdaysBetween counts working days d with from < d <= to (by date), used
// for "one working day before the deadline" and overdue ladders. It is 0
// when to is not on a later date than from. Both dates are taken in from's
// location.
func (c *Calendar) WorkdaysBetween(from, to time.Time) int {
	a, b := dayOf(from), dayOf(to.In(from.Location()))
	if b <= a {
		return 0
	}
	n := int(weekdaysBefore(b+1) - weekdaysBefore(a+1))
	for y := a.year(); y <= b.year(); y++ {
		if c.HasYear(y) {
			continue
		}
		for d := range statutoryYear(y) {
			if d > a && d <= b && !d.weekend() {
				n--
			}
		}
	}
	if c == nil {
		return n
	}
	for d, work := range c.special {
		if d <= a || d > b {
			continue
		}
		if work && d.weekend() {
			n++
		} else if !work && !d.weekend() {
			n--
		}
	}
	return n
}

// PrevWorkday returns the end (hours.End) of the working day before the date
// of t, in t's location.
func (c *Calendar) PrevWorkday(t time.Time, hours OfficeHours) time.Time {
	d := dayOf(t)
	for steps := 0; steps < maxScanDays; steps++ {
		d--
		if c.workday(d) {
			break
		}
	}
	return hours.end(d, t.Location())
}

// day is a calendar date counted in days from 1970-01-01, a Thursday.
type day int64

// dayOf returns the date of t in t's location.
func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

func (d day) year() int {
	y, _, _ := d.date()
	return y
}

func (d day) weekday() time.Weekday {
	return time.Weekday(((int64(d)+4)%7 + 7) % 7)
}

func (d day) weekend() bool {
	wd := d.weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// String formats d as YYYY-MM-DD.
func (d day) String() string {
	return time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
}

// weekdaysBefore counts the Mondays to Fridays before day d, from the Monday
// 1970-01-05 (negative before it); differences give counts over a span.
func weekdaysBefore(d day) int64 {
	k := int64(d) - 4 // days since Monday 1970-01-05
	weeks, rest := k/7, k%7
	if rest < 0 {
		weeks, rest = weeks-1, rest+7
	}
	return weeks*5 + min(rest, 5)
}
