package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The county's information officers (舆情信息员) in the end-to-end tests:
// two of 洋湖社区 and one of the enforcement brigade, on WeCom.
var informantMembers = []config.Member{
	{Name: "刘信息", UserID: "inf-yanghu1", Platform: "wecom", Role: "informant", Unit: "潇楚街道洋湖社区"},
	{Name: "陈信息", UserID: "inf-yanghu2", Platform: "wecom", Role: "informant", Unit: "潇楚街道洋湖社区"},
	{Name: "马信息", UserID: "inf-brigade", Platform: "wecom", Role: "informant", Unit: "城管执法一中队"},
}

// TestInformantEndToEnd follows an information officer's week in WeCom:
// 舆情 opens a case through the citizens' intake, marked 信息员 with the
// officer on it and acknowledged with its number; the dispatcher's card and
// the case page name the source; the unit reads the text masked; what a
// citizen would be told (交办, the answer) reaches the officer in WeCom and
// nothing goes to the Official Account; the officer cannot touch the case;
// 报平安 is recorded; on Friday only the officer who filed nothing is
// reminded, once; and the next Monday's weekly summary counts the week per
// officer and unit.
func TestInformantEndToEnd(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		o := buildOffice(t, s, func(cfg *config.Config, _ string) {
			cfg.Org.Members = append(cfg.Org.Members, informantMembers...)
		})
		const report = "舆情 潇楚南路洋湖段路面塌陷，已有车辆陷入，附近住户电话13912345678，请尽快处置"
		r, err := o.member.SendText(ctx, "inf-yanghu1", report, 7001)
		modeltest.Must(t, err, "舆情")
		i := strings.Index(r.Content, "编号：")
		if !strings.HasPrefix(r.Content, "舆情已受理，编号：") || i < 0 || len(r.Content) < i+len("编号：")+11 {
			t.Fatalf("舆情 → %q; want the acknowledgement with the case number", r.Content)
		}
		no := r.Content[i+len("编号：") : i+len("编号：")+11]
		// WeCom delivers the message again: the same answer, no second case.
		again, err := o.member.SendText(ctx, "inf-yanghu1", report, 7001)
		modeltest.Must(t, err, "舆情 again")
		if again.Content != r.Content || countRows(t, s, &models.Case{}, "1 = 1") != 1 {
			t.Errorf("the retry → %q and %d cases; want the same answer and one case", again.Content, countRows(t, s, &models.Case{}, "1 = 1"))
		}

		// The row: 信息员, the officer, the text as written; the message on
		// record as the intake's, the week's report counted.
		k, err := s.CaseByNo(ctx, no)
		modeltest.Must(t, err, "case %s", no)
		var liu models.Member
		modeltest.Must(t, s.DB().Where("user_id = ?", "inf-yanghu1").Take(&liu).Error, "informant")
		if k.Source != models.SourceInformant || k.InformantID == nil || *k.InformantID != liu.ID || k.Status != models.StatusReceived {
			t.Errorf("case %s: source %q, informant %v, status %s; want informant %d, received", no, k.Source, k.InformantID, k.Status, liu.ID)
		}
		if want := strings.TrimPrefix(report, "舆情 "); k.Content != want {
			t.Errorf("case text %q; want %q", k.Content, want)
		}
		if n := countRows(t, s, &models.InboundMessage{}, "platform = ? AND outcome = ? AND case_id = ?", "wecom", "case", k.ID); n != 1 {
			t.Errorf("%d inbound rows of the report; want 1", n)
		}
		if n := countRows(t, s, &models.InformantReport{}, "member_id = ? AND kind = ? AND case_id = ?", liu.ID, models.DutyReport, k.ID); n != 1 {
			t.Errorf("%d duty rows of the report; want 1", n)
		}
		o.flush(t)

		// The dispatcher's card names the source; the dispatcher reads the text whole.
		var card string
		for _, m := range o.appTo("dispatcher1") {
			if p := string(mustJSON(m.Raw)); strings.Contains(p, no) {
				card = p
			}
		}
		for _, want := range []string{"来源", "信息员 刘信息（潇楚街道洋湖社区）", "13912345678", "交办:" + no + ":cg"} {
			if !strings.Contains(card, want) {
				t.Errorf("dispatcher card lacks %q: %.600s", want, card)
			}
		}
		if strings.Contains(card, "反映人") {
			t.Errorf("dispatcher card names a 反映人 for an officer's report: %.600s", card)
		}
		if got := o.say(t, "dispatcher1", "查 "+no); !strings.Contains(got, "来源：信息员 刘信息（潇楚街道洋湖社区）") || strings.Contains(got, "反映人") {
			t.Errorf("dispatcher 查 → %q; want 来源 and no 反映人", got)
		}

		// The officer handles no case, theirs included.
		for _, cmd := range []string{"签收 " + no, "答复 " + no + " 已处理", "查 " + no, "交办 " + no + " cg", "待办"} {
			verb := strings.Fields(cmd)[0]
			if got := o.say(t, "inf-yanghu1", cmd); got != "舆情信息员只能报送舆情和报平安（发送“帮助”查看用法），不能使用“"+verb+"”。" {
				t.Errorf("informant %q → %q; want the refusal naming %s", cmd, got, verb)
			}
		}
		if got := o.say(t, "cg-officer1", "舆情 解放路路灯不亮"); got != "舆情和报平安由各村（社区）、单位的舆情信息员报送。" {
			t.Errorf("officer 舆情 → %q; want the refusal", got)
		}
		if got := o.say(t, "inf-yanghu1", "帮助"); !strings.Contains(got, "舆情 内容") || !strings.Contains(got, "报平安") || strings.Contains(got, "签收") {
			t.Errorf("informant 帮助 → %q; want their two verbs only", got)
		}

		// The case flows like any other: assigned, the unit reads it masked,
		// the officer is told in WeCom.
		if got := o.say(t, "dispatcher1", "交办 "+no+" cg"); !strings.Contains(got, "县城市管理局（牵头）") {
			t.Fatalf("交办 → %q", got)
		}
		o.flush(t)
		group := o.wc.GroupMessages("key-cg")
		if len(group) != 1 || !strings.Contains(group[0].Text, "[电话已隐去]") || strings.Contains(group[0].Text, "13912345678") {
			t.Errorf("cg group got %+v; want the text with the phone masked", group)
		}
		v, err := o.bot.ViewerByUserID(ctx, "wecom", "cg-officer1")
		modeltest.Must(t, err, "officer")
		page, err := o.bot.ViewCase(ctx, v, no)
		modeltest.Must(t, err, "case page")
		if page.Source != "信息员 刘信息（潇楚街道洋湖社区）" || strings.Contains(page.Content, "13912345678") || page.Reporter != "" {
			t.Errorf("officer's case page: source %q, content %q, reporter %q; want the source, the phone masked, no reporter", page.Source, page.Content, page.Reporter)
		}
		o.say(t, "cg-officer1", "签收 "+no)
		answer := "经现场核查，潇楚南路洋湖段塌陷路面已围挡，11月25日完成修复。"
		o.say(t, "cg-officer1", "答复 "+no+" "+answer)
		if got := o.say(t, "cg-head", "同意 "+no); !strings.Contains(got, "已同意") {
			t.Fatalf("head 同意 → %q", got)
		}
		o.flush(t)
		var told []string
		for _, m := range o.appTo("inf-yanghu1") {
			told = append(told, m.Text)
		}
		if len(told) != 2 || !strings.Contains(told[0], "已交由县城市管理局办理") || !strings.Contains(told[1], answer) || strings.Contains(told[1], "评价") {
			t.Errorf("the officer was told %q; want the assignment, then the answer without a request to rate", told)
		}
		if sent := o.mpAPI.Sent(); len(sent) != 0 {
			t.Errorf("the Official Account sent %+v; want nothing for an officer's report", sent)
		}
		if len(o.failed) != 0 {
			t.Errorf("failed deliveries: %+v", o.failed)
		}

		// Tuesday: 报平安 from the second officer of 洋湖社区.
		o.clock.Set(modeltest.At(2026, 11, 24, 9, 0))
		if got := o.say(t, "inf-yanghu2", "报平安 本周辖区无异常"); got != "已记录陈信息的报平安（11月23日—11月29日）。发现情况请随时发送“舆情 内容”。" {
			t.Errorf("报平安 → %q", got)
		}
		if n := countRows(t, s, &models.InformantReport{}, "kind = ? AND note = ?", models.DutySafe, "本周辖区无异常"); n != 1 {
			t.Errorf("%d 报平安 rows; want 1", n)
		}
		if n := countRows(t, s, &models.Case{}, "1 = 1"); n != 1 {
			t.Errorf("%d cases after 报平安; want 1", n)
		}

		// Friday 15:00: the reminder job, run twice, reminds the brigade's
		// officer once and nobody else.
		o.clock.Set(modeltest.At(2026, 11, 27, 15, 0))
		for range 2 {
			runJob(t, jobs.JobInformantRemind, &jobs.Work{Bot: o.bot}, o.clock.Now())
		}
		o.flush(t)
		if got := o.appTo("inf-brigade"); len(got) != 1 || got[0].Text != "马信息，您好：本周（11月23日—11月29日）您还没有报送舆情。有情况请发送“舆情 内容”（写明地点和情况）；没有情况请发送“报平安”。" {
			t.Errorf("inf-brigade got %+v; want one reminder", got)
		}
		for _, u := range []string{"inf-yanghu1", "inf-yanghu2"} {
			for _, m := range o.appTo(u) {
				if strings.Contains(m.Text, "还没有报送") {
					t.Errorf("%s, who reported, was reminded: %q", u, m.Text)
				}
			}
		}

		// The next Monday's weekly summary to the joint-meeting group counts
		// the week per officer and unit.
		o.clock.Set(modeltest.At(2026, 11, 30, 9, 0))
		w := &jobs.Weekly{Store: s, ReplyTarget: 0.9, SatisfactionTarget: 0.9, RateDays: 30, Overdue: 5}
		modeltest.Must(t, w.Run(ctx, o.clock.Now()), "weekly summary")
		o.flush(t)
		var summary string
		for _, m := range o.wc.GroupMessages("key-joint") {
			summary += m.Text
		}
		for _, want := range []string{
			"**信息员报送**：信息员 3 名，报送舆情 1 条，报平安 1 次，未报送 1 名。\n",
			"- 城管执法一中队：舆情 0 条，报平安 0 次，未报送 1 名（马信息 未报送）\n",
			"- 潇楚街道洋湖社区：舆情 1 条，报平安 1 次，未报送 0 名（刘信息 舆情1，陈信息 报平安1）\n",
		} {
			if !strings.Contains(summary, want) {
				t.Errorf("weekly summary lacks %q:\n%s", want, summary)
			}
		}
	})
}

