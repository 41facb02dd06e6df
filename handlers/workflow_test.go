package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/app/apptest"
	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The WeCom app of the tests' server (apptest.Config).
const (
	corpID    = apptest.CorpID
	wcSecret  = apptest.WeComSecret
	wcToken   = apptest.WeComToken
	wcAESKey  = apptest.WeComAESKey
	wcAgentID = apptest.AgentID
)

// office is a whole deployment in one test: the server, the Official Account
// and WeCom fakes, the delivery job, and drivers playing WeChat and WeCom.
type office struct {
	*harness
	bot     *bot.Bot
	wc      *wecomtest.FakeServer
	mpAPI   *mptest.FakeAPI
	member  *wecom.Driver
	deliver *jobs.Deliverer
	wcURL   string
	mpPlat  *mp.Platform
	failed  []models.Outbox
	mu      sync.Mutex
	// app is the server as app built it: its jobs and scheduler.
	app *app.App
}

// newOffice is the server built by app for the county, with the Official
// Account's and WeCom's fakes behind it; the deliverer runs when a test
// says (o.deliver.RunOnce) and records what finally failed.
func newOffice(t *testing.T, s *models.Store) *office { return buildOffice(t, s, nil) }

// buildOffice is newOffice with the configuration changed by edit, when
// set, which is told the server's URL.
func buildOffice(t *testing.T, s *models.Store, edit func(cfg *config.Config, url string)) *office {
	t.Helper()
	clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0)) // a Monday
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	cfg := apptest.Config(apptest.County(), true)
	if edit != nil {
		edit(cfg, "http://"+srv.Listener.Addr().String())
	}
	org := cfg.Org
	wc := wecomtest.NewFakeServer(corpID, wcSecret, wcAgentID)
	wc.Now = clock.Now
	for _, m := range org.Members {
		wc.AddUsers(m.UserID)
	}
	for _, d := range org.Departments {
		wc.AddWebhook(d.WeComRobotKey)
	}
	wc.AddWebhook(org.JointMeeting.WeComRobotKey)
	wcSrv := httptest.NewServer(wc)
	t.Cleanup(wcSrv.Close)
	mpAPI := mptest.NewFakeAPI(appID, secret)
	mpAPI.Now = clock.Now
	mpSrv := httptest.NewServer(mpAPI)
	t.Cleanup(mpSrv.Close)

	a := apptest.New(t, s, cfg, clock, app.Bases{MP: mpSrv.URL, WeCom: wcSrv.URL}, "test")
	srv.Config.Handler = a.Handler
	srv.Start()
	o := &office{
		harness: &harness{store: s, clock: clock, srv: srv, router: a.Handler,
			safe: &mp.Driver{URL: srv.URL + "/callback/mp", AppID: appID, Token: token, EncodingAESKey: aesKey, Safe: true, Now: clock.Now}},
		bot: a.Bot, wc: wc, mpAPI: mpAPI, deliver: a.Deliverer, wcURL: wcSrv.URL, app: a,
		member: &wecom.Driver{URL: srv.URL + "/callback/wecom", CorpID: corpID, AgentID: fmt.Sprint(wcAgentID), Token: wcToken, EncodingAESKey: wcAESKey, Now: clock.Now},
	}
	for _, p := range a.Router.Platforms {
		if p, ok := p.(*mp.Platform); ok {
			o.mpPlat = p
		}
	}
	o.recordFailed()
	return o
}

// recordFailed makes the deliverer retry after a second and keep what
// finally failed in o.failed, before it reports the failure as the server
// does.
func (o *office) recordFailed() {
	onFailed := o.deliver.OnFailed
	o.deliver.Backoff = func(int) time.Duration { return time.Second }
	o.deliver.OnFailed = func(ctx context.Context, m models.Outbox, err error) {
		o.mu.Lock()
		o.failed = append(o.failed, m)
		o.mu.Unlock()
		onFailed(ctx, m, err)
	}
}

// setTemplate configures the template message used outside the 48-hour
// window, for every purpose: keyword1 the case number, keyword2 the summary,
// keyword3 the time.
func (o *office) setTemplate(id string) {
	o.mpPlat.Templates = map[string]mp.Template{mp.DefaultTemplate: {ID: id, Fields: map[string]string{
		mp.FieldCaseNo: "keyword1", mp.FieldSummary: "keyword2", mp.FieldTime: "keyword3"}}}
}

