package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minsheng/bot/wecom/wecomtest"
	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// leaders is an office (workflow_test.go) with the leaders' settings of
// config.yaml: 县城市管理局's answers need its head and then a leader; a
// second leader, 林副县长, covers 住建 and 环保 only; serious cases are
// chased every 15 minutes; and the case page is served with signed links
// and WeCom OAuth through the fake.
type leaders struct {
	*office
	// page is the server, case page and all (server.public_url); cards
	// link to it.
	page   *httptest.Server
	secret []byte
}

const (
	citizenOpenID = "oCitizenWang001"
	report        = "我叫王小明，电话13912345678。幸福小区东门的路灯坏了一周，晚上很黑"
	goodAnswer    = "经核查，幸福小区东门路灯因线路老化损坏，已于11月24日更换灯具并恢复照明。"
)

func newLeaders(t *testing.T, s *models.Store) *leaders {
	t.Helper()
	var secret string
	o := buildOffice(t, s, func(cfg *config.Config, url string) {
		cfg.Server.PublicURL, secret = url, cfg.Server.LinkSecret
		cfg.Org.Members = append(cfg.Org.Members,
			config.Member{Name: "林副县长", UserID: "leader2", Platform: "wecom", Role: "leader", Scope: []string{"zj", "hb"}})
		for i, d := range cfg.Org.Departments {
			if d.Code == "cg" {
				cfg.Org.Departments[i].Review = []string{"head", "leader"}
			}
		}
		cfg.Review = config.Review{
			Default: []string{"head"}, MinAnswerLength: 15, MinConcreteLength: 8,
			SensitiveWords:     []string{"刁民", "无理取闹", "不归我们管"},
			BoilerplatePhrases: []string{"您好", "来信已收悉", "已收悉", "我单位", "高度重视", "认真研究", "正在处理", "请耐心等待", "感谢您的关注", "特此答复"},
		}
		cfg.Serious = config.Serious{ChaseEvery: config.Duration(15 * time.Minute), CriticalKeywords: []string{"爆炸"}, MajorKeywords: []string{"燃气泄漏"}}
	})
	return &leaders{office: o, page: o.srv, secret: []byte(secret)}
}

// handling opens a case from the citizen, assigns it to unit and has
// officer accept it.
func (l *leaders) handling(t *testing.T, openid, text, unit, officer string) string {
	t.Helper()
	no := l.citizen(t, openid, text)
	if got := l.say(t, "dispatcher1", "交办 "+no+" "+unit); !strings.Contains(got, "已将 "+no+" 交办") {
		t.Fatalf("交办 → %q", got)
	}
	if got := l.say(t, officer, "签收 "+no); !strings.HasPrefix(got, "已签收") {
		t.Fatalf("签收 → %q", got)
	}
	l.flush(t)
	return no
}

// cardsFor lists the template cards member user got whose text or buttons
// mention want.
func (l *leaders) cardsFor(user, want string) []wecomtest.AppMessage {
	var out []wecomtest.AppMessage
	for _, m := range l.appTo(user) {
		if m.MsgType == "template_card" && strings.Contains(string(mustJSON(m.Raw)), want) {
			out = append(out, m)
		}
	}
	return out
}

func (l *leaders) caseRow(t *testing.T, no string) *models.Case {
	t.Helper()
	k, err := l.store.CaseByNo(context.Background(), no)
	modeltest.Must(t, err, "case %s", no)
	return k
}

// trail is the record of case no as kind/actor words.
func (l *leaders) trail(t *testing.T, no string) string {
	t.Helper()
	ev, err := l.store.Events(context.Background(), l.caseRow(t, no).ID)
	modeltest.Must(t, err, "events")
	var out []string
	for _, e := range ev {
		out = append(out, string(e.Kind)+"/"+e.ActorName)
	}
	return strings.Join(out, " ")
}

func (l *leaders) citizenGot() []string {
	var out []string
	for _, m := range l.mpAPI.SentTo(citizenOpenID) {
		out = append(out, m.Text)
	}
	return out
}

