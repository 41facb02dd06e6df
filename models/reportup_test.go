package models_test

import (
	"context"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func TestReportUpLateAndEndedAlerts(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		f := newLeadersFixture(t, s)
		ctx := context.Background()
		start := f.clock.Now() // 2026-11-23 10:00
		month := models.MonthPeriod(start, modeltest.Shanghai)
		tests := []struct {
			name     string
			reported time.Duration // after start; the clock is 2 hours
			late     bool
		}{
			{"on time", 90 * time.Minute, false},
			{"at the deadline", 2 * time.Hour, false},
			{"a minute late", 2*time.Hour + time.Minute, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
					a, err := tx.RaiseAlert(f.k, start.Add(2*time.Hour))
					if err != nil {
						return err
					}
					if err := tx.MarkReportedUp(a, start.Add(tt.reported)); err != nil {
						return err
					}
					if a.Late != tt.late || a.ReportedUpAt == nil {
						t.Errorf("MarkReportedUp at +%v: late = %v; want %v", tt.reported, a.Late, tt.late)
					}
					return nil
				}), "report up")
			})
		}
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			n, err := tx.LateReports(month.From, month.To)
			if err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("LateReports(%s) = %d; want 1", month.Month(), n)
			}
			if n, err := tx.LateReports(month.To, month.To.AddDate(0, 1, 0)); err != nil || n != 0 {
				t.Errorf("LateReports of the next month = %d, %v; want 0", n, err)
			}
			// Graded down: the open alert ends and is not chased again.
			ended, err := tx.EndAlerts(f.k)
			if err != nil {
				return err
			}
			if ended != 1 {
				t.Errorf("EndAlerts = %d; want the one open alert", ended)
			}
			due, err := tx.AlertsToChase(start.Add(24*time.Hour), 10)
			if err != nil {
				return err
			}
			if len(due) != 0 {
				t.Errorf("ended alert still chased: %+v", due)
			}
			l, err := tx.LatestAlert(f.k)
			if err != nil {
				return err
			}
			if l.State != models.AlertEnded {
				t.Errorf("latest alert state = %s; want ended", l.State)
			}
			return nil
		}), "ended")
	})
}