// TestInformantOnDingTalk: an officer working in DingTalk files 舆情 and
// 报平安 through the robot; the WeCom dispatcher's card names them.
func TestInformantOnDingTalk(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s, config.Member{Name: "周信息", UserID: "inf-ding", Platform: "dingtalk", Role: "informant", Unit: "洋湖村"})
		got := o.ding(t, "inf-ding", "舆情：洋湖村桥头护栏断裂，有村民13912345678险些落水")
		i := strings.Index(got, "编号：")
		if !strings.HasPrefix(got, "舆情已受理，编号：") || i < 0 || len(got) < i+len("编号：")+11 {
			t.Fatalf("DingTalk 舆情 → %q; want the acknowledgement with the case number", got)
		}
		no := got[i+len("编号：") : i+len("编号：")+11]
		k, err := s.CaseByNo(context.Background(), no)
		modeltest.Must(t, err, "case %s", no)
		if k.Source != models.SourceInformant || k.InformantID == nil {
			t.Errorf("case %s source %q informant %v; want the officer's", no, k.Source, k.InformantID)
		}
		o.flush(t)
		var card string
		for _, m := range o.appTo("dispatcher1") {
			card += string(mustJSON(m.Raw))
		}
		if !strings.Contains(card, "信息员 周信息（洋湖村）") {
			t.Errorf("dispatcher card lacks the DingTalk officer: %.600s", card)
		}
		if got := o.ding(t, "inf-ding", "报平安"); !strings.HasPrefix(got, "已记录周信息的报平安") {
			t.Errorf("DingTalk 报平安 → %q", got)
		}
	})
}