func TestAnswerReviewChain(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		no := l.handling(t, citizenOpenID, report, "cg", "cg-officer1")

		// Every automatic reason bounces the draft to the officer: the case
		// stays 办理中, the draft is kept as rejected with the reason, and no
		// approver hears of it.
		bounces := []struct{ name, draft, reason string }{
			{"too short", "路灯已修好。", "答复太短（6字，至少15字）"},
			{"sensitive word", "经核查，反映人属于无理取闹，路灯完好，不予处理，请勿再反映。", "不当用语“无理取闹”"},
			{"mobile number", "经核查已修复，如仍不亮请联系电工李师傅13812345678，谢谢反映。", "手机号码"},
			{"id number", "经核查，业主110101199003074518已于11月24日补办手续，路灯恢复。", "身份证号码"},
			{"boilerplate only", "您好，来信已收悉，我单位高度重视，正在处理，请耐心等待。", "程序化语言"},
		}
		for _, b := range bounces {
			got := l.say(t, "cg-officer1", "答复 "+no+" "+b.draft)
			if !strings.Contains(got, "答复未通过自动审核") || !strings.Contains(got, b.reason) {
				t.Errorf("%s: 答复 → %q; want the bounce with %q", b.name, got, b.reason)
			}
		}
		if k := l.caseRow(t, no); k.Status != models.StatusHandling {
			t.Errorf("after the bounces the case is %s; want handling", k.Status)
		}
		var rejected []models.Answer
		s.DB().Where("case_id = ? AND state = ?", l.caseRow(t, no).ID, models.AnswerRejected).Order("id").Find(&rejected)
		if len(rejected) != len(bounces) {
			t.Fatalf("rejected drafts = %d; want %d", len(rejected), len(bounces))
		}
		for i, r := range rejected {
			if r.DecidedBy != 0 || !strings.HasPrefix(r.Comment, "自动审核：") || !strings.Contains(r.Comment, bounces[i].reason) {
				t.Errorf("draft %d kept as %+v; want rejected by the system with %q", i, r, bounces[i].reason)
			}
		}
		l.flush(t)
		if n := len(l.cardsFor("cg-head", "答复待审核")); n != 0 {
			t.Errorf("head got %d review cards for bounced drafts; want 0", n)
		}

		if got := l.say(t, "cg-officer1", "答复 "+no+" "+goodAnswer); !strings.Contains(got, "待部门负责人、分管领导依次同意") {
			t.Fatalf("good 答复 → %q", got)
		}
		l.flush(t)
		cards := l.cardsFor("cg-head", "答复待审核")
		if len(cards) != 1 {
			t.Fatalf("head got %d review cards; want 1", len(cards))
		}
		raw := string(mustJSON(cards[0].Raw))
		for _, want := range []string{goodAnswer, "同意:" + no, "退回修改:" + no, "第1/2级", l.page.URL + "/case/" + no + "?t=",
			"问题：我叫[姓名已隐去]，电话[电话已隐去]。幸福小区东门的路灯坏了一周，晚上很黑\\n答复稿：" + goodAnswer} {
			if !strings.Contains(raw, want) {
				t.Errorf("head's review card lacks %q: %s", want, raw)
			}
		}
		for _, leak := range []string{"王小明", "13912345678"} {
			if strings.Contains(raw, leak) {
				t.Errorf("head's review card shows the reporter's %q: %s", leak, raw)
			}
		}
		if n := len(l.cardsFor("leader1", "答复待审核")); n != 0 {
			t.Errorf("leader got a review card before the head approved")
		}

		steps := []struct{ user, say, want string }{
			{"cg-officer1", "同意 " + no, "只有部门负责人可以同意答复"},
			{"leader1", "同意 " + no, "正待部门负责人审核"},
			{"zj-head", "同意 " + no, "未交办给您的单位"},
		}
		for _, st := range steps {
			if got := l.say(t, st.user, st.say); !strings.Contains(got, st.want) {
				t.Errorf("%s: %q → %q; want %q", st.user, st.say, got, st.want)
			}
		}
		if got := l.click(t, "cg-head", no, "同意:"+no); got != "已同意" {
			t.Errorf("head's 同意 button → %q", got)
		}
		l.flush(t)
		if got := l.citizenGot(); len(got) != 1 {
			t.Fatalf("citizen got %q after the head's approval; want only the assignment", got)
		}
		if n := len(l.cardsFor("leader1", "答复待审核")); n != 1 {
			t.Fatalf("leader1 got %d review cards after the head approved; want 1", n)
		}
		if n := len(l.cardsFor("leader2", no)); n != 0 {
			t.Errorf("leader2, whose scope is 住建/环保, got %d cards of a 城管 case", n)
		}
		if got := l.say(t, "leader1", "待办"); !strings.Contains(got, "待您处理（1件）") || !strings.Contains(got, no+" 【答复待审核】") {
			t.Errorf("leader1 待办 → %q; want the draft waiting for them", got)
		}
		if got := l.say(t, "leader2", "待办"); strings.Contains(got, no) {
			t.Errorf("leader2 待办 lists a case outside their scope: %q", got)
		}
		for _, st := range []struct{ user, say, want string }{
			{"leader2", "同意 " + no, "不在您分管的范围内"},
			{"leader2", "查 " + no, "不在您分管的范围内"},
			{"cg-head", "同意 " + no, "正待分管领导审核"},
		} {
			if got := l.say(t, st.user, st.say); !strings.Contains(got, st.want) {
				t.Errorf("%s: %q → %q; want %q", st.user, st.say, got, st.want)
			}
		}
		if got := l.click(t, "leader1", no, "同意:"+no); got != "已同意" {
			t.Errorf("leader's 同意 button → %q", got)
		}
		l.flush(t)

		got := l.citizenGot()
		if len(got) != 2 || !strings.Contains(got[1], goodAnswer) {
			t.Fatalf("citizen got %q; want the assignment and then the approved answer", got)
		}
		if k := l.caseRow(t, no); k.Status != models.StatusAnswered || k.Answer != goodAnswer {
			t.Errorf("case is %s with %q; want answered with the approved text", k.Status, k.Answer)
		}
		trail := l.trail(t, no)
		for _, w := range []string{"rejected/系统", "draft/李承办", "reviewed/赵局长", "approved/陈县长", "delivered/系统", "refused/林副县长"} {
			if !strings.Contains(trail, w) {
				t.Errorf("record %s lacks %s", trail, w)
			}
		}
		var stepRows []models.ReviewStep
		s.DB().Order("step").Find(&stepRows)
		if len(stepRows) != 2 || stepRows[0].State != models.StepApproved || stepRows[1].State != models.StepApproved {
			t.Errorf("review steps = %+v; want head and leader approved", stepRows)
		}
	})
}

