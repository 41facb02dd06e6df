package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func TestCountByStatusAndTrend(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		modeltest.SeedOrg(t, s)
		modeltest.SeedNovember2026(t, s)
		ctx := context.Background()
		counts, err := s.CountByStatus(ctx)
		modeltest.Must(t, err, "count by status")
		want := "[{received 1} {assigned 1} {handling 2} {reviewing 0} {answered 11} {closed 3} {invalid 2} {duplicate 1}]"
		if got := fmt.Sprint(counts); got != want {
			t.Errorf("CountByStatus = %s; want %s", got, want)
		}

		at := modeltest.At(2026, 12, 1, 9, 0)
		weeks, err := s.Trend(ctx, at, 6, modeltest.Shanghai)
		modeltest.Must(t, err, "trend")
		wantWeeks := []struct {
			from               string
			received, answered int64
		}{
			{"2026-10-26", 0, 0}, {"2026-11-02", 10, 1}, {"2026-11-09", 7, 6},
			{"2026-11-16", 0, 6}, {"2026-11-23", 0, 0}, {"2026-11-30", 2, 1},
		}
		if len(weeks) != len(wantWeeks) {
			t.Fatalf("Trend = %d weeks; want %d", len(weeks), len(wantWeeks))
		}
		for i, w := range wantWeeks {
			g := weeks[i]
			if from := g.Week.From.In(modeltest.Shanghai).Format(time.DateOnly); from != w.from || g.Received != w.received || g.Answered != w.answered {
				t.Errorf("week %d = %s received %d answered %d; want %s %d %d", i, from, g.Received, g.Answered, w.from, w.received, w.answered)
			}
		}
		if weeks, _ := s.Trend(ctx, at, 0, modeltest.Shanghai); len(weeks) != 0 {
			t.Errorf("Trend of 0 weeks = %v", weeks)
		}
	})
}

func TestPublicCases(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		modeltest.SeedOrg(t, s)
		day := func(d, h int) time.Time { return modeltest.At(2026, 11, d, h, 0) }
		modeltest.SeedCases(t, s,
			modeltest.SeedCase{No: "20261102001", Received: day(2, 9), Status: models.StatusAnswered, Lead: "cg", Answered: modeltest.P(day(5, 9)), Content: "路灯坏了，达标率100%_以上"},
			modeltest.SeedCase{No: "20261103001", Received: day(3, 9), Status: models.StatusClosed, Lead: "zj", Answered: modeltest.P(day(4, 9)), Content: "物业不作为"},
			modeltest.SeedCase{No: "20261104001", Received: day(4, 9), Status: models.StatusHandling, Lead: "cg", Due: modeltest.P(day(12, 17)), Content: "井盖丢失，WiFi也没了"},
			modeltest.SeedCase{No: "20261105001", Received: day(5, 9), Status: models.StatusInvalid, Content: "无关内容"},
			modeltest.SeedCase{No: "20261106001", Received: day(6, 9), Status: models.StatusAnswered, Lead: "cg", Answered: modeltest.P(day(7, 9)), Content: "路灯又坏了"},
		)
		ctx := context.Background()
		answered := []models.Status{models.StatusAnswered, models.StatusClosed}
		nos := func(q models.PublicQuery) string {
			t.Helper()
			cs, err := s.PublicCases(ctx, q)
			modeltest.Must(t, err, "public cases %+v", q)
			n, err := s.CountPublicCases(ctx, q)
			modeltest.Must(t, err, "count public cases %+v", q)
			var out []string
			for _, c := range cs {
				out = append(out, c.No)
			}
			return fmt.Sprintf("%v %d", out, n)
		}
		tests := []struct {
			name string
			q    models.PublicQuery
			want string
		}{
			{"answered, newest answer first", models.PublicQuery{Statuses: answered, ByAnswer: true}, "[20261106001 20261102001 20261103001] 3"},
			{"all, newest received first", models.PublicQuery{}, "[20261106001 20261105001 20261104001 20261103001 20261102001] 5"},
			{"unit", models.PublicQuery{Statuses: answered, Dept: "zj"}, "[20261103001] 1"},
			{"text", models.PublicQuery{Text: "路灯"}, "[20261106001 20261102001] 2"},
			{"letter case does not count", models.PublicQuery{Text: "wifi"}, "[20261104001] 1"},
			{"percent is text", models.PublicQuery{Text: "100%"}, "[20261102001] 1"},
			{"underscore is text", models.PublicQuery{Text: "%_以"}, "[20261102001] 1"},
			{"no wildcard match", models.PublicQuery{Text: "1_0"}, "[] 0"},
			{"bang is text", models.PublicQuery{Text: "!"}, "[] 0"},
			{"received from", models.PublicQuery{ReceivedFrom: day(4, 0)}, "[20261106001 20261105001 20261104001] 3"},
			{"received to", models.PublicQuery{ReceivedTo: day(4, 0)}, "[20261103001 20261102001] 2"},
			{"numbers", models.PublicQuery{Nos: []string{"20261102001", "20261104001", "20261199999"}}, "[20261104001 20261102001] 2"},
			{"page", models.PublicQuery{Offset: 1, Limit: 2}, "[20261105001 20261104001] 5"},
		}
		for _, tt := range tests {
			if got := nos(tt.q); got != tt.want {
				t.Errorf("%s: PublicCases = %s; want %s", tt.name, got, tt.want)
			}
		}

		// Withheld cases are chosen by no query; the withholding is on the record.
		who := models.Actor{Kind: models.ActorAdmin, Name: "wenzhengban（管理员）", Platform: "web"}
		err := s.Act(ctx, func(tx *models.Tx) error {
			k, err := tx.CaseForUpdate("20261102001")
			if err != nil {
				return err
			}
			if err := tx.Withhold(k, who, "涉及隐私"); err != nil {
				return err
			}
			if err := tx.Withhold(k, who, "再一次"); !errors.Is(err, models.ErrConflict) {
				t.Errorf("second Withhold = %v; want ErrConflict", err)
			}
			return nil
		})
		modeltest.Must(t, err, "withhold")
		if got, want := nos(models.PublicQuery{Statuses: answered, ByAnswer: true}), "[20261106001 20261103001] 2"; got != want {
			t.Errorf("after withholding: %s; want %s", got, want)
		}
		if got, want := nos(models.PublicQuery{Nos: []string{"20261102001"}}), "[] 0"; got != want {
			t.Errorf("a withheld case by number: %s; want %s", got, want)
		}
		w, err := s.WithheldByNo(ctx, []string{"20261102001", "20261103001"})
		modeltest.Must(t, err, "withheld by no")
		if len(w) != 1 || w["20261102001"].Reason != "涉及隐私" || w["20261102001"].ByName != who.Name {
			t.Errorf("WithheldByNo = %+v", w)
		}
		err = s.Act(ctx, func(tx *models.Tx) error {
			k, err := tx.CaseForUpdate("20261102001")
			if err != nil {
				return err
			}
			if err := tx.Publish(k, who); err != nil {
				return err
			}
			if err := tx.Publish(k, who); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("second Publish = %v; want ErrNotFound", err)
			}
			_, err = tx.Withholding(k)
			if !errors.Is(err, models.ErrNotFound) {
				t.Errorf("Withholding after Publish = %v; want ErrNotFound", err)
			}
			return nil
		})
		modeltest.Must(t, err, "publish")
		if got, want := nos(models.PublicQuery{Statuses: answered, ByAnswer: true}), "[20261106001 20261102001 20261103001] 3"; got != want {
			t.Errorf("after publishing: %s; want %s", got, want)
		}
	})
}
