package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

// Issue 13: right by the regulations. Every deadline runs from when the
// citizen wrote; extensions are capped per case; grading down ends the old
// alert; serious cases are reported up, late ones as 迟报.

// report sends text from openid at the office's clock and returns the
// acknowledgement and the case number.
func (o *office) report(t *testing.T, openid, text string) (ack, no string) {
	t.Helper()
	o.mpAPI.Touch(openid, o.clock.Now())
	r := o.send(t, o.safe, mp.Message{FromUser: openid, ToUser: "gh_account", MsgType: "text", Content: text})
	i := strings.Index(r.Content, "编号：")
	if i < 0 {
		t.Fatalf("citizen reply %q has no case number", r.Content)
	}
	return r.Content, r.Content[i+len("编号：") : i+len("编号：")+11]
}

// newCaseCard is the raw new-case card dispatcher1 got for case no.
func (o *office) newCaseCard(t *testing.T, no string) string {
	t.Helper()
	for _, m := range o.appTo("dispatcher1") {
		if raw := string(mustJSON(m.Raw)); m.MsgType == "template_card" && strings.Contains(raw, "新问题 "+no) {
			return raw
		}
	}
	t.Fatalf("dispatcher1 got no new-case card for %s", no)
	return ""
}

func TestDeadlineFromReceipt(t *testing.T) {
	tests := []struct {
		name           string
		received, at   time.Time // the citizen's report, the 交办
		kind           string    // "" for the default (一般)
		due            time.Time
		promise        string // in the acknowledgement
		left           string // in the dispatcher's reply to 交办
		provisionalDue bool
	}{
		{
			// 7 working days from 09-30 skip 国庆 (10-01..10-07); 10-10 is a
			// working Saturday: 10-08, 09, 10, 12, 13, 14, 15. Assigned on
			// 10-08 the unit is held to the date the citizen was promised.
			name: "一般 across 国庆, assigned late", received: modeltest.At(2026, 9, 30, 17, 0), at: modeltest.At(2026, 10, 8, 10, 0),
			due: modeltest.At(2026, 10, 15, 17, 30), promise: "预计2026年10月15日前", left: "剩余 6 个工作日",
		},
		{
			name: "即办 12 hours after posting", received: modeltest.At(2026, 9, 30, 23, 0), at: modeltest.At(2026, 10, 1, 9, 0), kind: "即办",
			due: modeltest.At(2026, 10, 1, 11, 0), promise: "预计2026年10月15日前", left: "剩余 2 小时",
		},
		{
			name: "即办 triaged after its deadline", received: modeltest.At(2026, 9, 30, 8, 0), at: modeltest.At(2026, 10, 1, 9, 0), kind: "即办",
			due: modeltest.At(2026, 9, 30, 20, 0), promise: "预计2026年10月15日前", left: "已超期 13 小时",
		},
		{
			// No 2027 notice: 春节 02-05 (除夕)..02-08 (初三) are still holidays
			// (02-09, 10, 11, 12, 15, 16, 17), and the date is provisional.
			name: "2027 without a notice", received: modeltest.At(2027, 2, 4, 10, 0), at: modeltest.At(2027, 2, 9, 10, 0),
			due: modeltest.At(2027, 2, 17, 17, 30), promise: "预计2027年2月17日" + bot.ProvisionalNote + "前", left: "剩余 6 个工作日", provisionalDue: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			modeltest.Each(t, func(t *testing.T, s *models.Store) {
				o := newOffice(t, s)
				o.clock.Set(tt.received)
				ack, no := o.report(t, citizenOpenID, "幸福小区东门的路灯坏了一周，晚上很黑")
				if !strings.Contains(ack, tt.promise) {
					t.Errorf("acknowledgement %q; want %q", ack, tt.promise)
				}
				o.clock.Set(tt.at)
				cmd := "交办 " + no + " cg"
				if tt.kind != "" {
					cmd += " " + tt.kind
				}
				got := o.say(t, "dispatcher1", cmd)
				k := o.caseOf(t, no)
				if k.DueAt == nil || !k.DueAt.Equal(tt.due) {
					t.Fatalf("DueAt after 交办 at %v = %v; want %v", tt.at, k.DueAt, tt.due)
				}
				wantDue := tt.due.Format("2006年1月2日 15:04")
				for _, w := range []string{wantDue, tt.left} {
					if !strings.Contains(got, w) {
						t.Errorf("交办 reply %q; want %q", got, w)
					}
				}
				if strings.Contains(got, "暂定") != tt.provisionalDue {
					t.Errorf("交办 reply %q: provisional note shown = %v; want %v", got, !tt.provisionalDue, tt.provisionalDue)
				}
				o.flush(t)
				card := o.newCaseCard(t, no)
				if strings.Contains(card, "暂定") != tt.provisionalDue {
					t.Errorf("dispatcher's card %s: provisional note shown = %v; want %v", card, !tt.provisionalDue, tt.provisionalDue)
				}
				var group string
				for _, m := range o.wc.GroupMessages("key-cg") {
					group += m.Text
				}
				if !strings.Contains(group, wantDue) || !strings.Contains(group, tt.left) {
					t.Errorf("cg group got %q; want the deadline %s and %s", group, wantDue, tt.left)
				}
			})
		})
	}
}