// runJob runs the job table's job name once at now, as the scheduler and
// run-job do.
func runJob(t *testing.T, name string, w *jobs.Work, now time.Time) {
	t.Helper()
	for _, j := range jobs.Table {
		if j.Name == name {
			modeltest.Must(t, j.Run(context.Background(), w, now), "job %s", name)
			return
		}
	}
	t.Fatalf("no job %s", name)
}

// An information officer's answered case is not rated: when the rating
// clock would remind a citizen, the officer is told in WeCom that it will
// close; then it closes unrated and they are told so. Nothing goes to the
// Official Account.
func TestInformantCaseClosesUnrated(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := buildOffice(t, s, func(cfg *config.Config, _ string) {
			cfg.Org.Members = append(cfg.Org.Members, informantMembers...)
		})
		o.bot.Settings.Rating = ratingSettings(bot.UnsatisfiedReopen)
		got := o.say(t, "inf-brigade", "舆情 人民路垃圾桶满了三天没人清运")
		no := strings.TrimSuffix(strings.TrimPrefix(got, "舆情已受理，编号："), "。已转问政办分办，交办和办理结果会发送给您。")
		if !bot.ValidCaseNo(no) {
			t.Fatalf("舆情 → %q; want the acknowledgement", got)
		}
		o.say(t, "dispatcher1", "交办 "+no+" cg")
		o.say(t, "cg-officer1", "签收 "+no)
		o.say(t, "cg-officer1", "答复 "+no+" 经核查，人民路垃圾桶已于11月23日清运，并已调整为每日清运两次。")
		o.say(t, "cg-head", "同意 "+no)
		o.flush(t)
		told := func() []string {
			var out []string
			for _, m := range o.appTo("inf-brigade") {
				out = append(out, m.Text)
			}
			return out
		}
		start := len(told())
		w := &jobs.Work{Ratings: &jobs.Ratings{Bot: o.bot}}
		o.clock.Set(modeltest.At(2026, 11, 27, 10, 0)) // Friday: three working days after the answer
		runJob(t, jobs.JobRating, w, o.clock.Now())
		o.flush(t)
		if got := told(); len(got) != start+1 || got[start] != "您报送的舆情（编号 "+no+"）已于2026年11月23日答复，将于2026年12月1日 17:30办结归档；如对办理结果有意见，请联系问政办。" {
			t.Errorf("Friday: the officer was told %q; want that it will close", got[start:])
		}
		o.clock.Set(modeltest.At(2026, 12, 2, 10, 0))
		runJob(t, jobs.JobRating, w, o.clock.Now())
		o.flush(t)
		if k := o.caseOf(t, no); k.Status != models.StatusClosed || k.Rating != "" {
			t.Errorf("case %s is %s rated %q; want closed unrated", no, k.Status, k.Rating)
		}
		if got := told(); len(got) != start+2 || got[start+1] != "您报送的舆情（编号 "+no+"）已办结归档。" {
			t.Errorf("the officer was told %q; want the closing", got[start:])
		}
		if sent := o.mpAPI.Sent(); len(sent) != 0 || len(o.failed) != 0 {
			t.Errorf("Official Account sent %+v, failed %+v; want nothing", sent, o.failed)
		}
	})
}
