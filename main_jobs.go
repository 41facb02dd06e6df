package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"minsheng/bot"
	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
)

// scheduler turns jobs.* and the deadline rules of config into the named
// jobs and their schedule. Every job of config (config.JobNames) must be
// built here.
func scheduler(cfg *config.Config, store *models.Store, b *bot.Bot, owner string, log *slog.Logger) (*jobs.Scheduler, error) {
	d := cfg.Deadlines
	ladder := bot.Ladder{AcceptWithin: span(d.AcceptWithin), AcceptReturnAfter: span(d.AcceptReturnAfter)}
	for _, st := range d.Ladder {
		ladder.Steps = append(ladder.Steps, bot.LadderStep{Level: st.Level, To: st.To, Workdays: st.Workdays})
	}
	month, day := cfg.Calendar.WarnFromDay()
	runs := map[string]func(context.Context, time.Time) error{
		jobs.JobRemind:   (&jobs.Deadlines{Bot: b, Ladder: ladder}).Run,
		jobs.JobCalendar: (&jobs.CalendarWarning{Bot: b, Month: month, Day: day}).Run,
		// main_report.go
		jobs.JobWeeklySummary: weeklyJob(cfg, store, log).Run,
		jobs.JobMonthlyReport: monthlyJob(cfg, store, log).Run,
		"serious_chase":       b.ChaseSerious, // bot/serious.go
		jobs.JobRating:        (&jobs.Ratings{Bot: b}).Run,
	}
	s := &jobs.Scheduler{Store: store, Location: cfg.Location, Owner: owner, Logger: log}
	for _, name := range config.JobNames() {
		run, ok := runs[name]
		if !ok {
			return nil, fmt.Errorf("jobs.%s: configured but not built (main_jobs.go)", name)
		}
		schedule, enabled := cfg.JobSetting(name)
		s.Jobs = append(s.Jobs, jobs.Job{Name: name, Schedule: schedule, Disabled: !enabled, Run: run})
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

func span(s config.Span) models.Span { return models.Span{Workdays: s.Workdays, Duration: s.Duration} }

// jobsBot is the bot as serve builds it, for the commands that run jobs
// outside the server: what they queue is delivered by the running server.
func jobsBot(ctx context.Context, path string, log *slog.Logger) (*config.Config, *bot.Bot, func(), error) {
	cfg, store, err := openStore(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	b, err := newBot(cfg, store, log)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	b.Settings.Joint = bot.GroupAddress{
		RobotKey: cfg.Org.JointMeeting.WeComRobotKey, Webhook: cfg.Org.JointMeeting.DingTalkWebhook, Secret: cfg.Org.JointMeeting.DingTalkSecret,
	}
	// Links are signed when a message is delivered, by the server: the
	// link secret does not matter here.
	b.Settings.Review, b.Settings.Leaders, b.Settings.Links = leaderSettings(cfg, slog.New(slog.DiscardHandler))
	return cfg, b, func() { store.Close() }, nil
}

// runJob is `minsheng run-job <name>`: the job once, now, outside its
// schedule (for checks and for catching up after downtime). Messages it
// queues carry the same dedup keys as a scheduled run's, so nothing already
// sent goes out again; the running server delivers them.
func runJob(ctx context.Context, path string, args []string, log *slog.Logger) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: minsheng run-job <name> (one of %v)", config.JobNames())
	}
	cfg, b, done, err := jobsBot(ctx, path, log)
	if err != nil {
		return err
	}
	defer done()
	host, _ := os.Hostname()
	s, err := scheduler(cfg, b.Store, b, fmt.Sprintf("%s-%d-run-job", host, os.Getpid()), log)
	if err != nil {
		return err
	}
	r, err := s.RunNow(ctx, args[0])
	if errors.Is(err, jobs.ErrUnknownJob) {
		return fmt.Errorf("%w (known: %v)", err, config.JobNames())
	}
	if err != nil {
		return err
	}
	depth, _ := b.Store.OutboxDepth(ctx)
	fmt.Printf("%s ran as %s; %d messages wait in the outbox for the server to deliver\n", r.Job, r.Occurrence, depth)
	return nil
}

// listJobs is `minsheng jobs`: every job, its schedule, next run and last run.
func listJobs(ctx context.Context, path string, w io.Writer) error {
	cfg, b, done, err := jobsBot(ctx, path, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer done()
	s, err := scheduler(cfg, b.Store, b, "list", slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	st, err := s.Statuses(ctx)
	if err != nil {
		return err
	}
	loc := cfg.Location
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSCHEDULE\tNEXT\tLAST RUN\tSTATUS\tTOOK\tOWNER\tERROR")
	for _, x := range st {
		schedule, next := x.Job.Schedule, "-"
		if x.Job.Disabled {
			schedule += " (disabled)"
		}
		if !x.Next.IsZero() {
			next = x.Next.In(loc).Format("2006-01-02 15:04")
		}
		last, status, took, owner, msg := "never", "-", "-", "-", ""
		if r := x.Last; r != nil {
			last, status, owner, msg = r.Occurrence, r.Status, r.Owner, r.Error
			if r.EndedAt != nil {
				took = r.EndedAt.Sub(r.StartedAt).String()
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Job.Name, schedule, next, last, status, took, owner, msg)
	}
	return tw.Flush()
}
