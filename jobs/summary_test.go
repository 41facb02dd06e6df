package jobs_test

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// reportRig is a store with the seeded org, the WeCom fake and the delivery
// job that talks to it.
type reportRig struct {
	s       *models.Store
	clock   *modeltest.Clock
	wc      *wecomtest.FakeServer
	deliver *jobs.Deliverer
	quiet   *slog.Logger
}

func newReportRig(t *testing.T, s *models.Store, at time.Time) *reportRig {
	t.Helper()
	clock := modeltest.NewClock(at)
	s.Now = clock.Now
	modeltest.SeedOrg(t, s)
	wc := wecomtest.NewFakeServer("wwcorp", "secret", 1000002)
	wc.Now = clock.Now
	for _, u := range []string{"dispatcher1", "cg-head", "zj-head", "leader1"} {
		wc.AddUsers(u)
	}
	for _, k := range []string{"key-cg", "key-zj", "key-hb", "key-joint"} {
		wc.AddWebhook(k)
	}
	srv := httptest.NewServer(wc)
	t.Cleanup(srv.Close)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := &bot.Bot{Store: s, Logger: quiet, Settings: bot.Settings{Joint: bot.GroupAddress{RobotKey: "key-joint"}}}
	rt := &jobs.Router{Bot: b, Platforms: []bot.Platform{
		&wecom.Platform{Client: &wecom.Client{BaseURL: srv.URL, CorpID: "wwcorp", Secret: "secret", AgentID: 1000002, HTTP: srv.Client(), Now: clock.Now}},
	}}
	d := &jobs.Deliverer{Store: s, Senders: rt.Senders(), Owner: "test", Now: clock.Now, Logger: quiet, Combine: rt.Combine,
		OnFailed: func(ctx context.Context, o models.Outbox, err error) {
			t.Errorf("outbox %d (%s) failed: %v", o.ID, o.Kind, err)
		}}
	return &reportRig{s: s, clock: clock, wc: wc, deliver: d, quiet: quiet}
}

// flush delivers everything due.
func (r *reportRig) flush(t *testing.T) {
	t.Helper()
	for i := 0; i < 5; i++ {
		sent, retried, _, err := r.deliver.RunOnce(context.Background())
		modeltest.Must(t, err, "deliver")
		if sent == 0 && retried == 0 {
			return
		}
	}
}

// outbox lists every outbox row, oldest first.
func outbox(t *testing.T, s *models.Store) []models.Outbox {
	t.Helper()
	var rows []models.Outbox
	modeltest.Must(t, s.DB().Order("id").Find(&rows).Error, "read outbox")
	return rows
}

// noIdentity fails t if text carries the seeded reporter's identity.
func noIdentity(t *testing.T, what, text string) {
	t.Helper()
	for _, secret := range []string{"张三", "13800138000", "o-seed-reporter", "群众SEED0"} {
		if strings.Contains(text, secret) {
			t.Errorf("%s carries the reporter's identity %q", what, secret)
		}
	}
}