func TestRegulationsEndToEnd(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		l.clock.Set(modeltest.At(2026, 9, 30, 17, 0))
		ack, no := l.report(t, citizenOpenID, report)
		if !strings.Contains(ack, "预计2026年10月15日前") {
			t.Fatalf("acknowledgement %q; want the promise of 2026-10-15", ack)
		}
		l.clock.Set(modeltest.At(2026, 10, 8, 10, 0))
		l.mpAPI.Touch(citizenOpenID, l.clock.Now()) // the citizen asked again: the 48-hour window is open
		if got := l.say(t, "dispatcher1", "交办 "+no+" cg"); !strings.Contains(got, "2026年10月15日 17:30") {
			t.Fatalf("交办 → %q; want the deadline 2026-10-15", got)
		}
		l.say(t, "cg-officer1", "签收 "+no)
		l.flush(t)
		if k := l.caseRow(t, no); k.DueAt == nil || !k.DueAt.Equal(modeltest.At(2026, 10, 15, 17, 30)) {
			t.Fatalf("unit's deadline = %v; want 2026-10-15 17:30, the promised date", k.DueAt)
		}
		if got := l.citizenGot(); len(got) != 1 || !strings.Contains(got[0], "2026年10月15日") {
			t.Errorf("citizen got %q; want the assignment with 2026-10-15", got)
		}

		if got := l.say(t, "cg-officer1", "延期 "+no+" 3 需协调供电公司"); !strings.Contains(got, "待领导审批") {
			t.Fatalf("延期 3 → %q", got)
		}
		if got := l.say(t, "leader1", "批准延期 "+no); !strings.Contains(got, "已批准") {
			t.Fatalf("批准延期 → %q", got)
		}
		// 10-16, 10-19, 10-20.
		if k := l.caseRow(t, no); !k.DueAt.Equal(modeltest.At(2026, 10, 20, 17, 30)) {
			t.Errorf("deadline after 3 days' extension = %v; want 2026-10-20 17:30", k.DueAt)
		}
		l.flush(t)
		cards := len(l.cardsFor("leader1", "延期申请"))
		if got := l.say(t, "cg-officer1", "延期 "+no+" 3 变压器到货推迟"); !strings.Contains(got, "剩余可延期 2 个工作日") {
			t.Errorf("延期 3 again → %q; want it refused with 剩余可延期 2 个工作日", got)
		}
		l.flush(t)
		if n := len(l.cardsFor("leader1", "延期申请")); n != cards {
			t.Errorf("a refused request reached the leader: %d extension cards, had %d", n, cards)
		}
		var ext []models.Extension
		s.DB().Where("case_id = ?", l.caseRow(t, no).ID).Find(&ext)
		if len(ext) != 1 {
			t.Errorf("extension rows = %d; want the approved one only", len(ext))
		}
		if got := l.say(t, "cg-officer1", "延期 "+no+" 2 变压器到货推迟"); !strings.Contains(got, "待领导审批") {
			t.Errorf("延期 2 (what is left) → %q; want it sent to the leader", got)
		}
	})
}