func TestAnswerRevise(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		no := l.handling(t, citizenOpenID, report, "cg", "cg-officer1")
		l.say(t, "cg-officer1", "答复 "+no+" "+goodAnswer)
		l.flush(t)

		// 退回 from an officer while 审核中 keeps its unit-return meaning,
		// which the state refuses; the head's 退回修改 button asks for the comment.
		if got := l.say(t, "cg-officer1", "退回 "+no+" 不是我们的事"); !strings.Contains(got, "不能退回") {
			t.Errorf("officer 退回 while reviewing → %q; want the unit-return refusal", got)
		}
		if got := l.click(t, "cg-head", no, "退回修改:"+no); got != "请填写修改意见" {
			t.Errorf("退回修改 button → %q; want it to ask for the comment", got)
		}
		if got := l.say(t, "cg-head", "退回修改 "+no+" 请写明具体的维修日期"); !strings.Contains(got, "已将 "+no+" 的答复稿退回修改") {
			t.Fatalf("head 退回修改 → %q", got)
		}
		l.flush(t)
		if k := l.caseRow(t, no); k.Status != models.StatusHandling {
			t.Errorf("after 退回修改 the case is %s; want handling", k.Status)
		}
		if c := l.cardsFor("cg-officer1", "请写明具体的维修日期"); len(c) != 1 {
			t.Errorf("author got %d cards with the comment; want 1", len(c))
		}

		// Second draft: the head approves, the leader sends it back with
		// 退回 (an approver's 退回 while 审核中 means 退回修改).
		second := "经核查，东门路灯线路老化，已于11月24日下午更换灯具，当晚恢复照明。"
		l.say(t, "cg-officer1", "答复 "+no+" "+second)
		l.say(t, "cg-head", "同意 "+no)
		if got := l.say(t, "leader1", "退回 "+no+" 请说明后续如何防止再次损坏"); !strings.Contains(got, "退回修改") || !strings.Contains(got, "李承办") || !strings.Contains(got, "赵局长") {
			t.Errorf("leader 退回 while reviewing → %q; want 退回修改 told to the author and the head", got)
		}
		l.flush(t)
		for _, u := range []string{"cg-officer1", "cg-head"} {
			if c := l.cardsFor(u, "请说明后续如何防止再次损坏"); len(c) != 1 {
				t.Errorf("%s got %d cards with the leader's comment; want 1", u, len(c))
			}
		}
		if got := l.citizenGot(); len(got) != 1 {
			t.Errorf("citizen got %q; want only the assignment while drafts are sent back", got)
		}

		third := second + "已安排每月巡查一次线路。"
		l.say(t, "cg-officer1", "答复 "+no+" "+third)
		l.say(t, "cg-head", "同意 "+no)
		if got := l.say(t, "leader1", "同意 "+no); !strings.Contains(got, "正在发送给群众") {
			t.Errorf("leader 同意 → %q", got)
		}
		l.flush(t)
		if got := l.citizenGot(); len(got) != 2 || !strings.Contains(got[1], third) {
			t.Errorf("citizen got %q; want the third draft", got)
		}
		var answers []models.Answer
		s.DB().Order("id").Find(&answers)
		var states []string
		for _, a := range answers {
			states = append(states, a.State+":"+a.Comment)
		}
		want := "rejected:请写明具体的维修日期 rejected:请说明后续如何防止再次损坏 approved:"
		if strings.Join(states, " ") != want {
			t.Errorf("drafts = %q; want %q", strings.Join(states, " "), want)
		}

		// A unit's 退回 of a case it should not handle still works.
		other := l.citizen(t, "oOther", "小区燃气管道有异味，物业不处理")
		l.say(t, "dispatcher1", "交办 "+other+" zj")
		if got := l.say(t, "zj-officer1", "退回 "+other+" 不属于本单位职责，建议交燃气公司"); !strings.Contains(got, "已退回") {
			t.Errorf("unit 退回 → %q; want the case returned to the dispatcher", got)
		}
		if k := l.caseRow(t, other); k.Status != models.StatusReceived {
			t.Errorf("returned case is %s; want received", k.Status)
		}
	})
}