// seedWeek writes the cases of the weekly test; now is Monday 23 November
// 2026 09:00 and the week summed up is 2026-W47 (16 to 22 November); the
// rates are over the cases received from 26 October. By hand:
//
//	cg: new 3, answered in the week 3 (w1, w3, e5), overdue now 3 (e6, e7,
//	    o1); rates over w1-w3 and e1-e7: assigned 10, answered 7 (w1, w3,
//	    e1-e5) → reply 70.0%, on time 6 (e5 was late) → 85.7%, rated 3,
//	    satisfied 2 → 66.7%: named with 提醒 for both.
//	zj: new 1, answered 1, overdue 0; assigned 2, answered 2, on time 2,
//	    rated 1, satisfied 1 → 100.0% each.
//	hb: nothing, rates "—", not named.
//	total: new 4, answered 4, overdue 3; 9 of 12 → 75.0%, 8 of 9 → 88.9%,
//	    3 of 4 → 75.0%.
func seedWeek(t *testing.T, s *models.Store) {
	at := modeltest.At
	p := modeltest.P
	modeltest.SeedCases(t, s,
		modeltest.SeedCase{No: "20261116001", Received: at(2026, 11, 16, 10, 0), Status: models.StatusAnswered, Lead: "cg", Due: p(at(2026, 11, 25, 17, 30)), Answered: p(at(2026, 11, 19, 10, 0))},
		modeltest.SeedCase{No: "20261117001", Received: at(2026, 11, 17, 10, 0), Status: models.StatusHandling, Lead: "cg", Due: p(at(2026, 11, 27, 17, 30))},
		modeltest.SeedCase{No: "20261118001", Received: at(2026, 11, 18, 10, 0), Status: models.StatusClosed, Lead: "cg", Due: p(at(2026, 11, 27, 17, 30)), Answered: p(at(2026, 11, 20, 10, 0)), Rating: "满意"},
		modeltest.SeedCase{No: "20261027001", Received: at(2026, 10, 27, 10, 0), Status: models.StatusClosed, Lead: "cg", Due: p(at(2026, 11, 5, 17, 30)), Answered: p(at(2026, 11, 2, 10, 0)), Rating: "满意"},
		modeltest.SeedCase{No: "20261028001", Received: at(2026, 10, 28, 10, 0), Status: models.StatusAnswered, Lead: "cg", Due: p(at(2026, 11, 6, 17, 30)), Answered: p(at(2026, 11, 3, 10, 0)), Rating: "不满意"},
		modeltest.SeedCase{No: "20261102001", Received: at(2026, 11, 2, 10, 0), Status: models.StatusAnswered, Lead: "cg", Due: p(at(2026, 11, 11, 17, 30)), Answered: p(at(2026, 11, 10, 10, 0))},
		modeltest.SeedCase{No: "20261103001", Received: at(2026, 11, 3, 10, 0), Status: models.StatusAnswered, Lead: "cg", Due: p(at(2026, 11, 14, 17, 30)), Answered: p(at(2026, 11, 13, 9, 0))},
		modeltest.SeedCase{No: "20261104001", Received: at(2026, 11, 4, 10, 0), Status: models.StatusAnswered, Lead: "cg", Due: p(at(2026, 11, 13, 17, 30)), Answered: p(at(2026, 11, 17, 10, 0))},
		modeltest.SeedCase{No: "20261101001", Received: at(2026, 11, 1, 10, 0), Status: models.StatusHandling, Lead: "cg", Due: p(at(2026, 11, 10, 17, 30))},
		modeltest.SeedCase{No: "20261112001", Received: at(2026, 11, 12, 10, 0), Status: models.StatusReviewing, Lead: "cg", Due: p(at(2026, 11, 20, 17, 30))},
		modeltest.SeedCase{No: "20261010001", Received: at(2026, 10, 10, 10, 0), Status: models.StatusHandling, Lead: "cg", Due: p(at(2026, 10, 20, 17, 30))},
		modeltest.SeedCase{No: "20261118002", Received: at(2026, 11, 18, 11, 0), Status: models.StatusClosed, Lead: "zj", Due: p(at(2026, 11, 27, 17, 30)), Answered: p(at(2026, 11, 20, 11, 0)), Rating: "基本满意"},
		modeltest.SeedCase{No: "20261102002", Received: at(2026, 11, 2, 11, 0), Status: models.StatusAnswered, Lead: "zj", Due: p(at(2026, 11, 11, 17, 30)), Answered: p(at(2026, 11, 6, 11, 0))},
	)
}