// alerts returns the report-up alerts of case no, oldest first.
func (l *leaders) alerts(t *testing.T, no string) []models.SeriousAlert {
	t.Helper()
	var out []models.SeriousAlert
	modeltest.Must(t, l.store.DB().Where("case_id = ?", l.caseRow(t, no).ID).Order("id").Find(&out).Error, "alerts")
	return out
}

func TestGradeDownEndsAlert(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		ctx := context.Background()
		start := l.clock.Now()
		no := l.citizen(t, citizenOpenID, report)
		if got := l.say(t, "dispatcher1", "定级 "+no+" 重大"); !strings.Contains(got, "已报送领导") {
			t.Fatalf("定级 重大 → %q", got)
		}
		chased := func(at time.Duration) int {
			t.Helper()
			l.clock.Set(start.Add(at))
			modeltest.Must(t, l.bot.ChaseSerious(ctx, l.clock.Now()), "chase")
			return strings.Count(l.trail(t, no), "chased/")
		}
		if n := chased(20 * time.Minute); n != 1 {
			t.Fatalf("重大 chased %d times after 20 minutes; want 1", n)
		}
		if got := l.say(t, "dispatcher1", "定级 "+no+" 较大"); !strings.Contains(got, "原重大事项的报送催办已结束") {
			t.Errorf("定级 较大 → %q; want the old alert ended", got)
		}
		if n := chased(3 * time.Hour); n != 1 {
			t.Errorf("graded 较大, still chased as 重大: %d chases", n)
		}
		if a := l.alerts(t, no); len(a) != 1 || a[0].State != models.AlertEnded {
			t.Errorf("alerts = %+v; want the 重大 one ended", a)
		}
		if got := l.say(t, "leader1", "知悉 "+no); !strings.Contains(got, "不再作为重大事项催报") {
			t.Errorf("知悉 of an ended alert → %q", got)
		}

		t.Run("较大 with its optional clock", func(t *testing.T) {
			l.bot.Settings.ReportUpLarge = 4 * time.Hour
			defer func() { l.bot.Settings.ReportUpLarge = 0 }()
			other := l.citizen(t, "oOther", "幸福小区西门的井盖丢了，很危险")
			if got := l.say(t, "dispatcher1", "定级 "+other+" 较大"); !strings.Contains(got, "已报送领导") {
				t.Errorf("定级 较大 with report_up_large → %q", got)
			}
			a := l.alerts(t, other)
			want := l.caseRow(t, other).ReceivedAt.Add(4 * time.Hour)
			if len(a) != 1 || a[0].State != models.AlertOpen || !a[0].ReportDueAt.Equal(want) {
				t.Errorf("alerts = %+v; want one open, due %v", a, want)
			}
		})
	})
}