func TestExtensionDecisions(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		// Tuesday 2026-09-15: 7 working days, with Sunday 09-20 a working
		// day, fall due Wednesday 09-23 at 17:30.
		l.clock.Set(modeltest.At(2026, 9, 15, 10, 0))
		no := l.handling(t, citizenOpenID, report, "cg", "cg-officer1")
		if due := l.caseRow(t, no).DueAt; due == nil || !due.Equal(modeltest.At(2026, 9, 23, 17, 30)) {
			t.Fatalf("due = %v; want 2026-09-23 17:30", due)
		}

		// deadlines.extension_workdays (5) is the total of the case.
		if got := l.say(t, "cg-officer1", "延期 "+no+" 9 需要协调"); !strings.Contains(got, "剩余可延期 5 个工作日") {
			t.Errorf("延期 9 → %q; want the cap", got)
		}
		reason := "需协调供电公司更换变压器"
		if got := l.say(t, "cg-officer1", "延期 "+no+" 3 "+reason); !strings.Contains(got, "待领导审批") || !strings.Contains(got, "2026年9月29日") {
			t.Fatalf("延期 3 → %q; want it sent to the leader with 09-29", got)
		}
		l.flush(t)
		cards := l.cardsFor("leader1", "延期申请")
		if len(cards) != 1 {
			t.Fatalf("leader1 got %d extension cards; want 1", len(cards))
		}
		raw := string(mustJSON(cards[0].Raw))
		// Three working days after 09-23 skip the Mid-Autumn holiday
		// (09-25..09-27): 09-24, 09-28, 09-29.
		for _, want := range []string{reason, "3个工作日", "2026年9月23日 17:30", "2026年9月29日 17:30", "批准延期:" + no, "驳回延期:" + no} {
			if !strings.Contains(raw, want) {
				t.Errorf("extension card lacks %q: %s", want, raw)
			}
		}
		if n := len(l.cardsFor("leader2", "延期申请")); n != 0 {
			t.Errorf("leader2 (住建/环保) got %d extension cards of a 城管 case", n)
		}
		for _, st := range []struct{ user, say, want string }{
			{"cg-officer1", "延期 " + no + " 2 再等等", "已有延期申请待领导审批"},
			{"cg-officer1", "批准延期 " + no, "只有领导可以审批延期申请"},
			{"cg-head", "批准延期 " + no, "只有领导可以审批延期申请"},
			{"leader2", "批准延期 " + no, "不在您分管的范围内"},
		} {
			if got := l.say(t, st.user, st.say); !strings.Contains(got, st.want) {
				t.Errorf("%s: %q → %q; want %q", st.user, st.say, got, st.want)
			}
		}
		if got := l.click(t, "leader1", no, "批准延期:"+no); got != "已同意延期" {
			t.Errorf("同意 button → %q", got)
		}
		l.flush(t)
		k := l.caseRow(t, no)
		if k.DueAt == nil || !k.DueAt.Equal(modeltest.At(2026, 9, 29, 17, 30)) {
			t.Errorf("due after the extension = %v; want 2026-09-29 17:30", k.DueAt)
		}
		got := l.citizenGot()
		if len(got) != 2 || !strings.Contains(got[1], reason) || !strings.Contains(got[1], "2026年9月29日 17:30") {
			t.Errorf("citizen got %q; want the reason and the new date", got)
		}
		if g := l.wc.GroupMessages("key-cg"); len(g) == 0 || !strings.Contains(g[len(g)-1].Text, "延期已批准") {
			t.Errorf("cg group's last message is not the approval: %+v", g)
		}
		if c := l.cardsFor("cg-officer1", "延期已批准"); len(c) != 1 {
			t.Errorf("the officer who asked got %d approval cards; want 1", len(c))
		}
		var ext []models.Extension
		s.DB().Order("id").Find(&ext)
		if len(ext) != 1 || ext[0].State != models.ExtensionApproved || ext[0].NewDueAt == nil || !ext[0].NewDueAt.Equal(modeltest.At(2026, 9, 29, 17, 30)) {
			t.Errorf("extension rows = %+v; want one approved to 09-29", ext)
		}
		trail := l.trail(t, no)
		for _, w := range []string{"extension/李承办", "extension_approved/陈县长", "deadline/陈县长"} {
			if !strings.Contains(trail, w) {
				t.Errorf("record %s lacks %s", trail, w)
			}
		}

		// 3 of 5 used: 3 more are refused before they reach a leader.
		if got := l.say(t, "cg-officer1", "延期 "+no+" 3 变压器到货推迟"); !strings.Contains(got, "剩余可延期 2 个工作日") {
			t.Errorf("延期 3 after 3 approved → %q; want 剩余可延期 2 个工作日", got)
		}
		// A second request within the total, rejected: the unit is told
		// why, the deadline stands and the citizen hears nothing.
		l.say(t, "cg-officer1", "延期 "+no+" 2 变压器到货推迟")
		l.flush(t)
		if got := l.click(t, "leader1", no, "驳回延期:"+no); got != "请填写理由" {
			t.Errorf("不同意 button → %q; want it to ask for the reason", got)
		}
		if got := l.say(t, "leader1", "驳回延期 "+no+" 请协调临时照明，按期办结"); !strings.Contains(got, "已驳回") {
			t.Errorf("驳回延期 → %q", got)
		}
		l.flush(t)
		if k := l.caseRow(t, no); !k.DueAt.Equal(modeltest.At(2026, 9, 29, 17, 30)) {
			t.Errorf("due after a rejection = %v; want unchanged", k.DueAt)
		}
		if g := l.wc.GroupMessages("key-cg"); !strings.Contains(g[len(g)-1].Text, "延期未获批准") || !strings.Contains(g[len(g)-1].Text, "请协调临时照明") {
			t.Errorf("cg group's last message = %q; want the rejection with the reason", g[len(g)-1].Text)
		}
		if c := l.cardsFor("cg-officer1", "请协调临时照明"); len(c) != 1 {
			t.Errorf("the officer got %d rejection cards; want 1", len(c))
		}
		if got := l.citizenGot(); len(got) != 2 {
			t.Errorf("citizen got %d messages after a rejection; want still 2", len(got))
		}
		if got := l.say(t, "leader1", "批准延期 "+no); !strings.Contains(got, "没有待审批的延期申请") {
			t.Errorf("批准延期 with nothing pending → %q", got)
		}
	})
}