// citizen sends a report and returns the case number from the reply.
func (o *office) citizen(t *testing.T, openid, text string) string {
	t.Helper()
	o.mpAPI.Touch(openid, o.clock.Now())
	r := o.send(t, o.safe, mp.Message{FromUser: openid, ToUser: "gh_account", MsgType: "text", Content: text})
	i := strings.Index(r.Content, "编号：")
	if i < 0 {
		t.Fatalf("citizen reply %q has no case number", r.Content)
	}
	return r.Content[i+len("编号：") : i+len("编号：")+11]
}

// flush runs the delivery job until the outbox is empty.
func (o *office) flush(t *testing.T) {
	t.Helper()
	for i := 0; i < 10; i++ {
		sent, retried, _, err := o.deliver.RunOnce(context.Background())
		modeltest.Must(t, err, "deliver")
		if sent == 0 && retried == 0 {
			return
		}
		if retried > 0 {
			o.clock.Add(2 * time.Second)
		}
	}
}

// say sends a member's command and returns the passive reply text.
func (o *office) say(t *testing.T, user, text string) string {
	t.Helper()
	r, err := o.member.SendText(context.Background(), user, text, time.Now().UnixNano())
	modeltest.Must(t, err, "%s says %q", user, text)
	return r.Content
}

// click presses a button of the newest card the member received for case no.
func (o *office) click(t *testing.T, user, no, key string) string {
	t.Helper()
	for _, m := range reverse(o.wc.AppMessages()) {
		if m.ToUser != user || m.MsgType != "template_card" || !strings.Contains(string(mustJSON(m.Raw)), key) {
			continue
		}
		r, err := o.member.ClickButton(context.Background(), user, m.TaskID, key, m.ResponseCode)
		modeltest.Must(t, err, "%s clicks %s", user, key)
		return r.ReplaceName
	}
	t.Fatalf("%s has no card with button %s for %s", user, key, no)
	return ""
}