func TestReportUp(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		l.wc.AddWebhook("key-upper")
		l.bot.Settings.Leaders.ReportUp = []bot.Recipient{
			{Name: "县网信办", Group: bot.GroupAddress{RobotKey: "key-upper"}},
			{Name: "党组", Members: []bot.MemberRef{{Platform: "wecom", UserID: "leader2"}}},
		}
		start := l.clock.Now() // 2026-11-23 10:00
		onTime := l.citizen(t, citizenOpenID, report)
		l.clock.Set(start.Add(30 * time.Minute))
		late := l.citizen(t, "oOther", "我叫李四，电话13800001111。幸福小区3号楼楼道里堆满杂物，有人受伤")
		l.clock.Set(start.Add(40 * time.Minute))
		l.say(t, "dispatcher1", "定级 "+onTime+" 重大") // due 12:00
		l.clock.Set(start.Add(2 * time.Hour))
		l.say(t, "dispatcher1", "定级 "+late+" 特别重大") // due 11:30: 30 minutes late
		l.flush(t)

		var upper []string
		for _, m := range l.wc.GroupMessages("key-upper") {
			upper = append(upper, m.Text)
		}
		// The deliverer may combine a group's messages into one post.
		all := strings.Join(upper, "\n")
		for _, want := range []string{"**重大事项报告 " + onTime + "**\n> 等级：重大\n> 受理：2026年11月23日 10:00\n> 报送时限：2026年11月23日 12:00",
			"幸福小区东门的路灯坏了一周", "**特别重大事项报告 " + late + "**", "报送时限：2026年11月23日 11:30", "有人受伤"} {
			if !strings.Contains(all, want) {
				t.Errorf("upper group got %q; want %q (grade, facts, deadline)", upper, want)
			}
		}
		for _, secret := range []string{"王小明", "13912345678", "李四", "13800001111"} {
			if strings.Contains(strings.Join(upper, "\n"), secret) {
				t.Errorf("upper group's report shows %q", secret)
			}
		}
		if c := l.cardsFor("leader2", "事项报告"); len(c) != 2 {
			t.Errorf("党组 member leader2 got %d report cards; want 2", len(c))
		}

		events := func(no string) string {
			ev, err := l.store.Events(context.Background(), l.caseRow(t, no).ID)
			modeltest.Must(t, err, "events")
			var out []string
			for _, e := range ev {
				if e.Kind == models.EventReportedUp {
					out = append(out, e.Body)
				}
			}
			return strings.Join(out, "\n")
		}
		if got := events(onTime); !strings.Contains(got, "县网信办、党组") || strings.Contains(got, "迟报") {
			t.Errorf("record of the on-time report = %q; want the recipients, no 迟报", got)
		}
		if got := events(late); !strings.Contains(got, "迟报 30 分钟") {
			t.Errorf("record of the late report = %q; want 迟报 30 分钟", got)
		}
		if a := l.alerts(t, late); len(a) != 1 || !a[0].Late || a[0].ReportedUpAt == nil {
			t.Errorf("alert of the late report = %+v; want late", a)
		}
		if a := l.alerts(t, onTime); len(a) != 1 || a[0].Late {
			t.Errorf("alert of the on-time report = %+v; want not late", a)
		}
		page := l.signIn(t, browserClient(t), l.cardURL(t, "leader1", late))
		if !strings.Contains(page, "迟报 30 分钟") {
			t.Errorf("case page of the late report lacks 迟报 30 分钟")
		}
	})
}