func TestInstruction(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		no := l.citizen(t, citizenOpenID, report)
		l.say(t, "dispatcher1", "交办 "+no+" cg 协办 zj")
		l.flush(t)
		text := "请城管局今天到现场，住建局配合排查线路，本周内办结。"
		for _, st := range []struct{ user, say, want string }{
			{"cg-officer1", "批示 " + no + " 我也批示一下", "只有领导可以批示"},
			{"dispatcher1", "批示 " + no + " 加快", "只有领导可以批示"},
			{"leader1", "批示 " + no + " " + text, "已批示 " + no},
		} {
			if got := l.say(t, st.user, st.say); !strings.Contains(got, st.want) {
				t.Errorf("%s: %q → %q; want %q", st.user, st.say, got, st.want)
			}
		}
		l.flush(t)
		for _, key := range []string{"key-cg", "key-zj"} {
			g := l.wc.GroupMessages(key)
			if len(g) == 0 || !strings.Contains(g[len(g)-1].Text, text) || !strings.Contains(g[len(g)-1].Text, "陈县长") {
				t.Errorf("%s did not get the 批示: %+v", key, g)
			}
		}
		for _, u := range []string{"cg-head", "zj-head", "dispatcher1"} {
			if c := l.cardsFor(u, text); len(c) != 1 {
				t.Errorf("%s got %d 批示 cards; want 1", u, len(c))
			}
		}
		if !strings.Contains(l.trail(t, no), "instructed/陈县长") {
			t.Errorf("record lacks the 批示: %s", l.trail(t, no))
		}

		// The dispatcher tracks it until the lead unit reports progress; the
		// co-handling unit's progress does not count.
		if got := l.say(t, "dispatcher1", "待办"); !strings.Contains(got, "未落实的领导批示") || !strings.Contains(got, no+" ") {
			t.Errorf("dispatcher 待办 → %q; want the open 批示", got)
		}
		if got := l.say(t, "dispatcher1", "查 "+no); !strings.Contains(got, "未落实") {
			t.Errorf("dispatcher 查 → %q; want the 批示 open", got)
		}
		l.clock.Add(time.Minute)
		l.say(t, "zj-officer1", "签收 "+no)
		l.say(t, "zj-officer1", "进展 "+no+" 已排查小区燃气线路")
		if got := l.say(t, "dispatcher1", "待办"); !strings.Contains(got, "未落实的领导批示") {
			t.Errorf("after the co-unit's 进展 the 批示 left 待办: %q", got)
		}
		l.say(t, "cg-officer1", "签收 "+no)
		l.say(t, "cg-officer1", "进展 "+no+" 已到现场，今晚更换灯具")
		if got := l.say(t, "dispatcher1", "待办"); strings.Contains(got, "未落实的领导批示") {
			t.Errorf("after the lead unit's 进展 待办 still lists the 批示: %q", got)
		}
		if got := l.say(t, "dispatcher1", "查 "+no); !strings.Contains(got, "已报进展") {
			t.Errorf("dispatcher 查 → %q; want the 批示 acted on", got)
		}
		// 林副县长 covers 住建, the co-handling unit: the case is in scope.
		if got := l.say(t, "leader2", "批示 "+no+" 住建局要积极配合"); !strings.Contains(got, "已批示") {
			t.Errorf("leader2 批示 on a case with 住建 → %q", got)
		}
	})
}