func weekly(s *models.Store, platform models.Platform) *jobs.Weekly {
	return &jobs.Weekly{Store: s, Platform: platform, ReplyTarget: 0.9, SatisfactionTarget: 0.9, RateDays: 28, Overdue: 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestWeeklySummary(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 11, 23, 9, 0)
		r := newReportRig(t, s, now)
		seedWeek(t, s)
		w := weekly(s, "wecom")
		modeltest.Must(t, w.Run(ctx, now), "weekly summary")

		rows := outbox(t, s)
		if len(rows) != 2 {
			t.Fatalf("queued %d messages; want the table and the chart", len(rows))
		}
		if rows[0].DedupKey != "weekly:2026-W47" || rows[0].Target != models.JointTarget().String() || rows[0].Platform != "wecom" {
			t.Errorf("table row = %s to %s on %s; want weekly:2026-W47 to the joint group on wecom", rows[0].DedupKey, rows[0].Target, rows[0].Platform)
		}
		if rows[1].DedupKey != "weekly:2026-W47:chart" {
			t.Errorf("chart row key = %s; want weekly:2026-W47:chart", rows[1].DedupKey)
		}
		r.flush(t)

		got := r.wc.GroupMessages("key-joint")
		if len(got) != 2 || got[0].MsgType != "markdown_v2" || got[1].MsgType != "image" {
			t.Fatalf("joint group got %d messages %v; want markdown_v2 and image", len(got), got)
		}
		text := got[0].Text
		for _, want := range []string{
			"## 网络问政周报 2026年第47周（11月16日—11月22日）",
			"| 单位 | 本周新增 | 本周答复 | 当前超期 | 未到期 | 回复率 | 满意率 | 按期率 |",
			// cg's 20261117001 (due 11-27) is not due: in no rate. Of the
			// other 9, 7 answered, 2 satisfied (of 3 rated).
			"| cg 县城市管理局 | 3 | 3 | 3 | 1 | 77.8% | 22.2% | 85.7% |",
			"| hb 县生态环境分局 | 0 | 0 | 0 | 0 | — | — | — |",
			"| zj 县住房和城乡建设局 | 1 | 1 | 0 | 0 | 100.0% | 50.0% | 100.0% |",
			"| 合计 | 4 | 4 | 3 | 1 | 81.8% | 27.3% | 88.9% |",
			"均按10月26日—11月22日受理的件计",
			"仅计已评价的满意率（评价满意率）：75.0%",
			// zj's 满意率 is under 90%, its 回复率 is not: under the
			// regulation's rule (both) it is not named.
			"**提醒**：以下单位回复率和满意率均低于目标（回复率 90%，满意率 90%）",
			"- cg 县城市管理局（回复率 77.8%，满意率 22.2%）",
			"**超期最久的件**（前3件）：\n1. 20261010001 县城市管理局 超期33天（期限 10月20日 17:30）\n2. 20261101001 县城市管理局 超期12天（期限 11月10日 17:30）\n3. 20261112001 县城市管理局 超期2天（期限 11月20日 17:30）",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("weekly summary lacks %q; it reads:\n%s", want, text)
			}
		}
		for _, unwanted := range []string{"- zj", "- hb"} {
			if strings.Contains(text, unwanted) {
				t.Errorf("weekly summary names %q with a reminder:\n%s", unwanted, text)
			}
		}
		for _, row := range outbox(t, s) {
			noIdentity(t, "outbox "+row.DedupKey, row.Payload)
		}

		img, err := png.Decode(bytes.NewReader(got[1].Image))
		if err != nil {
			t.Fatalf("the chart the group got is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 960 || b.Dy() != 361 {
			t.Errorf("chart is %dx%d; want 960x361 (three units)", b.Dx(), b.Dy())
		}

		// Reruns of the same week queue nothing: again now, and on Wednesday.
		for _, again := range []time.Time{now, now.Add(10 * time.Minute), modeltest.At(2026, 11, 25, 15, 0)} {
			modeltest.Must(t, w.Run(ctx, again), "weekly summary again at %v", again)
		}
		if n := len(outbox(t, s)); n != 2 {
			t.Errorf("after reruns the outbox has %d rows; want still 2", n)
		}
		r.flush(t)
		if n := len(r.wc.GroupMessages("key-joint")); n != 2 {
			t.Errorf("joint group got %d messages after reruns; want still 2", n)
		}
		// The next Monday is a new week.
		modeltest.Must(t, w.Run(ctx, modeltest.At(2026, 11, 30, 9, 0)), "next week")
		if rows := outbox(t, s); len(rows) != 4 || rows[2].DedupKey != "weekly:2026-W48" {
			t.Errorf("next week queued %d rows in all; want 4 with weekly:2026-W48", len(rows))
		}
	})
}

func TestWeeklySummaryOnDingTalk(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 11, 23, 9, 0)
		newReportRig(t, s, now)
		seedWeek(t, s)
		modeltest.Must(t, weekly(s, "dingtalk").Run(ctx, now), "weekly summary")
		rows := outbox(t, s)
		if len(rows) != 1 || rows[0].Platform != "dingtalk" {
			t.Fatalf("queued %d rows; want one for dingtalk (its robots take no pictures)", len(rows))
		}
		o, err := bot.DecodeOutgoing(rows[0].Payload)
		modeltest.Must(t, err, "decode")
		want := "**cg 县城市管理局**：新增 3，答复 3，超期 3，未到期 1，回复率 77.8%，满意率 22.2%，按期率 85.7%"
		if o.Kind != bot.KindMarkdown || !strings.Contains(o.Text, want) || strings.Contains(o.Text, "| --: |") {
			t.Errorf("dingtalk summary = %s %q; want markdown with the line %q and no table", o.Kind, o.Text, want)
		}
	})
}