func TestWrittenFeedbackDigest(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		o := newOffice(t, s)
		o.bot.Settings.Rating = ratingSettings(bot.UnsatisfiedReopen)
		o.wc.AddWebhook("key-xf")
		o.bot.Settings.Feedback = []bot.Recipient{
			{Name: "县信访局", Group: bot.GroupAddress{RobotKey: "key-xf"}},
			{Name: "县委办督查室", Members: []bot.MemberRef{{Platform: "wecom", UserID: "leader1"}}},
		}
		const openid = "oFeedback1"
		no := o.citizen(t, openid, report) // Monday 2026-11-23 10:00
		o.say(t, "dispatcher1", "交办 "+no+" cg")
		o.say(t, "cg-officer1", "签收 "+no)
		o.say(t, "cg-officer1", "进展 "+no+" 已到现场查看，灯具损坏，已报修")
		digest := func(at time.Time) []string {
			t.Helper()
			o.clock.Set(at)
			modeltest.Must(t, o.bot.FeedbackDigest(ctx, at), "feedback digest at %v", at)
			o.flush(t)
			var out []string
			for _, m := range o.wc.GroupMessages("key-xf") {
				out = append(out, m.Text)
			}
			return out
		}
		got := digest(modeltest.At(2026, 11, 23, 17, 30))
		if len(got) != 1 {
			t.Fatalf("县信访局 got %d digests; want 1", len(got))
		}
		for _, want := range []string{"书面反馈（县信访局）2026年11月23日", no, "交办", "进展", "已到现场查看", "直到办结为止"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("first digest lacks %q:\n%s", want, got[0])
			}
		}
		for _, secret := range []string{"王小明", "13912345678", openid} {
			if strings.Contains(got[0], secret) {
				t.Errorf("digest shows %q", secret)
			}
		}
		if n := len(o.cardsOrTexts("leader1", "书面反馈（县委办督查室）")); n != 1 {
			t.Errorf("县委办督查室's member got %d digests; want 1", n)
		}
		if got := digest(modeltest.At(2026, 11, 23, 17, 45)); len(got) != 1 {
			t.Errorf("a second run with nothing new sent %d digests in all; want still 1", len(got))
		}

		// The next day: the answer, and the citizen's 满意 closes the case.
		o.clock.Set(modeltest.At(2026, 11, 24, 10, 0))
		o.say(t, "cg-officer1", "答复 "+no+" "+goodAnswer)
		o.say(t, "cg-head", "同意 "+no)
		o.flush(t)
		if r := o.reply(t, openid, "1"); !strings.Contains(r, "已办结归档") {
			t.Fatalf("满意 → %q", r)
		}
		got = digest(modeltest.At(2026, 11, 24, 17, 30))
		if len(got) != 2 || !strings.Contains(got[1], "答复") || !strings.Contains(got[1], "更换灯具") || !strings.Contains(got[1], "办结") || strings.Contains(got[1], "进展") {
			t.Errorf("second digest = %q; want the answer and 办结, not again the progress", got)
		}
		if got := digest(modeltest.At(2026, 11, 25, 17, 30)); len(got) != 2 {
			t.Errorf("after 办结 %d digests in all; want nothing more", len(got))
		}

		// Case by case on the record, and in the 月报.
		var fed []string
		ev, err := s.Events(ctx, o.caseOf(t, no).ID)
		modeltest.Must(t, err, "events")
		for _, e := range ev {
			if e.Kind == models.EventFedBack {
				fed = append(fed, e.Body)
			}
		}
		if want := []string{"书面反馈县信访局：交办、进展（2项）", "书面反馈县委办督查室：交办、进展（2项）",
			"书面反馈县信访局：答复、办结（2项）", "书面反馈县委办督查室：答复、办结（2项）"}; strings.Join(fed, "|") != strings.Join(want, "|") {
			t.Errorf("fed-back records = %q; want %q", fed, want)
		}
		m := &reports.Monthly{Store: s, ReplyTarget: 0.9, SatisfactionTarget: 0.9}
		book, err := m.Workbook(ctx, models.MonthPeriod(o.clock.Now(), modeltest.Shanghai), o.clock.Now())
		modeltest.Must(t, err, "monthly workbook")
		defer book.Close()
		rows, err := book.GetRows(reports.SheetFedBack)
		modeltest.Must(t, err, "rows")
		if len(rows) != 3+4 || rows[3][0] != no || !strings.Contains(rows[3][2], "书面反馈县信访局") {
			t.Errorf("月报 书面反馈 = %q; want the four records of %s", rows, no)
		}
	})
}

// cardsOrTexts lists the app messages member user got that mention want.
func (o *office) cardsOrTexts(user, want string) []string {
	var out []string
	for _, m := range o.appTo(user) {
		if raw := string(mustJSON(m.Raw)); strings.Contains(raw, want) {
			out = append(out, raw)
		}
	}
	return out
}