func TestSeriousChase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		ctx := context.Background()
		start := l.clock.Now()
		// The keyword rule grades it 特别重大 at intake, before any dispatcher reads it.
		no := l.citizen(t, citizenOpenID, "幸福小区3号楼燃气管道爆炸，有人受伤")
		l.flush(t)
		if k := l.caseRow(t, no); k.Severity != models.SeverityCritical {
			t.Fatalf("severity = %s; want 特别重大 from the keyword rule", k.Severity)
		}
		cards := l.cardsFor("leader1", "知悉:"+no)
		if len(cards) != 1 || !strings.Contains(string(mustJSON(cards[0].Raw)), "2026年11月23日 11:00") {
			t.Fatalf("leader1 got %d 特别重大 cards (want 1, with the 1-hour report-up deadline 11:00): %+v", len(cards), cards)
		}
		if n := len(l.appTo("leader2")); n != 0 {
			t.Errorf("leader2 (scope 住建/环保) got %d messages of an unassigned case", n)
		}
		joint := func() []string {
			var out []string
			for _, m := range l.wc.GroupMessages("key-joint") {
				out = append(out, m.Text)
			}
			return out
		}
		if j := joint(); len(j) != 1 || !strings.Contains(j[0], "特别重大事项 "+no) {
			t.Fatalf("joint group got %q; want the 特别重大 report", j)
		}

		chase := func(after time.Duration) {
			t.Helper()
			l.clock.Set(start.Add(after))
			modeltest.Must(t, l.bot.ChaseSerious(ctx, l.clock.Now()), "chase at +%v", after)
			l.flush(t)
		}
		chase(10 * time.Minute) // not yet: chased every 15 minutes
		if n := len(joint()); n != 1 {
			t.Errorf("chased before serious.chase_every: joint has %d messages", n)
		}
		chase(16 * time.Minute)
		chase(16 * time.Minute) // the same round again: nothing twice
		if j := joint(); len(j) != 2 || !strings.Contains(j[1], "催报") || !strings.Contains(j[1], "第1次") {
			t.Errorf("joint after the first chase = %q; want one 催报", j)
		}
		if c := l.cardsFor("leader1", "催报"); len(c) != 1 {
			t.Errorf("leader1 got %d chase cards; want 1", len(c))
		}
		chase(32 * time.Minute)
		chase(64 * time.Minute)
		if j := joint(); len(j) != 4 || !strings.Contains(j[3], "第3次") || !strings.Contains(j[3], "已超过报送时限") {
			t.Errorf("joint after 64 minutes = %q; want a third chase past the deadline", j)
		}

		if got := l.say(t, "dispatcher1", "知悉 "+no); !strings.Contains(got, "只有领导可以知悉") {
			t.Errorf("dispatcher 知悉 → %q", got)
		}
		if got := l.click(t, "leader1", no, "知悉:"+no); got != "已知悉" {
			t.Errorf("知悉 button → %q", got)
		}
		l.flush(t)
		if j := joint(); !strings.Contains(j[len(j)-1], "已由陈县长知悉") {
			t.Errorf("joint's last message = %q; want the acknowledgement", j[len(j)-1])
		}
		n := len(joint())
		chase(3 * time.Hour)
		if len(joint()) != n {
			t.Errorf("chased after a leader acknowledged")
		}
		if got := l.say(t, "leader1", "知悉 "+no); !strings.Contains(got, "您已知悉") {
			t.Errorf("second 知悉 → %q", got)
		}
		trail := l.trail(t, no)
		for _, w := range []string{"severity/系统", "chased/系统", "acknowledged/陈县长"} {
			if !strings.Contains(trail, w) {
				t.Errorf("record %s lacks %s", trail, w)
			}
		}

		// 定级 by the dispatcher reaches every leader whose scope has the case.
		other := l.citizen(t, "oOther", "小区物业把消防通道堵了，住户出不去")
		l.say(t, "dispatcher1", "交办 "+other+" zj")
		if got := l.say(t, "dispatcher1", "定级 "+other+" 重大"); !strings.Contains(got, "已报送领导") {
			t.Errorf("定级 重大 → %q", got)
		}
		l.flush(t)
		for _, u := range []string{"leader1", "leader2"} {
			if c := l.cardsFor(u, "知悉:"+other); len(c) != 1 {
				t.Errorf("%s got %d 重大 cards for a 住建 case; want 1", u, len(c))
			}
		}
	})
}

// browserClient keeps cookies and does not follow redirects, so each step
// of the page's sign-in can be looked at.
func browserClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	modeltest.Must(t, err, "cookie jar")
	return &http.Client{Jar: jar, Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	modeltest.Must(t, err, "%s %s", method, u)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// cardURL is the case-page link of the newest card member user got for case no.
func (l *leaders) cardURL(t *testing.T, user, no string) string {
	t.Helper()
	for _, m := range reverse(l.appTo(user)) {
		if card, ok := m.Raw["template_card"].(map[string]any); ok {
			if a, ok := card["card_action"].(map[string]any); ok {
				if u, _ := a["url"].(string); strings.Contains(u, "/case/"+no+"?") {
					return u
				}
			}
		}
	}
	t.Fatalf("%s has no card linking to case %s", user, no)
	return ""
}

var (
	csrfRe  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	nonceRe = regexp.MustCompile(`name="nonce" value="([^"]+)"`)
)

// signIn opens a signed link and returns the page it leads to.
func (l *leaders) signIn(t *testing.T, c *http.Client, link string) string {
	t.Helper()
	code, _, h := fetch(t, c, http.MethodGet, link, nil)
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/case/") {
		t.Fatalf("GET %s → %d %s; want 303 to the bare case page", link, code, h.Get("Location"))
	}
	code, body, _ := fetch(t, c, http.MethodGet, l.page.URL+h.Get("Location"), nil)
	if code != http.StatusOK {
		t.Fatalf("case page → %d: %s", code, body)
	}
	return body
}

