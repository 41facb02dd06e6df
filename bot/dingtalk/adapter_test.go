package dingtalk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"minsheng/bot"
	"minsheng/bot/dingtalk"
	"minsheng/bot/dingtalk/dingtalktest"
)

const (
	adAppKey     = "dingappkey0001"
	adAppSecret  = "app-secret-do-not-leak"
	adRobot      = "dingrobot0001"
	adGroupToken = "grouptoken0123456789"
	adGroupSec   = "SECgroupsecret0123456789"
	adJointToken = "jointtoken0123456789"
	adUser       = "zhangsan"
	adCaseNo     = "2025-0001"
	adCaseURL    = "https://ms.example.gov.cn/case/2025-0001"
)

type adClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *adClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

type adRig struct {
	fake         *dingtalktest.FakeServer
	p            *dingtalk.Platform
	group, joint bot.Address
	base         string
}

func newAdRig(t *testing.T) *adRig {
	t.Helper()
	clk := &adClock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	f := dingtalktest.NewFakeServer(adAppKey, adAppSecret, adRobot)
	f.Now = clk.Now
	mux := http.NewServeMux()
	mux.Handle("/dt/", f)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/dt"
	f.AddWebhook(adGroupToken, adGroupSec)
	f.AddWebhook(adJointToken, "")
	f.AddUsers(adUser)
	c := &dingtalk.Client{
		APIBase: srv.URL + "/dt", OAPIBase: srv.URL + "/dt",
		AppKey: adAppKey, AppSecret: adAppSecret, RobotCode: adRobot,
		HTTP: srv.Client(), Now: clk.Now,
	}
	hook := srv.URL + "/dt/robot/send?access_token="
	return &adRig{
		fake:  f,
		p:     &dingtalk.Platform{Client: c},
		group: bot.Address{Kind: bot.AddrGroup, Webhook: hook + adGroupToken, Secret: adGroupSec},
		joint: bot.Address{Kind: bot.AddrJoint, Webhook: hook + adJointToken},
		base:  hook,
	}
}

var member = bot.Address{Kind: bot.AddrMember, UserID: adUser}

func card(buttons int, withURL bool) bot.Outgoing {
	o := bot.Outgoing{
		Kind: bot.KindCard, Title: "交办 " + adCaseNo + "（牵头）", CaseNo: adCaseNo,
		Text:   "城东路灯不亮，已经一周。",
		Fields: []bot.Field{{Key: "编号", Value: adCaseNo}, {Key: "时限", Value: "2025-03-12 18:00"}},
		TaskID: "accept-7-a1b2c3",
	}
	if withURL {
		o.URL = adCaseURL
	}
	verbs := []string{"签收", "退回", "进展", "答复", "延期", "查", "督办"}
	for i := range buttons {
		o.Buttons = append(o.Buttons, bot.Button{Key: verbs[i] + ":" + adCaseNo, Text: verbs[i], Style: 1})
	}
	return o
}

func action(key string) string { return adCaseURL + "?action=" + url.QueryEscape(key) }

func param(m dingtalktest.RobotMessage, k string) string {
	s, _ := m.Param[k].(string)
	return s
}

func TestPlatformName(t *testing.T) {
	var p bot.Platform = &dingtalk.Platform{}
	if got := p.Name(); got != "dingtalk" {
		t.Errorf("Name() = %q; want dingtalk", got)
	}
}

