package cli

import (
	"context"
	"fmt"

	"minsheng/app"
	"minsheng/models"
	"minsheng/reports"
)

// report is `minsheng report [--month 2026-11] [-o file.xlsx]`: a month's
// workbook on demand (last month by default), written to -o or under
// reports.dir and recorded; nothing is sent.
func report(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	month := fs.String("month", "", "the month, YYYY-MM (default: last month)")
	file := fs.String("o", "", "write the workbook to this file (default: a new file under reports.dir)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	out, log := e.stdout, e.log
	cfg, err := app.LoadConfig(e.config)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Offline(), app.WithLogger(log))
	if err != nil {
		return err
	}
	defer a.Close()
	now := a.Store.Now()
	p := reports.PreviousMonth(now, cfg.Location)
	if *month != "" {
		if p, err = models.ParseMonth(*month, cfg.Location); err != nil {
			return fmt.Errorf("report --month: %w", err)
		}
	}
	fmt.Fprintf(out, "正在生成 %s 月报（数据截至 %s）…\n", p.Month(), now.In(cfg.Location).Format("2006-01-02 15:04"))
	rep, _, err := a.Work.Monthly.Report().Produce(ctx, p, now, *file, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "已生成：%s（%d 字节，sha256 %s）\n", rep.Path, rep.Size, rep.SHA256)
	return nil
}