func TestCasePage(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		l := newLeaders(t, s)
		no := l.handling(t, citizenOpenID, report, "cg", "cg-officer1")
		l.say(t, "cg-officer1", "答复 "+no+" "+goodAnswer)
		l.say(t, "cg-head", "同意 "+no)
		l.flush(t)
		link := l.cardURL(t, "leader1", no)
		pageURL := l.page.URL + "/case/" + no
		alias := models.CitizenAlias(l.caseRow(t, no).CitizenID)
		secrets := []string{"王小明", "13912345678", citizenOpenID, alias}

		t.Run("signed link", func(t *testing.T) {
			c := browserClient(t)
			body := l.signIn(t, c, link)
			for _, want := range []string{goodAnswer, `id="approve"`, "退回修改", "[姓名已隐去]", "陈县长（领导）"} {
				if !strings.Contains(body, want) {
					t.Errorf("leader's page lacks %q", want)
				}
			}
			for _, secret := range secrets {
				if strings.Contains(body, secret) {
					t.Errorf("leader's page shows %q", secret)
				}
			}
		})

		t.Run("card action preselected, not run", func(t *testing.T) {
			// DingTalk's card buttons open the page with ?action=<verb>:<no>.
			c := browserClient(t)
			body := l.signIn(t, c, link+"&action="+url.QueryEscape("同意:"+no))
			if !strings.Contains(body, `btn primary selected" type="submit" id="approve"`) {
				t.Errorf("the 同意 button is not marked as the card's choice")
			}
			if k := l.caseRow(t, no); k.Status != models.StatusReviewing {
				t.Errorf("opening the page with an action changed the case to %s; want it untouched", k.Status)
			}
			other := browserClient(t)
			if body := l.signIn(t, other, link+"&action="+url.QueryEscape("同意:20260101001")); strings.Contains(body, "selected\"") {
				t.Errorf("an action for another case was preselected")
			}
		})

		t.Run("tampered link", func(t *testing.T) {
			for name, bad := range map[string]string{
				"signature": link[:len(link)-2] + "xx",
				"member":    strings.Replace(link, "?t=", "?t=1", 1),
				"case":      strings.Replace(link, "/case/"+no, "/case/"+no[:10]+"9", 1),
			} {
				code, body, _ := fetch(t, browserClient(t), http.MethodGet, bad, nil)
				if code != http.StatusForbidden || !strings.Contains(body, "链接无效") {
					t.Errorf("%s tampered → %d; want 403 链接无效", name, code)
				}
			}
		})

		t.Run("no identity", func(t *testing.T) {
			code, _, h := fetch(t, browserClient(t), http.MethodGet, pageURL, nil)
			if code != http.StatusFound || !strings.HasPrefix(h.Get("Location"), "https://open.weixin.qq.com/connect/oauth2/authorize?") {
				t.Errorf("bare page without a session → %d %s; want WeCom OAuth", code, h.Get("Location"))
			}
		})

		t.Run("csrf", func(t *testing.T) {
			c := browserClient(t)
			body := l.signIn(t, c, link)
			token := csrfRe.FindStringSubmatch(body)[1]
			other := browserClient(t)
			otherToken := csrfRe.FindStringSubmatch(l.signIn(t, other, link))[1]
			for name, form := range map[string]url.Values{
				"missing":       {"verb": {"同意"}},
				"wrong":         {"verb": {"同意"}, "csrf": {wrongToken(token)}},
				"other session": {"verb": {"同意"}, "csrf": {otherToken}},
			} {
				code, _, _ := fetch(t, c, http.MethodPost, pageURL+"/act", form)
				if code != http.StatusForbidden {
					t.Errorf("POST with %s csrf → %d; want 403", name, code)
				}
			}
			if code, _, _ := fetch(t, browserClient(t), http.MethodPost, pageURL+"/act", url.Values{"verb": {"同意"}, "csrf": {token}}); code != http.StatusUnauthorized {
				t.Errorf("POST without a session → %d; want 401", code)
			}
			if k := l.caseRow(t, no); k.Status != models.StatusReviewing {
				t.Fatalf("case is %s after refused posts; want still reviewing", k.Status)
			}
		})

		t.Run("out of scope", func(t *testing.T) {
			var m models.Member
			s.DB().Where("user_id = ?", "leader2").First(&m)
			c := browserClient(t)
			tok := l.bot.Settings.Links.Sign(m.ID, no, l.clock.Now().Add(time.Hour))
			code, _, h := fetch(t, c, http.MethodGet, pageURL+"?t="+url.QueryEscape(tok), nil)
			if code != http.StatusSeeOther {
				t.Fatalf("leader2's link → %d", code)
			}
			code, body, _ := fetch(t, c, http.MethodGet, l.page.URL+h.Get("Location"), nil)
			if code != http.StatusForbidden || !strings.Contains(body, "不在您分管的范围内") || strings.Contains(body, goodAnswer) {
				t.Errorf("leader2's page → %d; want 403 without the case", code)
			}
		})

		t.Run("approve through the page", func(t *testing.T) {
			c := browserClient(t)
			body := l.signIn(t, c, link)
			form := url.Values{"verb": {"同意"}, "csrf": {csrfRe.FindStringSubmatch(body)[1]}, "nonce": {nonceRe.FindStringSubmatch(body)[1]}}
			for i := 0; i < 2; i++ { // a double submission counts once
				code, _, h := fetch(t, c, http.MethodPost, pageURL+"/act", form)
				if code != http.StatusSeeOther || h.Get("Location") != "/case/"+no {
					t.Fatalf("POST 同意 → %d %s; want 303 back to the page", code, h.Get("Location"))
				}
			}
			code, body, _ := fetch(t, c, http.MethodGet, pageURL, nil)
			if code != http.StatusOK || !strings.Contains(body, "已同意 "+no+" 的答复") || strings.Contains(body, `id="approve"`) {
				t.Errorf("page after approving → %d; want the reply and no 同意 button", code)
			}
			l.flush(t)
			if got := l.citizenGot(); len(got) != 2 || !strings.Contains(got[1], goodAnswer) {
				t.Errorf("citizen got %q; want the answer once", got)
			}
			if !strings.Contains(l.trail(t, no), "approved/陈县长") {
				t.Errorf("record lacks the page's approval: %s", l.trail(t, no))
			}
		})

		t.Run("units never see who reported", func(t *testing.T) {
			body := l.signIn(t, browserClient(t), l.cardURL(t, "cg-officer1", no))
			if !strings.Contains(body, "幸福小区东门的路灯坏了一周") {
				t.Errorf("officer's page lacks the problem")
			}
			for _, secret := range append(secrets, "反映人") {
				if strings.Contains(body, secret) {
					t.Errorf("officer's page shows %q", secret)
				}
			}
		})

		t.Run("dispatcher sees and the look is logged", func(t *testing.T) {
			var m models.Member
			s.DB().Where("user_id = ?", "dispatcher1").First(&m)
			tok := l.bot.Settings.Links.Sign(m.ID, no, l.clock.Now().Add(time.Hour))
			var before, after int64
			s.DB().Model(&models.CaseEvent{}).Where("kind = ?", models.EventIdentity).Count(&before)
			body := l.signIn(t, browserClient(t), pageURL+"?t="+url.QueryEscape(tok))
			s.DB().Model(&models.CaseEvent{}).Where("kind = ?", models.EventIdentity).Count(&after)
			if !strings.Contains(body, alias) || !strings.Contains(body, "13912345678") || strings.Contains(body, citizenOpenID) {
				t.Errorf("dispatcher's page should show the alias and phone, never the openid")
			}
			if after != before+1 {
				t.Errorf("identity looks %d → %d; want one more", before, after)
			}
		})

		t.Run("revise through the page", func(t *testing.T) {
			other := l.handling(t, "oOther", "解放路井盖丢失，夜里很危险", "cg", "cg-officer1")
			l.say(t, "cg-officer1", "答复 "+other+" 经核查，解放路井盖被盗，已于11月23日补装新井盖并加装防盗链。")
			l.say(t, "cg-head", "同意 "+other)
			l.flush(t)
			c := browserClient(t)
			body := l.signIn(t, c, l.cardURL(t, "leader1", other))
			form := url.Values{"verb": {"退回修改"}, "text": {"请写明\n补装的具体时间"}, "csrf": {csrfRe.FindStringSubmatch(body)[1]}, "nonce": {nonceRe.FindStringSubmatch(body)[1]}}
			if code, _, _ := fetch(t, c, http.MethodPost, l.page.URL+"/case/"+other+"/act", form); code != http.StatusSeeOther {
				t.Fatalf("POST 退回修改 → %d", code)
			}
			_, body, _ = fetch(t, c, http.MethodGet, l.page.URL+"/case/"+other, nil)
			if !strings.Contains(body, "退回修改，意见已告知李承办、赵局长") {
				t.Errorf("page after 退回修改 lacks the reply")
			}
			if k := l.caseRow(t, other); k.Status != models.StatusHandling {
				t.Errorf("case after the page's 退回修改 is %s; want handling", k.Status)
			}
			l.flush(t)
			if c := l.cardsFor("cg-officer1", "补装的具体时间"); len(c) != 1 {
				t.Errorf("author got %d cards with the page's comment; want 1", len(c))
			}
		})

		t.Run("expired link and WeCom OAuth", func(t *testing.T) {
			l.clock.Add(73 * time.Hour)
			c := browserClient(t)
			code, _, h := fetch(t, c, http.MethodGet, link, nil)
			loc, _ := url.Parse(h.Get("Location"))
			if code != http.StatusFound || loc.Host != "open.weixin.qq.com" || loc.Query().Get("appid") != corpID || loc.Query().Get("redirect_uri") != pageURL {
				t.Fatalf("expired link → %d %s; want WeCom OAuth back to the page", code, h.Get("Location"))
			}
			state := loc.Query().Get("state")
			if code, _, _ := fetch(t, c, http.MethodGet, pageURL+"?code="+l.wc.IssueOAuthCode("leader1")+"&state=forged", nil); code != http.StatusForbidden {
				t.Errorf("OAuth return with a forged state → %d; want 403", code)
			}
			code, _, h = fetch(t, c, http.MethodGet, pageURL+"?code="+l.wc.IssueOAuthCode("leader1")+"&state="+state, nil)
			if code != http.StatusSeeOther {
				t.Fatalf("OAuth return → %d; want 303 to the page", code)
			}
			code, body, _ := fetch(t, c, http.MethodGet, l.page.URL+h.Get("Location"), nil)
			if code != http.StatusOK || !strings.Contains(body, "陈县长（领导）") {
				t.Errorf("page after OAuth → %d; want it for 陈县长", code)
			}
		})
	})
}

// wrongToken is token with its first character changed (to another one
// whatever it was: "x"+token[1:] is token itself when it begins with x).
func wrongToken(token string) string {
	if strings.HasPrefix(token, "x") {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}
