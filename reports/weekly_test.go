package reports_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

// setup sets the store's clock to at and seeds the test org.
func setup(t *testing.T, s *models.Store, at time.Time) *modeltest.Clock {
	t.Helper()
	clock := modeltest.NewClock(at)
	s.Now = clock.Now
	modeltest.SeedOrg(t, s)
	return clock
}

func weekly(s *models.Store) *reports.Weekly {
	return &reports.Weekly{Store: s, ReplyTarget: 0.9, SatisfactionTarget: 0.9, RateDays: 28, Overdue: 10}
}

func TestWeeklySummaryQuietWeek(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 11, 23, 9, 0)
		setup(t, s, now)
		msgs, err := weekly(s).Build(ctx, now)
		modeltest.Must(t, err, "build")
		text := strings.Join(msgs.Texts, "\n")
		for _, want := range []string{"| 合计 | 0 | 0 | 0 | 0 | — | — | — |", "没有回复率和满意率均低于目标的单位", "当前没有超期的件。"} {
			if !strings.Contains(text, want) {
				t.Errorf("quiet week summary lacks %q:\n%s", want, text)
			}
		}
	})
}

// TestWeeklySummaryManyUnits checks a long summary still fits the robots'
// 4096 bytes: the table is split over messages, each with its header.
func TestWeeklySummaryManyUnits(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	ctx := context.Background()
	var deps []models.Department
	for i := 0; i < 60; i++ {
		deps = append(deps, models.Department{Code: fmt.Sprintf("unit%02d", i), Name: fmt.Sprintf("县某某某某管理局第%d分局", i), Platform: "wecom"})
	}
	modeltest.Must(t, s.SyncOrg(ctx, deps, nil, nil), "org")
	msgs, err := weekly(s).Build(ctx, modeltest.At(2026, 11, 23, 9, 0))
	modeltest.Must(t, err, "build")
	if len(msgs.Texts) < 2 {
		t.Fatalf("summary of 60 units is %d message; want it split", len(msgs.Texts))
	}
	all := strings.Join(msgs.Texts, "\n")
	for i, m := range msgs.Texts {
		if len(m) > 4096 {
			t.Errorf("message %d is %d bytes; want at most 4096", i, len(m))
		}
		if !strings.HasPrefix(m, "## 网络问政周报") || !strings.Contains(m, "| 单位 | 本周新增 |") {
			t.Errorf("message %d does not start with the heading and the table header:\n%s", i, m)
		}
	}
	for _, d := range deps {
		if !strings.Contains(all, "| "+d.Code+" "+d.Name+" |") {
			t.Errorf("unit %s missing from the summary", d.Code)
		}
	}
	if last := msgs.Texts[len(msgs.Texts)-1]; !strings.Contains(last, "当前没有超期的件") {
		t.Errorf("last message lacks the notes:\n%s", last)
	}
}
