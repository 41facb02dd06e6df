package bot

import (
	"fmt"
	"time"

	"minsheng/models"
)

// Every deadline of a case runs from when the citizen wrote (ReceivedAt),
// never from 交办: the date promised in the acknowledgement and the date
// the unit is held to are the same date (DOMAIN.md). A late triage shows as
// less time left on the assignment, not as a later deadline. Two clocks
// start later on purpose: an extension extends the deadline as it stands,
// and a 重办 (the citizen's 不满意) gets its own new deadline counted from
// the reopening (rating.reopen_workdays), because it is a second handling
// the citizen asked for at that moment.

// ProvisionalNote follows a date computed in a year whose holiday notice is
// not in the calendar yet: the statutory holidays are counted, the moved
// weekends (调休) are not.
const ProvisionalNote = "（暂定：该年度放假安排尚未公布）"

// dueDate is a deadline and whether it is provisional.
type dueDate struct {
	At time.Time
	// Provisional is set when the computation crossed a year without a
	// holiday notice (Calendar.AddWorkdays' missing).
	Provisional bool
}

// Label is the deadline with its date and time, and the provisional note.
func (d dueDate) Label() string {
	if d.Provisional {
		return dateTime(d.At) + ProvisionalNote
	}
	return dateTime(d.At)
}

// DateLabel is the deadline's date with the provisional note.
func (d dueDate) DateLabel() string {
	if d.Provisional {
		return date(d.At) + ProvisionalNote
	}
	return date(d.At)
}

// workdaysOf is the working days of a case of kind; 0 for 即办, which
// runs in calendar hours.
func (b *Bot) workdaysOf(kind string) int {
	switch kind {
	case "即办":
		return 0
	case "复杂":
		return b.Settings.ComplexWorkdays
	}
	return b.Settings.GeneralWorkdays
}

// dueFrom is the handling deadline of a case of kind whose clock starts at
// from: 即办 from + deadlines.simple in calendar hours, the others the
// configured working days.
func (b *Bot) dueFrom(from time.Time, kind string) dueDate {
	local := from.In(b.Location())
	if kind == "即办" {
		return dueDate{At: local.Add(b.Settings.Simple)}
	}
	return b.workdaysFrom(local, b.workdaysOf(kind))
}

// caseDue is the handling deadline of case k as kind, from its receipt.
func (b *Bot) caseDue(k *models.Case, kind string) dueDate {
	return b.dueFrom(k.ReceivedAt, kind)
}

// workdaysFrom is days working days after from, provisional when the
// calendar has no notice for a year it passed through (and then logged).
func (b *Bot) workdaysFrom(from time.Time, days int) dueDate {
	at, missing := b.Calendar.AddWorkdays(from.In(b.Location()), days, b.Settings.OfficeHours)
	if len(missing) > 0 {
		b.log().Warn("deadline computed without the year's holiday notice: statutory holidays counted, 调休 not; add the State Council notice to calendar.years in config.yaml",
			"years", fmt.Sprint(missing))
	}
	return dueDate{At: at, Provisional: len(missing) > 0}
}

// dueIn computes a working-day deadline; see workdaysFrom.
func (b *Bot) dueIn(from time.Time, days int) time.Time {
	return b.workdaysFrom(from, days).At
}

// provisional reports whether deadline at lies in a year without a holiday
// notice, for a deadline computed earlier.
func (b *Bot) provisional(at time.Time) bool {
	return !b.Calendar.HasYear(at.In(b.Location()).Year())
}

// dueText is case k's deadline as cards show it, with the provisional note.
func (b *Bot) dueText(k *models.Case) string {
	if k.DueAt == nil {
		return "未定"
	}
	return dueDate{At: k.DueAt.In(b.Location()), Provisional: b.provisional(*k.DueAt)}.Label()
}

// timeLeft says how long is left from now to deadline at: whole working
// days after today ("剩余 2 个工作日"), hours on the last day ("剩余 3 小时"),
// or how long it is past ("已超期 5 小时").
func (b *Bot) timeLeft(now, at time.Time) string {
	loc := b.Location()
	now, at = now.In(loc), at.In(loc)
	if !at.After(now) {
		return "已超期 " + span(now.Sub(at))
	}
	if n := b.Calendar.WorkdaysBetween(now, at); n > 0 {
		return fmt.Sprintf("剩余 %d 个工作日", n)
	}
	return "剩余 " + span(at.Sub(now))
}

// span writes a duration as days, hours and minutes, coarsely.
func span(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d 天 %d 小时", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%d 小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d 分钟", max(1, int(d/time.Minute)))
}
