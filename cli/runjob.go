package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"minsheng/app"
	"minsheng/jobs"
)

// runJob is `minsheng run-job <name>`: the job once, now, outside its
// schedule (for checks and for catching up after downtime). Messages it
// queues carry the same dedup keys as a scheduled run's, so nothing already
// sent goes out again; the running server delivers them.
func runJob(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	args, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usageError{fmt.Sprintf("which job? one of %v", jobs.Names())}
	}
	out, log := e.stdout, e.log
	cfg, err := app.LoadConfig(e.config)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	a, err := app.New(ctx, cfg, app.Offline(), app.WithLogger(log), app.WithOwner(fmt.Sprintf("%s-%d-run-job", host, os.Getpid())))
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Scheduler.RunNow(ctx, args[0])
	if errors.Is(err, jobs.ErrUnknownJob) {
		return fmt.Errorf("%w (known: %v)", err, jobs.Names())
	}
	if err != nil {
		return err
	}
	depth, _ := a.Store.OutboxDepth(ctx)
	fmt.Fprintf(out, "%s ran as %s; %d messages wait in the outbox for the server to deliver\n", r.Job, r.Occurrence, depth)
	return nil
}
