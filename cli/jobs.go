package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"minsheng/app"
	"minsheng/jobs"
	"minsheng/models"
)

// timeLayout is the one time format of the command line's tables.
const timeLayout = "2006-01-02 15:04"

// listJobs is `minsheng jobs`: every job of the table, its schedule, next
// run and last run, as a table in Chinese.
func listJobs(ctx context.Context, e *env, args []string) error {
	if _, err := parse(e.flags(), args, 0); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(e.config)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Offline(), app.WithLogger(slog.New(slog.DiscardHandler)), app.WithOwner("list"))
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.Scheduler.Statuses(ctx)
	if err != nil {
		return err
	}
	loc := cfg.Location
	rows := [][]string{{"任务", "计划", "下次运行", "上次运行", "方式", "结果", "耗时", "实例", "错误"}}
	for _, x := range st {
		schedule, next := x.Job.Schedule, "-"
		if x.Job.Disabled {
			schedule += "（已停用）"
		}
		if !x.Next.IsZero() {
			next = x.Next.In(loc).Format(timeLayout)
		}
		last, how, status, took, owner, msg := "从未运行", "-", "-", "-", "-", ""
		if r := x.Last; r != nil {
			last, owner, msg = r.StartedAt.In(loc).Format(timeLayout), r.Owner, r.Error
			how, status = "定时", jobStatus(r.Status)
			if strings.HasPrefix(r.Occurrence, jobs.ManualPrefix) {
				how = "手动"
			}
			if r.EndedAt != nil {
				took = r.EndedAt.Sub(r.StartedAt).Round(time.Second).String()
			}
		}
		rows = append(rows, []string{x.Job.Name, schedule, next, last, how, status, took, owner, msg})
	}
	return writeTable(e.stdout, rows)
}

// jobStatus is a run's status in words.
func jobStatus(s string) string {
	switch s {
	case models.JobOK:
		return "成功"
	case models.JobFailed:
		return "失败"
	case models.JobRunning:
		return "运行中"
	}
	return s
}

// writeTable writes rows as columns two spaces apart, aligned by display
// width (a Chinese character takes two columns of a terminal).
func writeTable(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

// displayWidth counts the terminal columns of s: two for the wide
// characters of Chinese text and its full-width punctuation.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)):
			n += 2
		default:
			n++
		}
	}
	return n
}