func reverse[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func (o *office) appTo(user string) []wecomtest.AppMessage {
	var out []wecomtest.AppMessage
	for _, m := range o.wc.AppMessages() {
		if m.ToUser == user {
			out = append(out, m)
		}
	}
	return out
}

// TestWorkflowEndToEnd walks a case from the citizen's message through
// triage, assignment, acceptance by button, progress, answer and approval
// back to the citizen, and checks the record and that no department, group
// or leader ever saw who reported it.
func TestWorkflowEndToEnd(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		const openid = "oCitizenWang001"
		no := o.citizen(t, openid, "我叫王小明，电话13912345678。幸福小区东门的路灯坏了一周，晚上很黑")
		o.flush(t)

		// The dispatcher's card: text, alias, suggested unit, one-tap assign.
		cards := o.appTo("dispatcher1")
		if len(cards) != 1 || cards[0].MsgType != "template_card" || cards[0].CardType != "button_interaction" {
			t.Fatalf("dispatcher got %+v; want one button card", cards)
		}
		raw := string(mustJSON(cards[0].Raw))
		for _, want := range []string{no, "县城市管理局", "群众"} {
			if !strings.Contains(raw, want) {
				t.Errorf("dispatcher card lacks %q: %s", want, raw)
			}
		}
		if got := o.click(t, "dispatcher1", no, "交办:"+no+":cg"); !strings.Contains(got, "已交办") {
			t.Errorf("assign button label = %q; want 已交办…", got)
		}
		o.flush(t)

		group := o.wc.GroupMessages("key-cg")
		if len(group) != 1 || !strings.Contains(group[0].Text, no) || !strings.Contains(group[0].Text, "牵头") {
			t.Errorf("cg group got %+v; want one message with %s and 牵头", group, no)
		}
		for _, u := range []string{"cg-officer1", "cg-officer2", "cg-head"} {
			if n := len(o.appTo(u)); n != 1 {
				t.Errorf("%s got %d cards; want 1 (签收/退回)", u, n)
			}
		}
		if got := o.mpAPI.SentTo(openid); len(got) != 1 || !strings.Contains(got[0].Text, "县城市管理局") {
			t.Errorf("citizen got %+v; want the assignment with the unit's name", got)
		}

		if got := o.click(t, "cg-officer1", no, "签收:"+no); got != "已签收" {
			t.Errorf("accept button label = %q; want 已签收", got)
		}
		if got := o.click(t, "cg-officer2", no, "签收:"+no); !strings.Contains(got, "李承办") {
			t.Errorf("second accept label = %q; want who accepted first", got)
		}
		o.flush(t)
		if ups := o.wc.CardUpdates(); len(ups) < 1 {
			t.Errorf("card updates = %d; want the other members' cards updated", len(ups))
		}

		if got := o.say(t, "zj-officer1", "签收 "+no); !strings.Contains(got, "未交办给您的单位") {
			t.Errorf("other unit's 签收 → %q; want a refusal", got)
		}
		if got := o.say(t, "cg-officer1", "进展 "+no+" 已到现场查看，明天更换灯具"); !strings.Contains(got, "已记录") || !strings.Contains(got, "群众查询时可以看到") {
			t.Errorf("进展 → %q; want it recorded and the officer told the citizen sees it", got)
		}
		// The citizen's 查询 shows the lead unit's newest 进展, masked, and
		// the deadline.
		if got := o.reply(t, openid, "查询 "+no); !strings.Contains(got, "最新进展（") || !strings.Contains(got, "：已到现场查看，明天更换灯具") || !strings.Contains(got, "办理时限：2026年") {
			t.Errorf("查询 after 进展 → %q; want the latest progress and the deadline", got)
		}
		o.say(t, "cg-officer1", "进展 "+no+" 已联系住户13912345678，明天上午更换")
		if got := o.reply(t, openid, "查询 "+no); !strings.Contains(got, "已联系住户[电话已隐去]，明天上午更换") || strings.Contains(got, "13912345678") || strings.Contains(got, "已到现场查看") {
			t.Errorf("查询 after a second 进展 → %q; want only the newest, the phone masked", got)
		}
		if got := o.say(t, "cg-officer1", "同意 "+no); !strings.Contains(got, "部门负责人") {
			t.Errorf("officer 同意 → %q; want a refusal", got)
		}
		answer := "经核查，幸福小区东门路灯因线路老化损坏，已于11月24日更换灯具并恢复照明。"
		if got := o.say(t, "cg-officer1", "答复 "+no+" "+answer); !strings.Contains(got, "待部门负责人同意") {
			t.Errorf("答复 → %q", got)
		}
		o.flush(t)
		if got := o.say(t, "cg-head", "同意 "+no); !strings.Contains(got, "已同意") {
			t.Errorf("head 同意 → %q", got)
		}
		o.flush(t)

		sent := o.mpAPI.SentTo(openid)
		if len(sent) != 2 || !strings.Contains(sent[1].Text, answer) {
			t.Fatalf("citizen got %+v; want the assignment and then the answer", sent)
		}
		k, err := s.CaseByNo(context.Background(), no)
		modeltest.Must(t, err, "case")
		if k.Status != models.StatusAnswered || k.Answer != answer {
			t.Errorf("case %s is %s with answer %q; want answered with the approved text", no, k.Status, k.Answer)
		}

		// The audit trail lists every step with who.
		ev, _ := s.Events(context.Background(), k.ID)
		var trail []string
		for _, e := range ev {
			trail = append(trail, string(e.Kind)+"/"+e.ActorName)
		}
		want := []string{"received/", "assigned/王问政", "deadline/王问政", "accepted/李承办", "status/李承办",
			"refused/孙承办", "progress/李承办", "refused/李承办", "draft/李承办", "approved/赵局长", "delivered/系统"}
		got := strings.Join(trail, " ")
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("audit trail %s lacks %s", got, w)
			}
		}
		// The delivery is recorded in an officer's words, not the API's.
		for _, e := range ev {
			if e.Kind == models.EventDelivered && e.Body != "答复已通过公众号发送" {
				t.Errorf("the delivery is recorded as %q; want 答复已通过公众号发送", e.Body)
			}
		}

		// Nothing that went to a department, a group or a leader names the
		// reporter; the dispatcher sees the contact details, never the openid.
		var out []string
		for _, m := range o.wc.AppMessages() {
			p := string(mustJSON(m.Raw))
			if m.ToUser == "dispatcher1" {
				if strings.Contains(p, openid) {
					t.Errorf("dispatcher's message carries the openid: %.300s", p)
				}
				continue
			}
			out = append(out, p)
		}
		for _, key := range []string{"key-cg", "key-zj", "key-hb", "key-joint"} {
			for _, m := range o.wc.GroupMessages(key) {
				out = append(out, string(mustJSON(m.Raw)))
			}
		}
		for _, u := range o.wc.CardUpdates() {
			out = append(out, string(mustJSON(u.Raw)))
		}
		for _, p := range out {
			for _, secret := range []string{openid, "王小明", "13912345678"} {
				if strings.Contains(p, secret) {
					t.Errorf("outbound WeCom payload carries %q: %.300s", secret, p)
				}
			}
		}
		var rows []models.Outbox
		s.DB().Find(&rows)
		for _, r := range rows {
			if strings.Contains(r.Payload+r.Target, openid) {
				t.Errorf("outbox row %d carries the openid", r.ID)
			}
		}
	})
}

