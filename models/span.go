package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Span is a length of time a rule allows: either calendar time (Duration)
// or working days (Workdays), never both. Working days fall due at the end
// of office hours, like deadlines (Calendar.AddWorkdays).
type Span struct {
	Workdays int
	Duration time.Duration
}

// ParseSpan reads "1wd" / "2 workdays" / "1个工作日" (working days) or a Go
// duration such as "4h" or "90m" (calendar time). Zero and negative spans are
// errors.
func ParseSpan(s string) (Span, error) {
	t := strings.TrimSpace(s)
	for _, suffix := range []string{"个工作日", "工作日", "workdays", "workday", "wd"} {
		if n, ok := strings.CutSuffix(t, suffix); ok {
			d, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil || d < 1 || d > maxWorkdays {
				return Span{}, fmt.Errorf("span %q: want a whole number of working days, e.g. 1wd", s)
			}
			return Span{Workdays: d}, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return Span{}, fmt.Errorf("span %q: want working days like 1wd or a duration like 4h", s)
	}
	if d <= 0 {
		return Span{}, fmt.Errorf("span %q: must be positive", s)
	}
	return Span{Duration: d}, nil
}

// String writes the span back as ParseSpan reads it.
func (s Span) String() string {
	if s.Workdays > 0 {
		return fmt.Sprintf("%dwd", s.Workdays)
	}
	return s.Duration.String()
}

// Label is the span in Chinese, e.g. 1个工作日 or 4小时.
func (s Span) Label() string {
	if s.Workdays > 0 {
		return fmt.Sprintf("%d个工作日", s.Workdays)
	}
	if h := s.Duration.Hours(); h == float64(int(h)) {
		return fmt.Sprintf("%d小时", int(h))
	}
	return fmt.Sprintf("%d分钟", int(s.Duration.Minutes()))
}

// AddSpan returns when span s started at from runs out: from plus the
// duration, or the end of office hours of the s.Workdays-th working day after
// the date of from (AddWorkdays). Dates are taken in from's location.
func (c *Calendar) AddSpan(from time.Time, s Span, hours OfficeHours) time.Time {
	if s.Workdays > 0 {
		t, _ := c.AddWorkdays(from, s.Workdays, hours)
		return t
	}
	return from.Add(s.Duration)
}

// SpanFloor returns a time f such that every t <= f has
// AddSpan(t, s, hours) <= until: the lower edge of a scan for spans that ran
// out after until. It is a bound, not exact; callers filter with AddSpan.
func (c *Calendar) SpanFloor(until time.Time, s Span, hours OfficeHours) time.Time {
	if s.Workdays > 0 {
		return c.WorkdaysFloor(until, s.Workdays, hours)
	}
	return until.Add(-s.Duration)
}

// WorkdaysFloor returns a time f such that every t <= f has
// AddWorkdays(t, n, hours) <= until (for n >= 0): the end of the (n+1)-th
// working day before the date of until, in until's location.
func (c *Calendar) WorkdaysFloor(until time.Time, n int, hours OfficeHours) time.Time {
	return hours.end(c.workdaysBefore(dayOf(until), n+1), until.Location())
}

// StartOfWorkdayBefore returns the start of office hours on the n-th working
// day before the date of t (n >= 1), in t's location: "one working day before
// the deadline" is the morning of the working day before it.
func (c *Calendar) StartOfWorkdayBefore(t time.Time, n int, hours OfficeHours) time.Time {
	y, m, dd := c.workdaysBefore(dayOf(t), n).date()
	return time.Date(y, m, dd, 0, hours.StartMinute, 0, 0, t.Location())
}

// RemindFloor returns the latest time f such that every deadline at or
// before f had its reminder n working days ahead (StartOfWorkdayBefore) at
// or before until, in until's location (n >= 1): a reminder scan that knows
// every reminder due by until was taken starts after f. A deadline's
// reminder depends on its date only, and comes later for a later date; f is
// the end of the last date whose reminder came by until: the n-th working
// day after the last working day whose office hours had begun by until.
func (c *Calendar) RemindFloor(until time.Time, n int, hours OfficeHours) time.Time {
	loc := until.Location()
	last := dayOf(until)
	y, m, d := last.date()
	if !c.workday(last) || until.Before(time.Date(y, m, d, 0, hours.StartMinute, 0, 0, loc)) {
		last = c.workdaysBefore(last, 1)
	}
	y, m, d = c.workdaysAfter(last, n).date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}

// workdaysAfter returns the n-th working day after d.
func (c *Calendar) workdaysAfter(d day, n int) day {
	n = min(n, maxWorkdays)
	for count, steps := 0, 0; count < n && steps < maxScanDays; steps++ {
		d++
		if c.workday(d) {
			count++
		}
	}
	return d
}

// workdaysBefore returns the n-th working day before d.
func (c *Calendar) workdaysBefore(d day, n int) day {
	n = min(n, maxWorkdays)
	for count, steps := 0, 0; count < n && steps < maxScanDays; steps++ {
		d--
		if c.workday(d) {
			count++
		}
	}
	return d
}
