package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

func TestParseSchedule(t *testing.T) {
	cases := []struct {
		spec string
		ok   bool
	}{
		{"*/15 8-18 * * *", true},
		{"0 9 * * 1", true},
		{"@daily", true},
		{"@every 15m", false}, // not anchored to the clock
		{"*/15 8-18 * *", false},
		{"0 25 * * *", false},
		{"", false},
	}
	for _, c := range cases {
		_, err := jobs.ParseSchedule(c.spec)
		if (err == nil) != c.ok {
			t.Errorf("ParseSchedule(%q) = %v; want ok %v", c.spec, err, c.ok)
		}
	}
}

func quietScheduler(s *models.Store, clock *modeltest.Clock, js ...jobs.Job) *jobs.Scheduler {
	return &jobs.Scheduler{Store: s, Jobs: js, Location: modeltest.Shanghai, Owner: "test", Now: clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// TestSchedulerRecordsRuns: each run is on record with its start, end and
// error; a panicking job is recovered and recorded as failed; a failed
// occurrence is not run again; `minsheng jobs` sees the last run of each.
func TestSchedulerRecordsRuns(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		s.Now = clock.Now
		var got []time.Time
		sc := quietScheduler(s, clock,
			jobs.Job{Name: "ok", Schedule: "0 9 * * *", Run: func(ctx context.Context, now time.Time) error {
				got = append(got, now)
				clock.Add(3 * time.Second)
				return nil
			}},
			jobs.Job{Name: "boom", Schedule: "0 9 * * *", Run: func(context.Context, time.Time) error { panic("nil map") }},
			jobs.Job{Name: "fails", Schedule: "0 9 * * *", Disabled: true, Run: func(context.Context, time.Time) error {
				return errors.New("database is down")
			}},
			jobs.Job{Name: "never", Run: func(context.Context, time.Time) error { return nil }},
		)
		modeltest.Must(t, sc.Check(), "check")
		at := clock.Now()
		if ran, err := sc.RunOccurrence(ctx, "ok", at); !ran || err != nil {
			t.Fatalf("ok: ran %v, %v", ran, err)
		}
		if len(got) != 1 || !got[0].Equal(at) {
			t.Errorf("job got now = %v; want [%v]", got, at)
		}
		if ran, err := sc.RunOccurrence(ctx, "boom", at); !ran || err == nil || !strings.Contains(err.Error(), "panic: nil map") {
			t.Errorf("boom: ran %v, %v; want a recorded panic", ran, err)
		}
		if ran, err := sc.RunOccurrence(ctx, "fails", at); !ran || err == nil {
			t.Errorf("fails: ran %v, %v; want the error", ran, err)
		}
		if ran, err := sc.RunOccurrence(ctx, "fails", at); ran || err != nil {
			t.Errorf("fails again: ran %v, %v; want the occurrence skipped", ran, err)
		}
		if _, err := sc.RunOccurrence(ctx, "nope", at); !errors.Is(err, jobs.ErrUnknownJob) {
			t.Errorf("unknown job: %v; want ErrUnknownJob", err)
		}

		st, err := sc.Statuses(ctx)
		modeltest.Must(t, err, "statuses")
		byName := map[string]jobs.Status{}
		for _, x := range st {
			byName[x.Job.Name] = x
		}
		ok := byName["ok"]
		if ok.Last == nil || ok.Last.Status != models.JobOK || ok.Last.Occurrence != "2026-11-23T09:00" ||
			ok.Last.EndedAt == nil || ok.Last.EndedAt.Sub(ok.Last.StartedAt) != 3*time.Second {
			t.Errorf("ok last run = %+v; want ok, 2026-11-23T09:00, 3s", ok.Last)
		}
		if want := modeltest.At(2026, 11, 24, 9, 0); !ok.Next.Equal(want) {
			t.Errorf("ok next = %v; want %v", ok.Next, want)
		}
		if b := byName["boom"].Last; b == nil || b.Status != models.JobFailed || !strings.Contains(b.Error, "panic") {
			t.Errorf("boom last run = %+v; want failed with the panic", b)
		}
		if f := byName["fails"]; f.Last == nil || f.Last.Error != "database is down" || !f.Next.IsZero() {
			t.Errorf("fails = %+v; want its error and no next run (disabled)", f)
		}
		if n := byName["never"]; n.Last != nil || !n.Next.IsZero() {
			t.Errorf("never = %+v; want no run and no schedule", n)
		}
		// The remind job looks back to the last successful run only.
		since, err := jobs.LastSuccess(ctx, s, "fails")
		if err != nil || !since.IsZero() {
			t.Errorf("LastSuccess(fails) = %v, %v; want zero", since, err)
		}
		since, err = jobs.LastSuccess(ctx, s, "ok")
		if err != nil || !since.Equal(at) {
			t.Errorf("LastSuccess(ok) = %v, %v; want %v", since, err, at)
		}
	})
}

// TestSchedulerCheck refuses jobs that cannot be scheduled.
func TestSchedulerCheck(t *testing.T) {
	run := func(context.Context, time.Time) error { return nil }
	cases := []struct {
		name string
		jobs []jobs.Job
	}{
		{"no name", []jobs.Job{{Run: run}}},
		{"no run", []jobs.Job{{Name: "a"}}},
		{"twice", []jobs.Job{{Name: "a", Run: run}, {Name: "a", Run: run}}},
		{"bad schedule", []jobs.Job{{Name: "a", Schedule: "every monday", Run: run}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := &jobs.Scheduler{Jobs: c.jobs}
			if err := sc.Check(); err == nil {
				t.Errorf("Check() = nil; want an error")
			}
			if err := sc.Run(context.Background()); err == nil {
				t.Errorf("Run() = nil; want the same error")
			}
		})
	}
}

// TestSchedulerRunStops: Run returns once its context ends.
func TestSchedulerRunStops(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
	sc := quietScheduler(s, clock, jobs.Job{Name: "a", Schedule: "0 3 * * *", Run: func(context.Context, time.Time) error { return nil }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestTickTakesTheNearestOccurrence: Tick, on instances whose clocks are a
// few seconds apart, runs the scheduled occurrence once; a job that is not
// there or has no schedule is an error.
func TestTickTakesTheNearestOccurrence(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	runs := 0
	job := jobs.Job{Name: "a", Schedule: "0 9 * * *", Run: func(context.Context, time.Time) error { runs++; return nil }}
	manual := jobs.Job{Name: "manual", Run: func(context.Context, time.Time) error { return nil }}
	ahead := quietScheduler(s, modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0).Add(2*time.Second)), job, manual)
	behind := quietScheduler(s, modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0).Add(-3*time.Second)), job, manual)
	ctx := context.Background()
	for i, sc := range []*jobs.Scheduler{behind, ahead} {
		ran, occ, err := sc.Tick(ctx, "a")
		if err != nil || occ != "2026-11-23T09:00" || ran != (i == 0) {
			t.Errorf("Tick %d = %v, %s, %v; want ran %v, 2026-11-23T09:00", i, ran, occ, err, i == 0)
		}
	}
	if runs != 1 {
		t.Errorf("the job ran %d times; want 1", runs)
	}
	if _, _, err := ahead.Tick(ctx, "nope"); !errors.Is(err, jobs.ErrUnknownJob) {
		t.Errorf("Tick(nope) = %v; want ErrUnknownJob", err)
	}
	if _, _, err := ahead.Tick(ctx, "manual"); err == nil {
		t.Errorf("Tick(manual) = nil; want an error: it has no schedule")
	}
}
