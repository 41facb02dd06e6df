package wecom_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"minsheng/bot"
	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
)

const (
	adCorp     = "wwcorp0001"
	adSecret   = "s3cret-app"
	adAgent    = int64(1000002)
	adUser     = "zhangsan"
	adGroupKey = "robot-key-dept-0001"
	adJointKey = "robot-key-joint-0001"
	adCaseNo   = "2025-0001"
	adCaseURL  = "https://ms.example.gov.cn/case/2025-0001"
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
	fake *wecomtest.FakeServer
	p    *wecom.Platform
}

func newAdRig(t *testing.T) *adRig {
	t.Helper()
	clk := &adClock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	f := wecomtest.NewFakeServer(adCorp, adSecret, adAgent)
	f.Now = clk.Now
	f.AddUsers(adUser)
	f.AddWebhook(adGroupKey)
	f.AddWebhook(adJointKey)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := &wecom.Client{BaseURL: srv.URL, CorpID: adCorp, Secret: adSecret, AgentID: adAgent, HTTP: srv.Client(), Now: clk.Now}
	return &adRig{fake: f, p: &wecom.Platform{Client: c}}
}

var (
	member = bot.Address{Kind: bot.AddrMember, UserID: adUser}
	group  = bot.Address{Kind: bot.AddrGroup, RobotKey: adGroupKey}
	joint  = bot.Address{Kind: bot.AddrJoint, RobotKey: adJointKey}
)

// acceptCard is the card a unit's officer gets with an assignment.
func acceptCard(taskID string) bot.Outgoing {
	return bot.Outgoing{
		Kind: bot.KindCard, Title: "交办 " + adCaseNo + "（牵头）", CaseNo: adCaseNo, URL: adCaseURL,
		Text:   "城东路灯不亮，已经一周。",
		Fields: []bot.Field{{Key: "编号", Value: adCaseNo}, {Key: "单位", Value: "城管局（牵头）"}, {Key: "时限", Value: "2025-03-12 18:00"}},
		Buttons: []bot.Button{
			{Key: "签收:" + adCaseNo, Text: "签收", Style: 1},
			{Key: "退回:" + adCaseNo, Text: "退回", Style: 2},
		},
		TaskID: taskID,
	}
}

