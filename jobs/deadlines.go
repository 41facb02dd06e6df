package jobs

import (
	"context"
	"fmt"
	"time"

	"minsheng/bot"
)

// Names of the deadline jobs.
const (
	// JobRemind runs the reminder and 督办 ladder and chases unaccepted assignments.
	JobRemind = "remind"
	// JobCalendar warns the dispatcher when a year's holiday notice is missing.
	JobCalendar = "calendar"
)

// Deadlines is the remind job: every run takes the open cases whose ladder
// step has come one step up (remind the unit, 督办 to its head, to the
// leaders, list in the joint-meeting group) and chases, then returns,
// assignments not accepted in time (bot.ChaseDeadlines).
type Deadlines struct {
	Bot    *bot.Bot
	Ladder bot.Ladder
}

// Run is one run of the remind job at now. It looks back to the start of the
// last successful run of the job, so that its cost follows the cases due
// since then.
func (d *Deadlines) Run(ctx context.Context, now time.Time) error {
	since, err := LastSuccess(ctx, d.Bot.Store, JobRemind)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	rep, err := d.Bot.ChaseDeadlines(ctx, now, since, d.Ladder)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	args := []any{"returned", rep.Returned, "messages", rep.Messages}
	for level, n := range rep.Chased {
		args = append(args, "chased_"+level, n)
	}
	d.Bot.Log().InfoContext(ctx, "deadlines chased", args...)
	return nil
}

// CalendarWarning is the calendar job: once a day, the dispatcher is told
// when the holiday notice of this year, or from Month/Day on of next year, is
// missing from the calendar (bot.WarnCalendar).
type CalendarWarning struct {
	Bot   *bot.Bot
	Month time.Month
	Day   int
}

// Run is one run of the calendar job at now.
func (c *CalendarWarning) Run(ctx context.Context, now time.Time) error {
	if _, err := c.Bot.WarnCalendar(ctx, now, c.Month, c.Day); err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	return nil
}
