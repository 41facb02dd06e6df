package cli

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"

	"minsheng/app"
)

// listJobs is `minsheng jobs`: every job of the table, its schedule, next
// run and last run.
func listJobs(ctx context.Context, e *env, args []string) error {
	if _, err := parse(e.flags(), args, 0); err != nil {
		return err
	}
	w := e.stdout
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