// Two officers press 签收 at the same moment: one wins, the other is told who.
func TestAcceptRace(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		no := o.citizen(t, "oA", "解放路井盖丢失，很危险")
		o.say(t, "dispatcher1", "交办 "+no+" cg")
		var wg sync.WaitGroup
		got := make([]string, 2)
		for i, u := range []string{"cg-officer1", "cg-officer2"} {
			wg.Add(1)
			go func(i int, u string) {
				defer wg.Done()
				r, err := o.member.SendText(context.Background(), u, "签收 "+no, int64(i+1000))
				if err != nil {
					t.Errorf("%s: %v", u, err)
					return
				}
				got[i] = r.Content
			}(i, u)
		}
		wg.Wait()
		wins := 0
		for _, g := range got {
			if strings.HasPrefix(g, "已签收") {
				wins++
			} else if !strings.Contains(g, "已由") {
				t.Errorf("loser was told %q; want who accepted", g)
			}
		}
		if wins != 1 {
			t.Errorf("replies %q; want exactly one winner", got)
		}
	})
}

func TestTriageCommands(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		a := o.citizen(t, "oA", "楼下饭店油烟扰民很严重")
		b := o.citizen(t, "oB", "楼下饭店油烟很大扰民")
		c := o.citizen(t, "oC", "咨询一下明星八卦新闻")
		steps := []struct{ user, say, want string }{
			{"cg-officer1", "无效 " + c + " 无关", "只有问政办"},
			{"dispatcher1", "无效 " + c + " 与政务无关", "已将 " + c + " 标为无效"},
			{"dispatcher1", "重复 " + b + " " + a, "已将 " + b + " 并入 " + a},
			{"dispatcher1", "交办 " + b + " hb", "不能交办"},
			{"dispatcher1", "交办 " + a + " 不存在局", "找不到单位"},
			{"dispatcher1", "交办 " + a + " hb 协办 zj", "县生态环境分局（牵头）、县住房和城乡建设局（协办）"},
			{"dispatcher1", "定级 " + a + " 重大", "已报送领导"},
			{"dispatcher1", "督办 " + a + " 请本周内办结", "已督办"},
			{"dispatcher1", "查 " + a, "反映人：群众"},
			{"zj-officer1", "查 " + a, "协办单位"},
			{"zj-officer1", "答复 " + a + " 这是协办单位的答复内容不应允许", "由牵头单位"},
			{"dispatcher1", "待办", a},
			{"leader1", "交办 " + a + " cg", "只有问政办"},
		}
		for i, st := range steps {
			if got := o.say(t, st.user, st.say); !strings.Contains(got, st.want) {
				t.Errorf("step %d: %s: %q → %q; want %q", i, st.user, st.say, got, st.want)
			}
		}
		o.flush(t)
		if n := len(o.appTo("leader1")); n != 1 {
			t.Errorf("leader got %d cards for 重大; want 1", n)
		}
		if n := len(o.wc.GroupMessages("key-joint")); n != 1 {
			t.Errorf("joint group got %d messages for 重大; want 1", n)
		}
		k, _ := s.CaseByNo(context.Background(), a)
		if k.Kind != "复杂" || k.DueAt == nil {
			t.Fatalf("multi-unit case kind %q due %v; want 复杂 with a deadline", k.Kind, k.DueAt)
		}
		// 15 working days from Monday 2026-11-23: due Monday 2026-12-14 17:30.
		if want := modeltest.At(2026, 12, 14, 17, 30); !k.DueAt.Equal(want) {
			t.Errorf("due = %v; want %v", k.DueAt.In(modeltest.Shanghai), want)
		}
		var looks int64
		s.DB().Model(&models.CaseEvent{}).Where("case_id = ? AND kind = ?", k.ID, models.EventIdentity).Count(&looks)
		if looks != 1 {
			t.Errorf("identity looks recorded = %d; want 1 (the dispatcher's 查)", looks)
		}
	})
}