// at returns the value at path in a decoded JSON body.
func at(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// text returns the string or number at path, as text.
func text(m map[string]any, path ...string) string {
	switch v := at(m, path...).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

func list(m map[string]any, path ...string) []map[string]any {
	items, _ := at(m, path...).([]any)
	var out []map[string]any
	for _, it := range items {
		mm, _ := it.(map[string]any)
		out = append(out, mm)
	}
	return out
}

func TestPlatformName(t *testing.T) {
	var p bot.Platform = &wecom.Platform{}
	if got := p.Name(); got != "wecom" {
		t.Errorf("Name() = %q; want wecom", got)
	}
}

func TestDeliverMember(t *testing.T) {
	tests := []struct {
		name    string
		out     bot.Outgoing
		msgType string
		check   func(t *testing.T, raw map[string]any, d bot.Delivery)
	}{
		{
			name: "Text", out: bot.Outgoing{Kind: bot.KindText, Text: "已签收 " + adCaseNo}, msgType: "text",
			check: func(t *testing.T, raw map[string]any, d bot.Delivery) {
				if got := text(raw, "text", "content"); got != "已签收 "+adCaseNo {
					t.Errorf("text.content = %q", got)
				}
			},
		},
		{
			name: "Markdown", out: bot.Outgoing{Kind: bot.KindMarkdown, Text: "**待办**\n> " + adCaseNo}, msgType: "markdown",
			check: func(t *testing.T, raw map[string]any, d bot.Delivery) {
				if got := text(raw, "markdown", "content"); !strings.Contains(got, adCaseNo) {
					t.Errorf("markdown.content = %q; want the case number", got)
				}
			},
		},
		{
			name: "CardWithButtons", out: acceptCard("accept-7-a1b2c3"), msgType: "template_card",
			check: func(t *testing.T, raw map[string]any, d bot.Delivery) {
				if got := text(raw, "template_card", "card_type"); got != "button_interaction" {
					t.Errorf("card_type = %q; want button_interaction", got)
				}
				if got := text(raw, "template_card", "task_id"); got != "accept-7-a1b2c3" {
					t.Errorf("task_id = %q; want accept-7-a1b2c3", got)
				}
				if got := text(raw, "template_card", "main_title", "title"); got != "交办 "+adCaseNo+"（牵头）" {
					t.Errorf("main_title.title = %q", got)
				}
				if got := text(raw, "template_card", "sub_title_text"); got != "城东路灯不亮，已经一周。" {
					t.Errorf("sub_title_text = %q", got)
				}
				var keys []string
				for _, b := range list(raw, "template_card", "button_list") {
					keys = append(keys, text(b, "key")+"/"+text(b, "text")+"/"+text(b, "style"))
				}
				if got, want := strings.Join(keys, " "), "签收:2025-0001/签收/1 退回:2025-0001/退回/2"; got != want {
					t.Errorf("buttons (key/text/style) = %q; want %q", got, want)
				}
				fields := list(raw, "template_card", "horizontal_content_list")
				if len(fields) != 3 || text(fields[0], "keyname") != "编号" || text(fields[0], "value") != adCaseNo {
					t.Errorf("horizontal_content_list = %v; want 编号 %s first of 3", fields, adCaseNo)
				}
				if text(raw, "template_card", "card_action", "type") != "1" || text(raw, "template_card", "card_action", "url") != adCaseURL {
					t.Errorf("card_action = %v; want type 1 to %s", at(raw, "template_card", "card_action"), adCaseURL)
				}
				if d.ResponseCode == "" {
					t.Error("Delivery.ResponseCode is empty; want the send result's response_code")
				}
			},
		},
		{
			name: "CardWithoutButtons", msgType: "template_card",
			out: bot.Outgoing{Kind: bot.KindCard, Title: "督办 " + adCaseNo, CaseNo: adCaseNo, URL: adCaseURL, Text: "请于今日内答复。",
				Fields: []bot.Field{{Key: "编号", Value: adCaseNo}}},
			check: func(t *testing.T, raw map[string]any, d bot.Delivery) {
				if got := text(raw, "template_card", "card_type"); got != "text_notice" {
					t.Errorf("card_type = %q; want text_notice", got)
				}
				if text(raw, "template_card", "card_action", "type") != "1" || text(raw, "template_card", "card_action", "url") != adCaseURL {
					t.Errorf("card_action = %v; want type 1 to %s", at(raw, "template_card", "card_action"), adCaseURL)
				}
				if _, has := at(raw, "template_card").(map[string]any)["task_id"]; has {
					t.Error("text_notice carries a task_id; want none")
				}
				if d.ResponseCode != "" {
					t.Errorf("Delivery.ResponseCode = %q for a card without buttons; want empty", d.ResponseCode)
				}
			},
		},
		{
			name: "CardWithoutButtonsOrURL", msgType: "markdown",
			out: bot.Outgoing{Kind: bot.KindCard, Title: "答复待审核 " + adCaseNo, CaseNo: adCaseNo, Text: "答复稿：已修复。",
				Fields: []bot.Field{{Key: "编号", Value: adCaseNo}}},
			check: func(t *testing.T, raw map[string]any, d bot.Delivery) {
				got := text(raw, "markdown", "content")
				for _, want := range []string{"**答复待审核 " + adCaseNo + "**", "> 编号：" + adCaseNo, "答复稿：已修复。"} {
					if !strings.Contains(got, want) {
						t.Errorf("markdown.content = %q; want it to contain %q", got, want)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			d, err := r.p.Deliver(context.Background(), member, tt.out)
			if err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			msgs := r.fake.AppMessages()
			if len(msgs) != 1 {
				t.Fatalf("fake got %d app messages; want 1", len(msgs))
			}
			m := msgs[0]
			if m.MsgType != tt.msgType || m.ToUser != adUser {
				t.Errorf("msgtype, touser = %q, %q; want %q, %q", m.MsgType, m.ToUser, tt.msgType, adUser)
			}
			if text(m.Raw, "enable_duplicate_check") != "1" || text(m.Raw, "duplicate_check_interval") != "1800" {
				t.Errorf("enable_duplicate_check, duplicate_check_interval = %q, %q; want 1, 1800",
					text(m.Raw, "enable_duplicate_check"), text(m.Raw, "duplicate_check_interval"))
			}
			if d.ResponseCode != m.ResponseCode {
				t.Errorf("Delivery.ResponseCode = %q; the fake issued %q", d.ResponseCode, m.ResponseCode)
			}
			tt.check(t, m.Raw, d)
		})
	}
}

func TestDeliverCardLimits(t *testing.T) {
	r := newAdRig(t)
	o := acceptCard("limits-1")
	o.Title = strings.Repeat("标", 50)
	o.Text = strings.Repeat("长", 500)
	o.Fields = nil
	for i := range 8 {
		o.Fields = append(o.Fields, bot.Field{Key: "很长的字段名称" + string(rune('A'+i)), Value: strings.Repeat("值", 40)})
	}
	for i := range 8 {
		o.Buttons = append(o.Buttons, bot.Button{Key: "查:" + adCaseNo + ":" + string(rune('a'+i)), Text: "一个很长很长的按钮文字"})
	}
	if _, err := r.p.Deliver(context.Background(), member, o); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	raw := r.fake.AppMessages()[0].Raw
	if got := utf8.RuneCountInString(text(raw, "template_card", "main_title", "title")); got > 36 {
		t.Errorf("main_title.title has %d characters; want at most 36", got)
	}
	sub := text(raw, "template_card", "sub_title_text")
	if n := utf8.RuneCountInString(sub); n > 160 || !strings.HasSuffix(sub, "…") {
		t.Errorf("sub_title_text has %d characters, ends %q; want at most 160, cut with …", n, sub[len(sub)-3:])
	}
	fields := list(raw, "template_card", "horizontal_content_list")
	if len(fields) != 6 {
		t.Errorf("horizontal_content_list has %d entries; want 6", len(fields))
	}
	for _, f := range fields {
		if utf8.RuneCountInString(text(f, "keyname")) > 5 || utf8.RuneCountInString(text(f, "value")) > 30 {
			t.Errorf("field %v is longer than WeCom shows (5 / 30 characters)", f)
		}
	}
	buttons := list(raw, "template_card", "button_list")
	if len(buttons) != 6 {
		t.Errorf("button_list has %d buttons; want 6", len(buttons))
	}
	for _, b := range buttons {
		if utf8.RuneCountInString(text(b, "text")) > 10 {
			t.Errorf("button text %q is longer than 10 characters", text(b, "text"))
		}
	}
}

func TestDeliverUpdate(t *testing.T) {
	ctx := context.Background()
	r := newAdRig(t)
	d, err := r.p.Deliver(ctx, member, acceptCard("accept-7-upd"))
	if err != nil {
		t.Fatalf("Deliver card: %v", err)
	}
	upd := bot.Outgoing{Kind: bot.KindUpdate, TaskID: "accept-7-upd", Text: "已由李四签收", CaseNo: adCaseNo}
	to := member
	to.ResponseCode = d.ResponseCode
	if _, err := r.p.Deliver(ctx, to, upd); err != nil {
		t.Fatalf("Deliver update: %v", err)
	}
	ups := r.fake.CardUpdates()
	if len(ups) != 1 {
		t.Fatalf("fake got %d card updates; want 1", len(ups))
	}
	if u := ups[0]; u.ResponseCode != d.ResponseCode || u.ReplaceName != "已由李四签收" || len(u.UserIDs) != 1 || u.UserIDs[0] != adUser {
		t.Errorf("update = code %q, replace_name %q, userids %v; want %q, 已由李四签收, [%s]", u.ResponseCode, u.ReplaceName, u.UserIDs, d.ResponseCode, adUser)
	}

	t.Run("CodeUsedTwice", func(t *testing.T) {
		// WeCom answers 60140: the card cannot change any more, so the
		// member gets a text saying what changed, and no error (no alarm).
		before := len(r.fake.AppMessages())
		d, err := r.p.Deliver(ctx, to, upd)
		if err != nil || d.Fallback != wecom.FallbackText {
			t.Fatalf("second update with the same response code = %+v, %v; want Fallback %q and no error", d, err, wecom.FallbackText)
		}
		msgs := r.fake.AppMessages()
		if len(msgs) != before+1 {
			t.Fatalf("fake got %d new app messages; want 1 (the fallback text)", len(msgs)-before)
		}
		if m := msgs[len(msgs)-1]; m.MsgType != "text" || m.ToUser != adUser || !strings.Contains(m.Text, adCaseNo) || !strings.Contains(m.Text, "已由李四签收") {
			t.Errorf("fallback = %s to %s %q; want a text to %s with %s and 已由李四签收", m.MsgType, m.ToUser, m.Text, adUser, adCaseNo)
		}
	})
	t.Run("CodeExpired", func(t *testing.T) {
		r := newAdRig(t)
		d, err := r.p.Deliver(ctx, member, acceptCard("accept-8-exp"))
		if err != nil {
			t.Fatalf("Deliver card: %v", err)
		}
		r.fake.Now = func() time.Time { return time.Now().Add(wecomtest.ResponseCodeTTL + time.Hour) }
		to := member
		to.ResponseCode = d.ResponseCode
		got, err := r.p.Deliver(ctx, to, upd)
		if err != nil || got.Fallback != wecom.FallbackText {
			t.Errorf("update after 72 hours = %+v, %v; want Fallback %q and no error", got, err, wecom.FallbackText)
		}
		if n := len(r.fake.CardUpdates()); n != 0 {
			t.Errorf("fake accepted %d card updates with an expired code; want 0", n)
		}
	})
	t.Run("NoCodeYet", func(t *testing.T) {
		_, err := r.p.Deliver(ctx, member, upd)
		var rl *bot.RateLimited
		if err == nil || errors.Is(err, bot.ErrUndeliverable) || errors.As(err, &rl) {
			t.Errorf("update without a response code: %v; want a plain error (retry later)", err)
		}
	})
	t.Run("Group", func(t *testing.T) {
		if _, err := r.p.Deliver(ctx, group, upd); err != nil {
			t.Errorf("update to a group: %v; want nil (nothing to update)", err)
		}
		if n := len(r.fake.GroupMessages(adGroupKey)); n != 0 {
			t.Errorf("an update sent %d group messages; want 0", n)
		}
	})
}

// TestDeliverCardResentAfterLostReply: WeCom took the card but its answer
// was lost; the retry gets errcode 42014 for the used task_id, which is a
// delivery, and the member has the card once.
func TestDeliverCardResentAfterLostReply(t *testing.T) {
	ctx := context.Background()
	r := newAdRig(t)
	r.fake.LoseReplyNext(1)
	card := acceptCard("accept-9-lost")
	_, err := r.p.Deliver(ctx, member, card)
	var rl *bot.RateLimited
	if err == nil || errors.Is(err, bot.ErrUndeliverable) || errors.As(err, &rl) {
		t.Fatalf("Deliver with the answer lost: %v; want a temporary error", err)
	}
	if _, err := r.p.Deliver(ctx, member, card); err != nil {
		t.Fatalf("Deliver again (WeCom answers 42014): %v; want delivered", err)
	}
	if n := len(r.fake.AppMessages()); n != 1 {
		t.Errorf("member has %d cards; want 1", n)
	}
}

// TestTaskIDErrorsOnlyForAUsedID: WeCom answers 42014 for an empty or too
// long task_id as well; such a card is never taken for delivered.
func TestTaskIDErrorsOnlyForAUsedID(t *testing.T) {
	for _, id := range []string{"", strings.Repeat("a", wecomtest.TaskIDMax+1), "带中文"} {
		r := newAdRig(t)
		_, err := r.p.Deliver(context.Background(), member, acceptCard(id))
		if !errors.Is(err, bot.ErrUndeliverable) {
			t.Errorf("card with task_id %q: %v; want ErrUndeliverable", id, err)
		}
		if n := len(r.fake.AppMessages()); n != 0 {
			t.Errorf("card with task_id %q: fake got %d messages; want 0", id, n)
		}
	}
	// The fake itself answers 42014 for a missing task_id, as WeCom does.
	r := newAdRig(t)
	_, err := r.p.Client.SendApp(context.Background(), map[string]any{"touser": adUser, "msgtype": "template_card",
		"template_card": map[string]any{"card_type": "button_interaction", "main_title": map[string]any{"title": "t"},
			"button_list": []any{map[string]any{"text": "a", "key": "a"}}}})
	var ae *wecom.APIError
	if !errors.As(err, &ae) || ae.Code != wecom.CodeTaskIDExists {
		t.Errorf("card without task_id: %v; want errcode %d", err, wecom.CodeTaskIDExists)
	}
}

func TestDeliverGroup(t *testing.T) {
	tests := []struct {
		name    string
		out     bot.Outgoing
		msgType string
		want    []string
	}{
		{"Text", bot.Outgoing{Kind: bot.KindText, Text: "本周小结 " + adCaseNo}, "text", []string{"本周小结 " + adCaseNo}},
		{"Markdown", bot.Outgoing{Kind: bot.KindMarkdown, Text: "**新交办 " + adCaseNo + "**\n> 时限：明天", CaseNo: adCaseNo}, "markdown",
			[]string{"**新交办 " + adCaseNo + "**"}},
		{"Card", acceptCard("group-card-1"), "markdown", []string{
			"**交办 " + adCaseNo + "（牵头）**",
			"> 编号：" + adCaseNo,
			"> 时限：2025-03-12 18:00",
			"城东路灯不亮",
			"签收请在应用中发送：签收 " + adCaseNo,
			"退回请在应用中发送：退回 " + adCaseNo,
			"[查看详情](" + adCaseURL + ")",
		}},
	}
	for _, tt := range tests {
		for _, to := range []bot.Address{group, joint} {
			t.Run(tt.name+"/"+string(to.Kind), func(t *testing.T) {
				r := newAdRig(t)
				if _, err := r.p.Deliver(context.Background(), to, tt.out); err != nil {
					t.Fatalf("Deliver: %v", err)
				}
				msgs := r.fake.GroupMessages(to.RobotKey)
				if len(msgs) != 1 {
					t.Fatalf("robot %s got %d messages; want 1", to.RobotKey, len(msgs))
				}
				if msgs[0].MsgType != tt.msgType {
					t.Errorf("msgtype = %q; want %q", msgs[0].MsgType, tt.msgType)
				}
				for _, w := range tt.want {
					if !strings.Contains(msgs[0].Text, w) {
						t.Errorf("content = %q; want it to contain %q", msgs[0].Text, w)
					}
				}
				if len(r.fake.AppMessages()) != 0 {
					t.Error("a group message went out as an app message")
				}
			})
		}
	}
}

func TestDeliverGroupTooLong(t *testing.T) {
	r := newAdRig(t)
	card := acceptCard("long-1")
	card.Text = strings.Repeat("情况说明。", 1000) // 15000 bytes
	if _, err := r.p.Deliver(context.Background(), group, card); err != nil {
		t.Fatalf("Deliver long card: %v", err)
	}
	md := bot.Outgoing{Kind: bot.KindMarkdown, Text: strings.Repeat("周报", 2000), CaseNo: adCaseNo}
	if _, err := r.p.Deliver(context.Background(), group, md); err != nil {
		t.Fatalf("Deliver long markdown: %v", err)
	}
	msgs := r.fake.GroupMessages(adGroupKey)
	if len(msgs) != 2 {
		t.Fatalf("robot got %d messages; want 2", len(msgs))
	}
	for _, m := range msgs {
		if len(m.Text) > 4096 || !strings.Contains(m.Text, "…") || !utf8.ValidString(m.Text) {
			t.Errorf("content is %d bytes, valid UTF-8 %v; want at most 4096, cut with …", len(m.Text), utf8.ValidString(m.Text))
		}
	}
	for _, w := range []string{"**交办 " + adCaseNo, "签收请在应用中发送：签收 " + adCaseNo, adCaseURL} {
		if !strings.Contains(msgs[0].Text, w) {
			t.Errorf("cut card lost %q", w)
		}
	}
}

func TestDeliverErrors(t *testing.T) {
	const (
		undeliverable = "undeliverable"
		rateLimited   = "rate limited"
		temporary     = "temporary"
	)
	tests := []struct {
		name  string
		setup func(*adRig)
		to    bot.Address
		out   bot.Outgoing
		want  string
	}{
		{"BadRobotKey", nil, bot.Address{Kind: bot.AddrGroup, RobotKey: "removed-robot"}, bot.Outgoing{Kind: bot.KindText, Text: "x"}, undeliverable},
		{"NoRobotKey", nil, bot.Address{Kind: bot.AddrJoint}, bot.Outgoing{Kind: bot.KindText, Text: "x"}, undeliverable},
		{"UnknownUser", nil, bot.Address{Kind: bot.AddrMember, UserID: "nobody"}, bot.Outgoing{Kind: bot.KindText, Text: "x"}, undeliverable},
		{"NoUserID", nil, bot.Address{Kind: bot.AddrMember}, bot.Outgoing{Kind: bot.KindText, Text: "x"}, undeliverable},
		{"Citizen", nil, bot.Address{Kind: bot.AddrCitizen, OpenID: "o-x"}, bot.Outgoing{Kind: bot.KindText, Text: "x"}, undeliverable},
		{"UnknownKind", nil, member, bot.Outgoing{Kind: "sticker", Text: "x"}, undeliverable},
		{"EmptyText", nil, member, bot.Outgoing{Kind: bot.KindText}, undeliverable},
		{"ButtonsWithoutTaskID", nil, member, acceptCard(""), undeliverable},
		{"RateLimitedApp", func(r *adRig) { r.fake.RateLimitNext(1) }, member, bot.Outgoing{Kind: bot.KindText, Text: "x"}, rateLimited},
		{"RateLimitedRobot", func(r *adRig) { r.fake.RateLimitNext(1) }, group, bot.Outgoing{Kind: bot.KindText, Text: "x"}, rateLimited},
		{"Server500App", func(r *adRig) { r.fake.FailNext(1) }, member, bot.Outgoing{Kind: bot.KindText, Text: "x"}, temporary},
		{"Server500Robot", func(r *adRig) { r.fake.FailNext(1) }, group, bot.Outgoing{Kind: bot.KindText, Text: "x"}, temporary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			if tt.setup != nil {
				tt.setup(r)
			}
			_, err := r.p.Deliver(context.Background(), tt.to, tt.out)
			var rl *bot.RateLimited
			got := temporary
			switch {
			case err == nil:
				t.Fatal("Deliver succeeded; want an error")
			case errors.Is(err, bot.ErrUndeliverable):
				got = undeliverable
			case errors.As(err, &rl):
				got = rateLimited
				if rl.Wait != time.Minute {
					t.Errorf("RateLimited.Wait = %v; want 1m", rl.Wait)
				}
			}
			if got != tt.want {
				t.Errorf("Deliver: %v (%s); want %s", err, got, tt.want)
			}
		})
	}
}

func TestDeliverGroupOverMinuteLimit(t *testing.T) {
	r := newAdRig(t)
	ctx := context.Background()
	var err error
	for i := 0; i <= wecomtest.GroupRateLimit && err == nil; i++ {
		_, err = r.p.Deliver(ctx, group, bot.Outgoing{Kind: bot.KindText, Text: "第" + string(rune('a'+i)) + "条"})
	}
	var rl *bot.RateLimited
	if !errors.As(err, &rl) {
		t.Errorf("message %d in a minute: %v; want *bot.RateLimited", wecomtest.GroupRateLimit+1, err)
	}
}

func TestDeliverInvalidUserInResult(t *testing.T) {
	// WeCom answers errcode 0 and lists the recipients it did not take.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cgi-bin/gettoken":
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","access_token":"tok","expires_in":7200}`)
		default:
			fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","msgid":"m1","invaliduser":%q}`, adUser)
		}
	}))
	t.Cleanup(srv.Close)
	p := &wecom.Platform{Client: &wecom.Client{BaseURL: srv.URL, CorpID: adCorp, Secret: adSecret, AgentID: adAgent, HTTP: srv.Client()}}
	_, err := p.Deliver(context.Background(), member, bot.Outgoing{Kind: bot.KindText, Text: "x"})
	if !errors.Is(err, bot.ErrUndeliverable) {
		t.Errorf("Deliver with invaliduser in the answer: %v; want ErrUndeliverable", err)
	}
}
