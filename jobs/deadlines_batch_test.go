package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// chaseRows are the chase messages in the outbox, each as its recipient, key
// and payload, sorted.
func chaseRows(t *testing.T, s *models.Store) []string {
	t.Helper()
	var rows []models.Outbox
	modeltest.Must(t, s.DB().Where("kind = ?", "chase").Find(&rows).Error, "chase messages")
	var out []string
	for _, o := range rows {
		out = append(out, o.Platform.String()+" "+o.Target+" "+o.DedupKey+" "+o.Payload)
	}
	slices.Sort(out)
	return out
}

// A first run of the ladder acts on more cases than one batch. Interrupted
// in its second batch (the transaction that would queue the batch's
// messages fails), it keeps the first batch's chases and messages; run
// again, it queues what the interrupted batch would have, and nothing of
// the first batch twice: the messages are those of a run never
// interrupted, each chase is recorded once.
func TestInterruptedRunSendsNothingTwice(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 12, 2, 10, 0)
		clock := modeltest.NewClock(now)
		d := newDesk(t, s, clock, nil, "a")
		const n = 230 // more than one batch of the scans (200)
		var cases []modeltest.SeedCase
		for i := range n {
			received := modeltest.At(2026, 11, 2, 9, 0).Add(time.Duration(i) * time.Minute)
			cases = append(cases, modeltest.SeedCase{No: fmt.Sprintf("20261102%03d", i+1), Received: received, Status: models.StatusHandling,
				Lead: "cg", Due: modeltest.P(received.AddDate(0, 0, 10))})
		}
		modeltest.SeedCases(t, s, cases...)
		steps := len(d.remind.Ladder.Steps) - 1 // every step but the reminder before the deadline

		// The run as it should go, then undone.
		clean, err := d.bot.ChaseDeadlines(ctx, now, time.Time{}, d.remind.Ladder)
		modeltest.Must(t, err, "clean run")
		if got := clean.Chased["overdue"] + clean.Chased["leader"] + clean.Chased["joint"]; got != n*steps {
			t.Fatalf("clean run chased %v; want %d of each step", clean.Chased, n)
		}
		want := chaseRows(t, s)
		db := s.DB()
		for _, q := range []string{"DELETE FROM supervisions", "DELETE FROM case_events WHERE kind = 'supervise'", "DELETE FROM outboxes WHERE kind = 'chase'"} {
			modeltest.Must(t, db.Exec(q).Error, "%s", q)
		}

		// The interrupted run: the first message that names the second
		// batch's first case fails.
		second := cases[200].No
		failed := false
		boom := errors.New("the database went away")
		modeltest.Must(t, db.Callback().Create().Before("gorm:create").Register("test:interrupt", func(tx *gorm.DB) {
			if o, ok := tx.Statement.Dest.(*models.Outbox); ok && !failed && strings.Contains(o.Payload, second) {
				failed = true
				_ = tx.AddError(boom)
			}
		}), "register interruption")
		_, err = d.bot.ChaseDeadlines(ctx, now, time.Time{}, d.remind.Ladder)
		modeltest.Must(t, db.Callback().Create().Remove("test:interrupt"), "remove interruption")
		if !errors.Is(err, boom) {
			t.Fatalf("interrupted run: %v; want it to fail with %v", err, boom)
		}
		var records int64
		modeltest.Must(t, db.Model(&models.Supervision{}).Count(&records).Error, "count")
		if records != 200*int64(steps) {
			t.Errorf("after the interruption %d 督办 records; want the first batch's %d", records, 200*steps)
		}

		// Run again from the start, as the scheduler retries a failed occurrence.
		again, err := d.bot.ChaseDeadlines(ctx, now, time.Time{}, d.remind.Ladder)
		modeltest.Must(t, err, "run again")
		if got := again.Chased["overdue"] + again.Chased["leader"] + again.Chased["joint"]; got != (n-200)*steps {
			t.Errorf("the run again chased %v; want the %d cases of the interrupted batch", again.Chased, n-200)
		}
		if got := chaseRows(t, s); !slices.Equal(got, want) {
			t.Errorf("messages after interruption and rerun (%d) differ from a clean run's (%d):\n%s\nwant\n%s",
				len(got), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var entries int64
		modeltest.Must(t, db.Model(&models.CaseEvent{}).Where("kind = ?", models.EventSupervise).Count(&entries).Error, "count")
		modeltest.Must(t, db.Model(&models.Supervision{}).Count(&records).Error, "count")
		if records != n*int64(steps) || entries != n*int64(steps) {
			t.Errorf("%d 督办 records and %d entries; want %d of each: one per case and step", records, entries, n*steps)
		}
	})
}
