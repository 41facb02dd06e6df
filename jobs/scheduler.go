package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"time"

	"github.com/robfig/cron/v3"

	"minsheng/models"
)

// Job is a named background job. Its Run is one call into the bot or the
// store with the time to take as now; cron only decides when.
type Job struct {
	// Name is what operators type: minsheng run-job <name>.
	Name string
	// Schedule is a cron spec of five fields (minute hour day month
	// weekday) or a descriptor such as @daily, read in the scheduler's time
	// zone. Empty: the job runs only when asked (run-job).
	Schedule string
	// Disabled keeps the job off the schedule; run-job still runs it.
	Disabled bool
	// Run does the work once. It must be safe to run again for the same
	// now: messages it queues carry deterministic dedup keys.
	Run func(ctx context.Context, now time.Time) error
}

// occurrenceSlack is how far from a scheduled time cron may fire and still
// be taken for it: a few seconds of clock skew between instances must not
// make two occurrences of one tick.
const occurrenceSlack = 30 * time.Second

// ManualPrefix starts the occurrence of a run asked for by hand.
const ManualPrefix = "manual@"

// parser reads the schedules: standard cron, minute granularity.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule checks a cron spec. "@every" is refused: it is not anchored
// to the clock, so server instances could not agree on its occurrences.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if _, ok := s.(cron.ConstantDelaySchedule); ok {
		return nil, fmt.Errorf("schedule %q: @every is not anchored to the clock; write a cron spec such as */15 * * * *", spec)
	}
	return s, nil
}

// Scheduler runs named jobs on their cron schedules, in one time zone, on
// any number of server instances sharing one database: each occurrence is
// claimed in the job_runs table (unique job and occurrence) and runs on the
// instance that claims it; the others skip it. Within an instance a job
// never overlaps itself (a tick that finds it running is skipped) and a
// panic is recovered and recorded as the run's error.
type Scheduler struct {
	Store *models.Store
	Jobs  []Job
	// Location is the time zone of the schedules (Asia/Shanghai).
	Location *time.Location
	// Owner names this instance in job_runs.
	Owner string
	// Now is the clock; nil means the store's.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return s.Store.Now()
}

func (s *Scheduler) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.UTC
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Check reports the first job with no name, a name used twice, no Run or a
// schedule that does not parse.
func (s *Scheduler) Check() error {
	seen := map[string]bool{}
	for _, j := range s.Jobs {
		if j.Name == "" || j.Run == nil {
			return fmt.Errorf("job %q: a name and a Run are required", j.Name)
		}
		if seen[j.Name] {
			return fmt.Errorf("job %q is listed twice", j.Name)
		}
		seen[j.Name] = true
		if j.Schedule != "" {
			if _, err := ParseSchedule(j.Schedule); err != nil {
				return fmt.Errorf("jobs.%s: %w", j.Name, err)
			}
		}
	}
	return nil
}

