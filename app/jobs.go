package app

import (
	"fmt"
	"log/slog"

	"minsheng/bot"
	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/reports"
)

// work is what the job table's bodies call, from jobs.*, deadlines.*,
// calendar.warn_from and reports.*.
func work(cfg *config.Config, store *models.Store, b *bot.Bot, log *slog.Logger) *jobs.Work {
	d := cfg.Deadlines
	ladder := bot.Ladder{AcceptWithin: span(d.AcceptWithin), AcceptReturnAfter: span(d.AcceptReturnAfter)}
	for _, st := range d.Ladder {
		ladder.Steps = append(ladder.Steps, bot.LadderStep{Level: st.Level, To: st.To, Workdays: st.Workdays})
	}
	month, day := cfg.Calendar.WarnFromDay()
	return &jobs.Work{
		Bot:       b,
		Deadlines: &jobs.Deadlines{Bot: b, Ladder: ladder},
		Calendar:  &jobs.CalendarWarning{Bot: b, Month: month, Day: day},
		Weekly:    Weekly(cfg, store, log),
		Monthly:   Monthly(cfg, store, log),
		Ratings:   &jobs.Ratings{Bot: b},
		HotTopics: &jobs.HotTopics{Bot: b},
	}
}

// scheduler is the job table bound to w, each job on the schedule
// jobs.<name> gives it or its default.
func scheduler(cfg *config.Config, store *models.Store, w *jobs.Work, owner string, log *slog.Logger) (*jobs.Scheduler, error) {
	s := &jobs.Scheduler{Store: store, Location: cfg.Location, Owner: owner, Logger: log, Jobs: w.Jobs(cfg.JobSetting)}
	if err := s.Check(); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return s, nil
}

func span(s config.Span) models.Span { return models.Span{Workdays: s.Workdays, Duration: s.Duration} }

// Weekly is the weekly summary as config sets it (jobs.weekly_summary,
// reports.*), to the joint-meeting group on its platform.
func Weekly(cfg *config.Config, store *models.Store, log *slog.Logger) *jobs.Weekly {
	return &jobs.Weekly{
		Store: store, Platform: JointPlatform(cfg), Logger: log, TopTopics: cfg.HotTopics.WeeklyTop,
		ReplyTarget: cfg.Deadlines.ReplyRateTarget, SatisfactionTarget: cfg.Deadlines.SatisfactionTarget,
		RateDays: cfg.Reports.RateDays, Overdue: cfg.Reports.OverdueList, FlagRule: models.FlagRule(cfg.Reports.FlagRule),
	}
}

// JointPlatform is the joint-meeting group's platform, by the one rule
// (models.JointPlatform): WeCom when it has a robot key, else DingTalk when
// it has a webhook.
func JointPlatform(cfg *config.Config) models.Platform {
	j := cfg.Org.JointMeeting
	return models.JointPlatform(j.WeComRobotKey, j.DingTalkWebhook)
}

// Monthly is the monthly report as config sets it (jobs.monthly_report,
// reports.dir).
func Monthly(cfg *config.Config, store *models.Store, log *slog.Logger) *jobs.Monthly {
	return &jobs.Monthly{Workbook: &reports.Monthly{
		Store: store, Dir: cfg.Reports.Dir, Logger: log, FlagRule: models.FlagRule(cfg.Reports.FlagRule),
		ReplyTarget: cfg.Deadlines.ReplyRateTarget, SatisfactionTarget: cfg.Deadlines.SatisfactionTarget,
	}}
}

// Assessment is the 考核 scoring sheet as config weighs it (assessment.*).
func Assessment(cfg *config.Config, store *models.Store) *reports.Assessment {
	a := cfg.Assessment
	return &reports.Assessment{Store: store, Weights: reports.Weights{
		ReplyRate: a.ReplyRate, OnTimeRate: a.OnTimeRate, SatisfactionRate: a.SatisfactionRate,
		Overdue: a.Overdue, Supervised: a.Supervised, LateReported: a.LateReported, AppealsUpheld: a.AppealsUpheld,
	}}
}
