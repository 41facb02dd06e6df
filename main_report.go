package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/reports"
)

// weeklyJob is the weekly summary as config sets it (jobs.weekly_summary,
// reports.*). The joint-meeting group is on WeCom when it has a robot key,
// else on DingTalk when it has a webhook.
func weeklyJob(cfg *config.Config, store *models.Store, log *slog.Logger) *jobs.Weekly {
	platform := "wecom"
	if j := cfg.Org.JointMeeting; j.WeComRobotKey == "" && j.DingTalkWebhook != "" {
		platform = "dingtalk"
	}
	return &jobs.Weekly{
		Store: store, Platform: platform, Logger: log,
		ReplyTarget: cfg.Deadlines.ReplyRateTarget, SatisfactionTarget: cfg.Deadlines.SatisfactionTarget,
		RateDays: cfg.Reports.RateDays, Overdue: cfg.Reports.OverdueList,
	}
}

// monthlyJob is the monthly report as config sets it (jobs.monthly_report, reports.dir).
func monthlyJob(cfg *config.Config, store *models.Store, log *slog.Logger) *jobs.Monthly {
	return &jobs.Monthly{
		Store: store, Dir: cfg.Reports.Dir, Logger: log,
		ReplyTarget: cfg.Deadlines.ReplyRateTarget, SatisfactionTarget: cfg.Deadlines.SatisfactionTarget,
	}
}

// reportCmd is `minsheng report [--month 2026-11] [-o file.xlsx]`: a month's
// workbook on demand (last month by default), written to -o or under
// reports.dir and recorded; nothing is sent.
func reportCmd(ctx context.Context, path string, args []string, out io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	month := fs.String("month", "", "the month, YYYY-MM (default: last month)")
	file := fs.String("o", "", "write the workbook to this file (default: a new file under reports.dir)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: minsheng report [--month 2026-11] [-o file.xlsx]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("report: unexpected %q", fs.Arg(0))
	}
	cfg, store, err := openStore(path)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	now := store.Now()
	p := reports.PreviousMonth(now, cfg.Location)
	if *month != "" {
		if p, err = models.ParseMonth(*month, cfg.Location); err != nil {
			return fmt.Errorf("report --month: %w", err)
		}
	}
	fmt.Fprintf(out, "正在生成 %s 月报（数据截至 %s）…\n", p.Month(), now.In(cfg.Location).Format("2006-01-02 15:04"))
	rep, _, err := monthlyJob(cfg, store, log).Report().Produce(ctx, p, now, *file, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "已生成：%s（%d 字节，sha256 %s）\n", rep.Path, rep.Size, rep.SHA256)
	return nil
}
