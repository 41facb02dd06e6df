package jobs

import (
	"context"
	"sort"
	"time"

	"minsheng/bot"
)

// JobSeriousChase chases the serious cases no leader has acknowledged.
const JobSeriousChase = "serious_chase"

// JobFeedbackDigest sends the written feedback (feedback.recipients).
const JobFeedbackDigest = "feedback_digest"

// JobInformantRemind reminds the information officers who have not
// reported this week.
const JobInformantRemind = "informant_remind"

// Named is one row of the job table: what operators call the job, when it
// runs unless config.yaml says otherwise, and its body, one call.
type Named struct {
	// Name is the key under jobs: in config.yaml and what `minsheng
	// run-job <name>` takes.
	Name string
	// Schedule is the default cron spec (minute hour day month weekday) in
	// the configured time zone; jobs.<name>.schedule overrides it.
	Schedule string
	// Run is the body: one call on what w holds, with the time to take as
	// now. Cron only decides when.
	Run func(ctx context.Context, w *Work, now time.Time) error
}

// Work is what the job bodies call, built once from config by the wiring
// (package app).
type Work struct {
	Bot       *bot.Bot
	Deadlines *Deadlines
	Calendar  *CalendarWarning
	Weekly    *Weekly
	Monthly   *Monthly
	Ratings   *Ratings
	HotTopics *HotTopics
}

// Table is every named background job, by name. A job is added here and
// nowhere else: config.yaml accepts jobs.<name> for the names listed,
// `minsheng jobs` lists them, `minsheng run-job` runs them, and the
// Scheduler runs them on their schedules, never two runs of one job at
// once in an instance and each occurrence once across instances.
var Table = []Named{
	// The written feedback to 县信访局 and 县委办督查室 (feedback.recipients):
	// one digest per recipient of the day's handling and replies, daily at
	// 17:30; nothing without recipients.
	{Name: JobFeedbackDigest, Schedule: "30 17 * * *", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.Bot.FeedbackDigest(ctx, now)
	}},
	// The information officers' weekly duty (舆情信息员): whoever has filed
	// no 舆情 and no 报平安 this week is reminded in their chat, once a
	// week: Friday 15:00, time enough to report before the week ends.
	{Name: JobInformantRemind, Schedule: "0 15 * * 5", Run: func(ctx context.Context, w *Work, now time.Time) error {
		_, err := w.Bot.RemindInformants(ctx, now)
		return err
	}},
	// The holiday-calendar check: daily at 09:00.
	{Name: JobCalendar, Schedule: "0 9 * * *", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.Calendar.Run(ctx, now)
	}},
	// The monthly report (月报) to the dispatchers: the 1st at 08:00.
	{Name: JobMonthlyReport, Schedule: "0 8 1 * *", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.Monthly.Run(ctx, now)
	}},
	// The rating clock (rating.*): reminders to citizens who have not rated
	// an answer, unrated cases closed, 不满意 whose reason never came
	// carried on: daily at 10:00.
	{Name: JobRating, Schedule: "0 10 * * *", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.Ratings.Run(ctx, now)
	}},
	// The reminder and 督办 ladder and the chase of 签收: every 15 minutes
	// in office hours, every day (deadlines fall on working days; the
	// calendar decides, not cron).
	{Name: JobRemind, Schedule: "*/15 8-18 * * *", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.Deadlines.Run(ctx, now)
	}},
	// The chase of 重大/特别重大 cases no leader has acknowledged (知悉):
	// every 5 minutes, day and night; serious.chase_every spaces the pushes.
	{Name: JobSeriousChase, Schedule: "*/5 * * * *", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.Bot.ChaseSerious(ctx, now)
	}},
	// The watch for hot topics (舆情热点) and their 24-hour response rule:
	// every 5 minutes, day and night (全天24小时实时监测).
	{Name: JobHotTopics, Schedule: "*/5 * * * *", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.HotTopics.Run(ctx, now)
	}},
	// The weekly summary to the joint-meeting group: Monday 09:00.
	{Name: JobWeeklySummary, Schedule: "0 9 * * 1", Run: func(ctx context.Context, w *Work, now time.Time) error {
		return w.Weekly.Run(ctx, now)
	}},
}

// Names lists the jobs of Table, sorted.
func Names() []string {
	out := make([]string, 0, len(Table))
	for _, n := range Table {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out
}

// Jobs binds Table to w: each job with the schedule and the on/off that
// setting gives for its name and default schedule.
func (w *Work) Jobs(setting func(name, schedule string) (string, bool)) []Job {
	out := make([]Job, 0, len(Table))
	for _, n := range Table {
		run := n.Run
		schedule, enabled := setting(n.Name, n.Schedule)
		out = append(out, Job{Name: n.Name, Schedule: schedule, Disabled: !enabled,
			Run: func(ctx context.Context, now time.Time) error { return run(ctx, w, now) }})
	}
	return out
}
