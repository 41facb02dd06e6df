package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"minsheng/app"
	"minsheng/models"
	"minsheng/reports"
)

// report is `minsheng report [--month 2026-11] [-o file.xlsx]`: a month's
// workbook on demand (last month by default), written to -o or under
// reports.dir and recorded; nothing is sent.
func report(ctx context.Context, path string, args []string, out io.Writer, log *slog.Logger) error {
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
	cfg, err := app.LoadConfig(path)
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