// Job returns the job called name.
func (s *Scheduler) Job(name string) (Job, bool) {
	for _, j := range s.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// Run schedules the enabled jobs and blocks until ctx ends; then it stops
// the schedule and waits for the runs in progress, whose ctx has ended too,
// before it returns.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.Check(); err != nil {
		return err
	}
	log := cronLogger{s.logger()}
	c := cron.New(cron.WithLocation(s.loc()), cron.WithParser(parser), cron.WithLogger(log),
		cron.WithChain(cron.Recover(log), cron.SkipIfStillRunning(log)))
	for _, j := range s.Jobs {
		if j.Schedule == "" || j.Disabled {
			continue
		}
		sched, err := ParseSchedule(j.Schedule)
		if err != nil {
			return err
		}
		name := j.Name
		c.Schedule(sched, cron.FuncJob(func() { s.tick(ctx, name, sched) }))
		s.logger().Info("job scheduled", "job", name, "schedule", j.Schedule, "next", sched.Next(s.now().In(s.loc())).Format(time.RFC3339))
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// tick runs the occurrence of name that cron fired for.
func (s *Scheduler) tick(ctx context.Context, name string, sched cron.Schedule) {
	if ctx.Err() != nil {
		return
	}
	at := occurrenceAt(sched, s.now().In(s.loc()))
	if _, err := s.RunOccurrence(ctx, name, at); err != nil {
		s.logger().Error("job run", "job", name, "occurrence", Occurrence(at, s.loc()), "err", err)
	}
}

// Tick does what Run does when cron fires job name: it takes the
// occurrence of name's schedule within a few seconds of the scheduler's
// now (or now to the minute, far from any) and runs it unless another
// instance claimed it. It reports whether this call ran it. cron cannot
// follow a test's clock: the tests of several instances call Tick on each
// where cron would have fired.
func (s *Scheduler) Tick(ctx context.Context, name string) (ran bool, occurrence string, err error) {
	j, ok := s.Job(name)
	if !ok {
		return false, "", fmt.Errorf("job %q: %w", name, ErrUnknownJob)
	}
	if j.Schedule == "" {
		return false, "", fmt.Errorf("job %q has no schedule", name)
	}
	sched, err := ParseSchedule(j.Schedule)
	if err != nil {
		return false, "", err
	}
	at := occurrenceAt(sched, s.now().In(s.loc()))
	ran, err = s.RunOccurrence(ctx, name, at)
	return ran, Occurrence(at, s.loc()), err
}

// occurrenceAt is the scheduled time cron fired for at now: the one within
// occurrenceSlack of now, so that instances whose clocks differ by a few
// seconds agree on it.
func occurrenceAt(sched cron.Schedule, now time.Time) time.Time {
	at := sched.Next(now.Add(-occurrenceSlack))
	if at.IsZero() || at.After(now.Add(occurrenceSlack)) {
		return now.Truncate(time.Minute)
	}
	return at
}

// Occurrence names the scheduled time at: minutes in loc, e.g.
// "2026-11-23T09:00" — the granularity of the schedules.
func Occurrence(at time.Time, loc *time.Location) string {
	return at.In(loc).Format("2006-01-02T15:04")
}

// ErrUnknownJob is returned for a job name the scheduler does not have.
var ErrUnknownJob = errors.New("no such job")

// RunOccurrence runs job name for its occurrence scheduled at, unless that
// occurrence was claimed before (by this instance or another): then it
// returns false and does nothing. The run is recorded in job_runs with its
// start, end and error; a panic in the job is recovered and recorded.
func (s *Scheduler) RunOccurrence(ctx context.Context, name string, at time.Time) (ran bool, err error) {
	r, err := s.run(ctx, name, Occurrence(at, s.loc()))
	return r != nil, err
}

// RunNow runs job name once now, outside its schedule (enabled or not),
// under the occurrence "manual@<now>". What it queues still carries the same
// dedup keys as a scheduled run, so nothing already sent is sent again.
func (s *Scheduler) RunNow(ctx context.Context, name string) (*models.JobRun, error) {
	occ := ManualPrefix + s.now().In(s.loc()).Format("2006-01-02T15:04:05")
	r, err := s.run(ctx, name, occ)
	if r == nil && err == nil {
		return nil, fmt.Errorf("run %s now: occurrence %s already ran; try again in a second", name, occ)
	}
	return r, err
}

// run claims occurrence occ of job name and runs it; a nil run and nil
// error mean the occurrence was claimed before.
func (s *Scheduler) run(ctx context.Context, name, occ string) (*models.JobRun, error) {
	j, ok := s.Job(name)
	if !ok {
		return nil, fmt.Errorf("job %q: %w", name, ErrUnknownJob)
	}
	now := s.now()
	r, err := s.Store.StartJobRun(ctx, name, occ, s.Owner, now)
	if errors.Is(err, models.ErrDuplicate) {
		s.logger().Debug("job occurrence claimed elsewhere", "job", name, "occurrence", occ)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	log := s.logger().With("job", name, "occurrence", occ)
	log.Info("job started")
	runErr := s.safely(ctx, j, now)
	// The record of the end must outlive a shutdown that cancelled the run.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := s.Store.FinishJobRun(fctx, r, s.now(), runErr); err != nil {
		log.Error("job end not recorded", "err", err)
	}
	if runErr != nil {
		log.Error("job failed", "took", s.now().Sub(now).String(), "err", runErr)
		return r, fmt.Errorf("job %s@%s: %w", name, occ, runErr)
	}
	log.Info("job done", "took", s.now().Sub(now).String())
	return r, nil
}

// safely runs j, turning a panic into an error.
func (s *Scheduler) safely(ctx context.Context, j Job, now time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logger().Error("job panicked", "job", j.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx, now)
}

// Status is a job as `minsheng jobs` lists it.
type Status struct {
	Job  Job
	Next time.Time // zero when not scheduled
	// Last is the newest run, nil if it never ran.
	Last *models.JobRun
}

// Statuses lists every job with its next scheduled time and its last run,
// by name.
func (s *Scheduler) Statuses(ctx context.Context) ([]Status, error) {
	last, err := s.Store.LastJobRuns(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().In(s.loc())
	var out []Status
	for _, j := range s.Jobs {
		st := Status{Job: j}
		if j.Schedule != "" && !j.Disabled {
			if sched, err := ParseSchedule(j.Schedule); err == nil {
				st.Next = sched.Next(now)
			}
		}
		if r, ok := last[j.Name]; ok {
			st.Last = &r
		}
		out = append(out, st)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Job.Name < out[b].Job.Name })
	return out, nil
}

// cronLogger lets cron log through slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// LastSuccess returns when the newest successful run of job started, zero
// if it never succeeded; the previous run a job may rely on having done its
// work up to.
func LastSuccess(ctx context.Context, store *models.Store, job string) (time.Time, error) {
	r, err := store.LastJobSuccess(ctx, job)
	if errors.Is(err, models.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return r.StartedAt, nil
}