func TestDeliverMember(t *testing.T) {
	tests := []struct {
		name   string
		out    bot.Outgoing
		msgKey string
		want   map[string]string // msgParam fields that must equal
		has    map[string]string // msgParam fields that must contain
	}{
		{"Text", bot.Outgoing{Kind: bot.KindText, Text: "已签收 " + adCaseNo}, "sampleText",
			map[string]string{"content": "已签收 " + adCaseNo}, nil},
		{"Markdown", bot.Outgoing{Kind: bot.KindMarkdown, Text: "**待办**\n\n- " + adCaseNo, CaseNo: adCaseNo}, "sampleMarkdown",
			map[string]string{"title": adCaseNo}, map[string]string{"text": adCaseNo}},
		{"CardOneButton", card(1, true), "sampleActionCard",
			map[string]string{"title": "交办 " + adCaseNo + "（牵头）", "singleTitle": "签收", "singleURL": action("签收:" + adCaseNo)},
			map[string]string{"text": "- 编号：" + adCaseNo}},
		{"CardTwoButtons", card(2, true), "sampleActionCard2",
			map[string]string{
				"actionTitle1": "签收", "actionURL1": action("签收:" + adCaseNo),
				"actionTitle2": "退回", "actionURL2": action("退回:" + adCaseNo),
			},
			map[string]string{"text": "城东路灯不亮"}},
		{"CardFiveButtons", card(5, true), "sampleActionCard5",
			map[string]string{"actionTitle5": "延期", "actionURL5": action("延期:" + adCaseNo)}, nil},
		{"CardSevenButtons", card(7, true), "sampleActionCard5",
			map[string]string{"actionTitle1": "签收", "actionTitle5": "延期"}, nil},
		{"CardButtonsWithoutURL", card(2, false), "sampleMarkdown",
			map[string]string{"title": "交办 " + adCaseNo + "（牵头）"},
			map[string]string{"text": "签收请向机器人发送：签收 " + adCaseNo}},
		{"CardWithoutButtons", card(0, true), "sampleMarkdown", nil,
			map[string]string{"text": "[查看详情](" + adCaseURL + ")"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			d, err := r.p.Deliver(context.Background(), member, tt.out)
			if err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if d != (bot.Delivery{}) {
				t.Errorf("Delivery = %+v; want zero", d)
			}
			msgs := r.fake.RobotMessages()
			if len(msgs) != 1 {
				t.Fatalf("fake got %d robot messages; want 1", len(msgs))
			}
			m := msgs[0]
			if m.MsgKey != tt.msgKey || len(m.UserIDs) != 1 || m.UserIDs[0] != adUser {
				t.Errorf("msgKey, userIds = %q, %v; want %q, [%s]", m.MsgKey, m.UserIDs, tt.msgKey, adUser)
			}
			for k, v := range tt.want {
				if got := param(m, k); got != v {
					t.Errorf("msgParam.%s = %q; want %q", k, got, v)
				}
			}
			for k, v := range tt.has {
				if got := param(m, k); !strings.Contains(got, v) {
					t.Errorf("msgParam.%s = %q; want it to contain %q", k, got, v)
				}
			}
		})
	}
}

