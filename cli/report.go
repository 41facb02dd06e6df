package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"minsheng/app"
	"minsheng/config"
	"minsheng/models"
	"minsheng/reports"
)

// report is `minsheng report [-month 2026-11] [-o file.xlsx]`: a month's
// workbook on demand (last month by default), written to -o or under
// reports.dir and recorded; nothing is sent. With -quarter 2026Q4 or
// -year 2026 it writes the 考核 scoring sheet of that period instead
// (assessment.* weights), to -o or reports.dir/考核-<period>.xlsx.
func report(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	month := fs.String("month", "", "the month, YYYY-MM (default: last month)")
	file := fs.String("o", "", "write the workbook to this file (default: a new file under reports.dir)")
	quarter := fs.String("quarter", "", "the 考核 scoring sheet of a quarter, YYYYQn")
	year := fs.String("year", "", "the 考核 scoring sheet of a year, YYYY")
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
	if *quarter != "" || *year != "" {
		return assessment(ctx, cfg, a, *quarter, *year, *file, now, out)
	}
	p := reports.PreviousMonth(now, cfg.Location)
	if *month != "" {
		if p, err = models.ParseMonth(*month, cfg.Location); err != nil {
			return fmt.Errorf("report --month: %w", err)
		}
	}
	fmt.Fprintf(out, "正在生成 %s 月报（数据截至 %s）…\n", p.Month(), now.In(cfg.Location).Format("2006-01-02 15:04"))
	rep, _, err := a.Work.Monthly.Workbook.Produce(ctx, p, now, *file, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "已生成：%s（%d 字节，sha256 %s）\n", rep.Path, rep.Size, rep.SHA256)
	return nil
}

// assessment writes the 考核 scoring sheet of the quarter or the year.
func assessment(ctx context.Context, cfg *config.Config, a *app.App, quarter, year, file string, now time.Time, out io.Writer) error {
	var p models.Period
	var err error
	name := quarter
	if quarter != "" {
		p, err = reports.ParseQuarter(quarter, cfg.Location)
	} else {
		name = year
		p, err = reports.ParseYear(year, cfg.Location)
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	book, err := app.Assessment(cfg, a.Store).Workbook(ctx, p, name, now)
	if err != nil {
		return err
	}
	defer book.Close()
	if file == "" {
		if err := os.MkdirAll(cfg.Reports.Dir, 0o750); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		file = filepath.Join(cfg.Reports.Dir, "考核-"+name+".xlsx")
	}
	if err := book.SaveAs(file); err != nil {
		return fmt.Errorf("report: write %s: %w", file, err)
	}
	fmt.Fprintf(out, "已生成考核表：%s\n", file)
	return nil
}