func TestDeliverGroup(t *testing.T) {
	tests := []struct {
		name    string
		out     bot.Outgoing
		msgType string
		check   func(t *testing.T, p dingtalktest.GroupMessage)
	}{
		{"Text", bot.Outgoing{Kind: bot.KindText, Text: "本周小结 " + adCaseNo}, "text", func(t *testing.T, p dingtalktest.GroupMessage) {
			if p.Text != "本周小结 "+adCaseNo {
				t.Errorf("text.content = %q", p.Text)
			}
		}},
		{"Markdown", bot.Outgoing{Kind: bot.KindMarkdown, Text: "**新交办 " + adCaseNo + "**\n> 时限：明天", CaseNo: adCaseNo}, "markdown",
			func(t *testing.T, p dingtalktest.GroupMessage) {
				if p.Title != adCaseNo || !strings.Contains(p.Text, "**新交办 "+adCaseNo+"**") {
					t.Errorf("markdown = %q / %q; want title %s and the text", p.Title, p.Text, adCaseNo)
				}
			}},
		{"CardWithURL", card(2, true), "actionCard", func(t *testing.T, p dingtalktest.GroupMessage) {
			want := []dingtalktest.Button{{Title: "签收", URL: action("签收:" + adCaseNo)}, {Title: "退回", URL: action("退回:" + adCaseNo)}}
			if len(p.Buttons) != 2 || p.Buttons[0] != want[0] || p.Buttons[1] != want[1] {
				t.Errorf("btns = %+v; want %+v", p.Buttons, want)
			}
			card, _ := p.Raw["actionCard"].(map[string]any)
			if card["btnOrientation"] != "0" {
				t.Errorf("btnOrientation = %v; want \"0\"", card["btnOrientation"])
			}
			if !strings.Contains(p.Text, "**交办 "+adCaseNo) || !strings.Contains(p.Text, "- 编号："+adCaseNo) {
				t.Errorf("actionCard.text = %q; want the title and the fields", p.Text)
			}
		}},
		{"CardWithoutURL", card(2, false), "markdown", func(t *testing.T, p dingtalktest.GroupMessage) {
			for _, w := range []string{"**交办 " + adCaseNo, "签收请向机器人发送：签收 " + adCaseNo, "退回请向机器人发送：退回 " + adCaseNo} {
				if !strings.Contains(p.Text, w) {
					t.Errorf("markdown.text = %q; want it to contain %q", p.Text, w)
				}
			}
		}},
	}
	for _, tt := range tests {
		for _, kind := range []string{string(bot.AddrGroup), string(bot.AddrJoint)} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				r := newAdRig(t)
				to, token := r.group, adGroupToken
				if kind == string(bot.AddrJoint) {
					to, token = r.joint, adJointToken
				}
				if _, err := r.p.Deliver(context.Background(), to, tt.out); err != nil {
					t.Fatalf("Deliver: %v", err)
				}
				msgs := r.fake.GroupMessages(token)
				if len(msgs) != 1 {
					t.Fatalf("webhook got %d messages; want 1", len(msgs))
				}
				if msgs[0].MsgType != tt.msgType {
					t.Errorf("msgtype = %q; want %q", msgs[0].MsgType, tt.msgType)
				}
				tt.check(t, msgs[0])
			})
		}
	}
}

func TestDeliverUpdateIsNoOp(t *testing.T) {
	r := newAdRig(t)
	upd := bot.Outgoing{Kind: bot.KindUpdate, TaskID: "accept-7-a1b2c3", Text: "已由李四签收", CaseNo: adCaseNo}
	for _, to := range []bot.Address{member, r.group} {
		if d, err := r.p.Deliver(context.Background(), to, upd); err != nil || d != (bot.Delivery{}) {
			t.Errorf("Deliver(update to %s) = %+v, %v; want zero, nil", to.Kind, d, err)
		}
	}
	if n := len(r.fake.RobotMessages()) + len(r.fake.GroupMessages(adGroupToken)); n != 0 {
		t.Errorf("updates sent %d messages; want 0", n)
	}
}

func TestDeliverTooLong(t *testing.T) {
	r := newAdRig(t)
	long := card(2, true)
	long.Text = strings.Repeat("情况说明。", 1500) // 22500 bytes
	if _, err := r.p.Deliver(context.Background(), member, long); err != nil {
		t.Fatalf("Deliver long card to member: %v", err)
	}
	if _, err := r.p.Deliver(context.Background(), r.group, bot.Outgoing{Kind: bot.KindMarkdown, Text: long.Text}); err != nil {
		t.Fatalf("Deliver long markdown to group: %v", err)
	}
	text := param(r.fake.RobotMessages()[0], "text")
	if !strings.Contains(text, "…") || !utf8.ValidString(text) || !strings.Contains(text, "**交办 "+adCaseNo) {
		t.Errorf("long card text (%d bytes) was not cut with … keeping the title", len(text))
	}
	if g := r.fake.GroupMessages(adGroupToken)[0].Text; !strings.HasSuffix(g, "…") || len(g) > 10000 {
		t.Errorf("long markdown is %d bytes; want at most 10000, cut with …", len(g))
	}
}

func TestDeliverErrors(t *testing.T) {
	const (
		undeliverable = "undeliverable"
		rateLimited   = "rate limited"
		temporary     = "temporary"
	)
	text := bot.Outgoing{Kind: bot.KindText, Text: "请尽快签收 " + adCaseNo}
	tests := []struct {
		name  string
		setup func(*testing.T, *adRig) bot.Address
		out   bot.Outgoing
		want  string
	}{
		{"NoWebhook", func(t *testing.T, r *adRig) bot.Address { return bot.Address{Kind: bot.AddrGroup} }, text, undeliverable},
		{"UnknownWebhook", func(t *testing.T, r *adRig) bot.Address {
			return bot.Address{Kind: bot.AddrGroup, Webhook: r.base + "removedrobot"}
		}, text, undeliverable},
		{"WrongSecret", func(t *testing.T, r *adRig) bot.Address {
			to := r.group
			to.Secret = "SECwrong"
			return to
		}, text, undeliverable},
		{"UnknownMember", func(t *testing.T, r *adRig) bot.Address { return bot.Address{Kind: bot.AddrMember, UserID: "nobody"} }, text, undeliverable},
		{"NoUserID", func(t *testing.T, r *adRig) bot.Address { return bot.Address{Kind: bot.AddrMember} }, text, undeliverable},
		{"FilteredMember", func(t *testing.T, r *adRig) bot.Address { r.fake.FilterUsers(member.UserID); return member }, text, undeliverable},
		{"Citizen", func(t *testing.T, r *adRig) bot.Address { return bot.Address{Kind: bot.AddrCitizen, OpenID: "o-x"} }, text, undeliverable},
		{"UnknownKind", func(t *testing.T, r *adRig) bot.Address { return member }, bot.Outgoing{Kind: "sticker", Text: "x"}, undeliverable},
		{"WrongRobotCode", func(t *testing.T, r *adRig) bot.Address {
			r.p.Client.RobotCode = "someoneelsesrobot"
			return member
		}, text, undeliverable},
		{"RateLimitedMember", func(t *testing.T, r *adRig) bot.Address { r.fake.RateLimitNext(1); return member }, text, rateLimited},
		{"RateLimitedGroup", func(t *testing.T, r *adRig) bot.Address { r.fake.RateLimitNext(1); return r.group }, text, rateLimited},
		{"Server500Member", func(t *testing.T, r *adRig) bot.Address { r.fake.FailNext(1); return member }, text, temporary},
		{"Server500Group", func(t *testing.T, r *adRig) bot.Address { r.fake.FailNext(1); return r.group }, text, temporary},
		{"OverMinuteLimit", func(t *testing.T, r *adRig) bot.Address {
			for range dingtalktest.GroupRateLimit {
				if _, err := r.p.Deliver(context.Background(), r.joint, text); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			return r.joint
		}, text, rateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			to := tt.setup(t, r)
			_, err := r.p.Deliver(context.Background(), to, tt.out)
			var rl *bot.RateLimited
			got := temporary
			switch {
			case err == nil:
				t.Fatal("Deliver succeeded; want an error")
			case errors.Is(err, bot.ErrUndeliverable):
				got = undeliverable
			case errors.As(err, &rl):
				got = rateLimited
				// A group robot over its limit is blocked for DingTalk's
				// penalty; an API's QPS limit passes within a minute.
				want := time.Minute
				if to.Kind != bot.AddrMember {
					want = dingtalk.DefaultGroupPenalty
				}
				if rl.Wait != want {
					t.Errorf("RateLimited.Wait = %v; want %v", rl.Wait, want)
				}
			}
			if got != tt.want {
				t.Errorf("Deliver: %v (%s); want %s", err, got, tt.want)
			}
			if strings.Contains(err.Error(), adGroupSec) || strings.Contains(err.Error(), adAppSecret) {
				t.Errorf("error text %q carries a secret", err)
			}
		})
	}
}
