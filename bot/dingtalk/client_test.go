package dingtalk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"minsheng/bot/dingtalk"
	"minsheng/bot/dingtalk/dingtalktest"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testAppKey    = "dingappkey0001"
	testAppSecret = "app-secret-do-not-leak"
	testRobot     = "dingrobot0001"
	testHookToken = "hooktoken0123456789abcdef"
	testHookSec   = "SEChooksecret0123456789"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type rig struct {
	fake   *dingtalktest.FakeServer
	client *dingtalk.Client
	clock  *clock
	srv    *httptest.Server
	hook   string // the registered group robot's webhook URL
}

// newRig serves one FakeServer for both hosts under /dt/, as a 浙政钉 or
// 专有钉钉 gateway with a path prefix might.
func newRig(t *testing.T) *rig {
	t.Helper()
	clk := newClock()
	f := dingtalktest.NewFakeServer(testAppKey, testAppSecret, testRobot)
	f.Now = clk.Now
	mux := http.NewServeMux()
	mux.Handle("/dt/", f)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/dt"
	f.AddWebhook(testHookToken, testHookSec)
	c := &dingtalk.Client{
		APIBase: srv.URL + "/dt/", OAPIBase: srv.URL + "/dt",
		AppKey: testAppKey, AppSecret: testAppSecret, RobotCode: testRobot,
		HTTP: srv.Client(), Now: clk.Now,
	}
	return &rig{fake: f, client: c, clock: clk, srv: srv, hook: srv.URL + "/dt/robot/send?access_token=" + testHookToken}
}

func textParam(s string) map[string]any { return map[string]any{"content": s} }

func markdownMsg(title, text string) map[string]any {
	return map[string]any{"msgtype": "markdown", "markdown": map[string]any{"title": title, "text": text}}
}

func codeOf(err error) string {
	var ae *dingtalk.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// noSecrets fails when err's text carries a secret, token or signature.
func noSecrets(t *testing.T, err error, extra ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append([]string{testAppSecret, testHookToken, testHookSec}, extra...) {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

func TestClientSendToUsersCachesToken(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for i := range 3 {
		if err := r.client.SendToUsers(ctx, []string{"zhangsan", "lisi"}, dingtalk.MsgKeyText, textParam(fmt.Sprintf("新工单 %d", i))); err != nil {
			t.Fatalf("SendToUsers #%d: %v", i, err)
		}
	}
	if got, want := r.fake.TokensIssued(), 1; got != want {
		t.Errorf("TokensIssued = %d; want %d (cached)", got, want)
	}
	msgs := r.fake.RobotMessages()
	if len(msgs) != 3 {
		t.Fatalf("RobotMessages = %d messages; want 3", len(msgs))
	}
	m := msgs[2]
	if m.RobotCode != testRobot || m.MsgKey != dingtalk.MsgKeyText || strings.Join(m.UserIDs, ",") != "zhangsan,lisi" || m.ProcessQueryKey == "" {
		t.Errorf("RobotMessages[2] = %+v", m)
	}
	if got, want := m.Param["content"], "新工单 2"; got != want {
		t.Errorf("decoded msgParam content = %v; want %q", got, want)
	}
	m.Param["content"] = "mutated"
	if again := r.fake.RobotMessages(); again[2].Param["content"] != "新工单 2" {
		t.Error("RobotMessages returned shared maps")
	}
}

func TestClientRobotCodeDefaultsToAppKey(t *testing.T) {
	r := newRig(t)
	r.client.RobotCode = ""
	err := r.client.SendToUsers(context.Background(), []string{"a"}, dingtalk.MsgKeyText, textParam("x"))
	if got, want := codeOf(err), dingtalk.CodeRobotCodeMismatch; got != want {
		t.Errorf("SendToUsers with the AppKey as robotCode: code = %q (%v); want %q", got, err, want)
	}
	r.fake.RobotCode = testAppKey
	if err := r.client.SendToUsers(context.Background(), []string{"a"}, dingtalk.MsgKeyText, textParam("x")); err != nil {
		t.Errorf("SendToUsers with robotCode = AppKey on both sides: %v", err)
	}
}

func TestClientTokenExpiresMidRun(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("1")); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Hour)
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("2")); err != nil {
		t.Fatal(err)
	}
	if got, want := r.fake.TokensIssued(), 1; got != want {
		t.Errorf("TokensIssued after 1h = %d; want %d", got, want)
	}
	r.clock.Advance(time.Hour + time.Second)
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("3")); err != nil {
		t.Fatalf("SendToUsers after the token's lifetime: %v", err)
	}
	if got, want := r.fake.TokensIssued(), 2; got != want {
		t.Errorf("TokensIssued after 2h = %d; want %d", got, want)
	}
}

func TestClientRefreshesRejectedToken(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("1")); err != nil {
		t.Fatal(err)
	}
	r.fake.ExpireTokens() // the server forgets early; the client's cache still trusts the token
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("2")); err != nil {
		t.Fatalf("SendToUsers after ExpireTokens: %v", err)
	}
	if got, want := r.fake.TokensIssued(), 2; got != want {
		t.Errorf("TokensIssued = %d; want %d", got, want)
	}
	r.fake.ExpireTokens()
	code := r.fake.IssueAuthCode("wangwu")
	if id, err := r.client.UserID(ctx, code); err != nil || id != "wangwu" {
		t.Errorf("UserID after ExpireTokens = %q, %v; want wangwu (old API refresh)", id, err)
	}
}

// TestClientRefreshesOnlyOnce uses a stub that rejects every token, as
// DingTalk does with HTTP 400 InvalidAuthentication: one refresh, one retry.
func TestClientRefreshesOnlyOnce(t *testing.T) {
	var tokens, sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/v1.0/oauth2/accessToken"):
			n := tokens.Add(1)
			fmt.Fprintf(w, `{"accessToken":"tok%d","expireIn":7200}`, n)
		default:
			sends.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"code":"InvalidAuthentication","requestid":"X","message":"不合法的access_token"}`)
		}
	}))
	defer srv.Close()
	c := &dingtalk.Client{APIBase: srv.URL, AppKey: testAppKey, AppSecret: testAppSecret, HTTP: srv.Client()}
	err := c.SendToUsers(context.Background(), []string{"a"}, dingtalk.MsgKeyText, textParam("x"))
	if got, want := codeOf(err), dingtalk.CodeInvalidAuthentication; got != want {
		t.Fatalf("SendToUsers code = %q (%v); want %q", got, err, want)
	}
	var ae *dingtalk.APIError
	if errors.As(err, &ae) && ae.Status != http.StatusBadRequest {
		t.Errorf("APIError.Status = %d; want 400", ae.Status)
	}
	if got, want := [2]int32{tokens.Load(), sends.Load()}, [2]int32{2, 2}; got != want {
		t.Errorf("(token fetches, sends) = %v; want %v", got, want)
	}
}

func TestClientBadCredentials(t *testing.T) {
	r := newRig(t)
	r.client.AppSecret = "wrong-secret-do-not-leak"
	err := r.client.SendToUsers(context.Background(), []string{"a"}, dingtalk.MsgKeyText, textParam("x"))
	if got, want := codeOf(err), dingtalk.CodeInvalidClient; got != want {
		t.Errorf("code = %q (%v); want %q", got, err, want)
	}
	if dingtalk.IsTemporary(err) {
		t.Errorf("IsTemporary(%v) = true; want false", err)
	}
	noSecrets(t, err, "wrong-secret-do-not-leak")
}

func TestClientServerErrors(t *testing.T) {
	tests := []struct {
		name string
		call func(r *rig) error
	}{
		{"token endpoint", func(r *rig) error {
			return r.client.SendToUsers(context.Background(), []string{"a"}, dingtalk.MsgKeyText, textParam("x"))
		}},
		{"group webhook", func(r *rig) error {
			return r.client.SendGroup(context.Background(), r.hook, testHookSec, markdownMsg("t", "x"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.fake.FailNext(1)
			err := tt.call(r)
			var ae *dingtalk.APIError
			if !errors.As(err, &ae) || ae.Status != http.StatusInternalServerError {
				t.Fatalf("call with FailNext(1) = %v; want an *APIError with status 500", err)
			}
			if !dingtalk.IsTemporary(err) || dingtalk.IsRateLimited(err) || dingtalk.IsBadWebhook(err) {
				t.Errorf("IsTemporary, IsRateLimited, IsBadWebhook = %v, %v, %v; want true, false, false", dingtalk.IsTemporary(err), dingtalk.IsRateLimited(err), dingtalk.IsBadWebhook(err))
			}
			noSecrets(t, err)
			if err := tt.call(r); err != nil {
				t.Errorf("call after the failure: %v", err)
			}
		})
	}
}

func TestClientSendFailsMidway500(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("warm the token")); err != nil {
		t.Fatal(err)
	}
	r.fake.FailNext(1)
	err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("x"))
	if !dingtalk.IsTemporary(err) {
		t.Errorf("IsTemporary(%v) = false; want true", err)
	}
	if got, want := len(r.fake.RobotMessages()), 1; got != want {
		t.Errorf("RobotMessages = %d; want %d", got, want)
	}
}

func TestClientAPIRateLimited(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("x")); err != nil {
		t.Fatal(err)
	}
	r.fake.RateLimitNext(1)
	err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("y"))
	var ae *dingtalk.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Code != dingtalk.CodeQPSLimitApp {
		t.Fatalf("SendToUsers under RateLimitNext = %v; want HTTP 403 %s", err, dingtalk.CodeQPSLimitApp)
	}
	if !dingtalk.IsRateLimited(err) || !dingtalk.IsTemporary(err) {
		t.Errorf("IsRateLimited, IsTemporary = %v, %v; want true, true", dingtalk.IsRateLimited(err), dingtalk.IsTemporary(err))
	}
	r.fake.RateLimitNext(1)
	_, err = r.client.UserID(ctx, r.fake.IssueAuthCode("u"))
	if got, want := codeOf(err), "90018"; got != want || !dingtalk.IsRateLimited(err) {
		t.Errorf("UserID under RateLimitNext: code %q (%v); want %q, rate limited", got, err, want)
	}
}

func TestClientSendGroupRateLimit(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for i := 1; i <= 20; i++ {
		if err := r.client.SendGroup(ctx, r.hook, testHookSec, markdownMsg("周报", fmt.Sprintf("第 %d 条", i))); err != nil {
			t.Fatalf("SendGroup #%d: %v", i, err)
		}
		r.clock.Advance(2 * time.Second)
	}
	err := r.client.SendGroup(ctx, r.hook, testHookSec, markdownMsg("周报", "第 21 条"))
	if got, want := codeOf(err), dingtalk.CodeWebhookTooFast; got != want {
		t.Fatalf("SendGroup #21 code = %q (%v); want %q", got, err, want)
	}
	if !dingtalk.IsRateLimited(err) || !dingtalk.IsTemporary(err) || dingtalk.IsBadWebhook(err) {
		t.Errorf("IsRateLimited, IsTemporary, IsBadWebhook = %v, %v, %v; want true, true, false", dingtalk.IsRateLimited(err), dingtalk.IsTemporary(err), dingtalk.IsBadWebhook(err))
	}
	noSecrets(t, err)
	if got, want := len(r.fake.GroupMessages(testHookToken)), 20; got != want {
		t.Errorf("GroupMessages = %d; want %d", got, want)
	}
	// DingTalk blocks the robot for 10 minutes, not just until the window slides.
	r.clock.Advance(time.Minute)
	if err := r.client.SendGroup(ctx, r.hook, testHookSec, markdownMsg("周报", "a minute later")); !dingtalk.IsRateLimited(err) {
		t.Errorf("SendGroup a minute later = %v; want still rate limited", err)
	}
	r.clock.Advance(10 * time.Minute)
	if err := r.client.SendGroup(ctx, r.hook, testHookSec, markdownMsg("周报", "after the penalty")); err != nil {
		t.Errorf("SendGroup after the penalty: %v", err)
	}
}

func TestClientSendGroupRefusals(t *testing.T) {
	tests := []struct {
		name     string
		url      func(r *rig) string
		secret   string
		skew     time.Duration // client clock minus fake clock
		msg      map[string]any
		wantCode string
		wantMsg  string
		bad      bool
	}{
		{name: "wrong secret", url: func(r *rig) string { return r.hook }, secret: "SECwrong", wantCode: dingtalk.CodeWebhookSecurity, wantMsg: "sign not match", bad: true},
		{name: "no signature", url: func(r *rig) string { return r.hook }, secret: "", wantCode: dingtalk.CodeWebhookSecurity, wantMsg: "invalid timestamp", bad: true},
		{name: "client clock 61 minutes slow", url: func(r *rig) string { return r.hook }, secret: testHookSec, skew: -61 * time.Minute, wantCode: dingtalk.CodeWebhookSecurity, wantMsg: "invalid timestamp", bad: true},
		{name: "unknown token", url: func(r *rig) string { return r.srv.URL + "/dt/robot/send?access_token=nosuchtoken" }, secret: testHookSec, wantCode: dingtalk.CodeWebhookNoToken, bad: true},
		{name: "unsupported msgtype", url: func(r *rig) string { return r.hook }, secret: testHookSec, msg: map[string]any{"msgtype": "image"}, wantCode: dingtalk.CodeWebhookMsgType},
		{name: "empty text", url: func(r *rig) string { return r.hook }, secret: testHookSec, msg: map[string]any{"msgtype": "text", "text": map[string]any{}}, wantCode: "400002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			fakeNow := r.fake.Now
			r.client.Now = func() time.Time { return fakeNow().Add(tt.skew) }
			msg := tt.msg
			if msg == nil {
				msg = markdownMsg("告警", "x")
			}
			err := r.client.SendGroup(context.Background(), tt.url(r), tt.secret, msg)
			var ae *dingtalk.APIError
			if !errors.As(err, &ae) || ae.Code != tt.wantCode || !strings.Contains(ae.Msg, tt.wantMsg) {
				t.Fatalf("SendGroup = %v; want code %s with %q", err, tt.wantCode, tt.wantMsg)
			}
			if dingtalk.IsBadWebhook(err) != tt.bad || dingtalk.IsTemporary(err) {
				t.Errorf("IsBadWebhook, IsTemporary = %v, %v; want %v, false", dingtalk.IsBadWebhook(err), dingtalk.IsTemporary(err), tt.bad)
			}
			noSecrets(t, err, "nosuchtoken")
			if n := len(r.fake.GroupMessages(testHookToken)); n != 0 {
				t.Errorf("GroupMessages = %d; want 0", n)
			}
		})
	}
}

func TestClientSendGroupActionCard(t *testing.T) {
	r := newRig(t)
	card := map[string]any{
		"msgtype": "actionCard",
		"actionCard": map[string]any{
			"title":          "新工单 2025-0001",
			"text":           "### 城东路灯不亮\n\n请于 3 月 12 日前答复",
			"btnOrientation": "0",
			"btns": []any{
				map[string]any{"title": "签收", "actionURL": "https://minsheng.example.gov.cn/case/2025-0001/accept"},
				map[string]any{"title": "退回", "actionURL": "https://minsheng.example.gov.cn/case/2025-0001/return"},
			},
		},
	}
	if err := r.client.SendGroup(context.Background(), r.hook, testHookSec, card); err != nil {
		t.Fatal(err)
	}
	got := r.fake.GroupMessages(testHookToken)
	if len(got) != 1 {
		t.Fatalf("GroupMessages = %+v", got)
	}
	m := got[0]
	if m.MsgType != "actionCard" || m.Title != "新工单 2025-0001" || len(m.Buttons) != 2 || m.Buttons[1].Title != "退回" ||
		!strings.HasSuffix(m.Buttons[0].URL, "/accept") || m.Token != testHookToken {
		t.Errorf("GroupMessages[0] = %+v", m)
	}
	if m.Raw["msgtype"] != "actionCard" {
		t.Errorf("Raw = %v", m.Raw)
	}
	bad := map[string]any{"msgtype": "actionCard", "actionCard": map[string]any{"title": "t", "text": "x"}}
	if err := r.client.SendGroup(context.Background(), r.hook, testHookSec, bad); codeOf(err) != "400002" {
		t.Errorf("SendGroup of a card without buttons = %v; want errcode 400002", err)
	}
}

func TestClientUserIDSingleUse(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	code := r.fake.IssueAuthCode("zhangsan")
	if id, err := r.client.UserID(ctx, code); err != nil || id != "zhangsan" {
		t.Fatalf("UserID = %q, %v; want zhangsan", id, err)
	}
	_, err := r.client.UserID(ctx, code)
	if got, want := codeOf(err), dingtalk.CodeInvalidAuthCode; got != want {
		t.Errorf("UserID with a used code: code %q (%v); want %q", got, err, want)
	}
	noSecrets(t, err, code)
	expired := r.fake.IssueAuthCode("lisi")
	r.clock.Advance(dingtalktest.AuthCodeTTL)
	if _, err := r.client.UserID(ctx, expired); codeOf(err) != dingtalk.CodeInvalidAuthCode {
		t.Errorf("UserID with an expired code = %v; want code %s", err, dingtalk.CodeInvalidAuthCode)
	}
	if _, err := r.client.UserID(ctx, "never-issued"); codeOf(err) != dingtalk.CodeInvalidAuthCode {
		t.Errorf("UserID with an unknown code = %v; want code %s", err, dingtalk.CodeInvalidAuthCode)
	}
}

func TestClientUnionID(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	code := r.fake.IssueAuthCode("zhangsan")
	got, err := r.client.UnionID(ctx, code)
	if want := r.fake.UnionIDOf("zhangsan"); err != nil || got != want {
		t.Fatalf("UnionID = %q, %v; want %q", got, err, want)
	}
	if _, err := r.client.UnionID(ctx, code); err == nil {
		t.Error("UnionID with a used code succeeded")
	}
	if _, err := r.client.UserID(ctx, code); codeOf(err) != dingtalk.CodeInvalidAuthCode {
		t.Errorf("UserID with a code UnionID used = %v; want code %s", err, dingtalk.CodeInvalidAuthCode)
	}
}

func TestClientUndelivered(t *testing.T) {
	r := newRig(t)
	r.fake.AddUsers("zhangsan", "lisi")
	err := r.client.SendToUsers(context.Background(), []string{"zhangsan", "ghost", "lisi"}, dingtalk.MsgKeyMarkdown, map[string]any{"title": "t", "text": "x"})
	var ue *dingtalk.UndeliveredError
	if !errors.As(err, &ue) || strings.Join(ue.Invalid, ",") != "ghost" || len(ue.FlowControlled) != 0 {
		t.Fatalf("SendToUsers = %v; want *UndeliveredError with Invalid [ghost]", err)
	}
	if dingtalk.IsTemporary(err) || dingtalk.IsRateLimited(err) {
		t.Errorf("IsTemporary, IsRateLimited = %v, %v; want false, false", dingtalk.IsTemporary(err), dingtalk.IsRateLimited(err))
	}
	if got := r.fake.RobotMessages(); len(got) != 1 || strings.Join(got[0].UserIDs, ",") != "zhangsan,lisi" {
		t.Errorf("RobotMessages = %+v", got)
	}
	flow := &dingtalk.UndeliveredError{FlowControlled: []string{"a"}}
	if !dingtalk.IsRateLimited(flow) || !dingtalk.IsTemporary(flow) {
		t.Errorf("flow-controlled only: IsRateLimited, IsTemporary = %v, %v; want true, true", dingtalk.IsRateLimited(flow), dingtalk.IsTemporary(flow))
	}
}

func TestClientSplitsBatches(t *testing.T) {
	r := newRig(t)
	var ids []string
	for i := range 45 {
		ids = append(ids, fmt.Sprintf("u%02d", i))
	}
	ids = append(ids, "u00", "", " ") // repeats and blanks are dropped
	if err := r.client.SendToUsers(context.Background(), ids, dingtalk.MsgKeyText, textParam("x")); err != nil {
		t.Fatal(err)
	}
	got := r.fake.RobotMessages()
	var sizes []int
	for _, m := range got {
		sizes = append(sizes, len(m.UserIDs))
	}
	if fmt.Sprint(sizes) != "[20 20 5]" {
		t.Errorf("batch sizes = %v; want [20 20 5]", sizes)
	}
	if err := r.client.SendToUsers(context.Background(), []string{"", " "}, dingtalk.MsgKeyText, textParam("x")); err == nil {
		t.Error("SendToUsers with no recipients succeeded")
	}
}

func TestClientMsgParamChecked(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		param map[string]any
		code  string
	}{
		{"markdown without title", dingtalk.MsgKeyMarkdown, map[string]any{"text": "x"}, "invalidParameter.msgParam.invalid"},
		{"unknown template", "sampleNothing", textParam("x"), "invalidParameter.msgKey.invalid"},
		{"action card without URL", dingtalk.MsgKeyActionCard, map[string]any{"title": "t", "text": "x", "singleTitle": "看"}, "invalidParameter.msgParam.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			err := r.client.SendToUsers(context.Background(), []string{"a"}, tt.key, tt.param)
			if got := codeOf(err); got != tt.code {
				t.Errorf("SendToUsers code = %q (%v); want %q", got, err, tt.code)
			}
		})
	}
}

func TestClientTimeout(t *testing.T) {
	r := newRig(t)
	r.fake.SetDelay(time.Second)
	hc := r.srv.Client()
	hc.Timeout = 50 * time.Millisecond
	r.client.HTTP = hc
	err := r.client.SendGroup(context.Background(), r.hook, testHookSec, markdownMsg("t", "x"))
	if err == nil || !dingtalk.IsTemporary(err) {
		t.Fatalf("SendGroup past the timeout = %v; want a temporary error", err)
	}
	noSecrets(t, err, dingtalk.Sign(testHookSec, r.clock.Now().UnixMilli()))
	if strings.Contains(err.Error(), "access_token=") || strings.Contains(err.Error(), "sign=") {
		t.Errorf("timeout error %q quotes the webhook query", err)
	}
	r.fake.SetDelay(0)
}

func TestClientContextCancelled(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.client.SendToUsers(ctx, []string{"a"}, dingtalk.MsgKeyText, textParam("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("SendToUsers with a cancelled context = %v; want context.Canceled", err)
	}
}

func TestClientConcurrent(t *testing.T) {
	r := newRig(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- r.client.SendToUsers(context.Background(), []string{fmt.Sprint("u", i)}, dingtalk.MsgKeyText, textParam("x"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got, want := r.fake.TokensIssued(), 1; got != want {
		t.Errorf("TokensIssued = %d; want %d", got, want)
	}
	if got, want := len(r.fake.RobotMessages()), 16; got != want {
		t.Errorf("RobotMessages = %d; want %d", got, want)
	}
}

func TestErrorHelpers(t *testing.T) {
	tests := []struct {
		name                string
		err                 error
		limited, bad, retry bool
	}{
		{"group too fast", &dingtalk.APIError{Code: "130101", Status: 200}, true, false, true},
		{"group too fast, newer code", &dingtalk.APIError{Code: "660026", Status: 200}, true, false, true},
		{"group throttled", &dingtalk.APIError{Code: "410100", Status: 200}, true, false, true},
		{"API QPS", &dingtalk.APIError{Code: dingtalk.CodeQPSLimitAPI, Status: 403}, true, false, true},
		{"Throttling", &dingtalk.APIError{Code: "Throttling.User", Status: 400}, true, false, true},
		{"HTTP 429", &dingtalk.APIError{Status: 429}, true, false, true},
		{"old API QPS", &dingtalk.APIError{Code: "90018", Status: 200}, true, false, true},
		{"sign not match", &dingtalk.APIError{Code: "310000", Status: 200, Msg: "sign not match"}, false, true, false},
		{"token is not exist", &dingtalk.APIError{Code: "300005", Status: 200}, false, true, false},
		{"token is not exist, old code", &dingtalk.APIError{Code: "300001", Status: 200, Msg: "token is not exist"}, false, true, false},
		{"param error", &dingtalk.APIError{Code: "300001", Status: 200, Msg: "param error"}, false, false, false},
		{"robot disabled", &dingtalk.APIError{Code: "400102", Status: 200}, false, true, false},
		{"system busy", &dingtalk.APIError{Code: "-1", Status: 200}, false, false, true},
		{"bad gateway", &dingtalk.APIError{Status: 502}, false, false, true},
		{"invalid auth", &dingtalk.APIError{Code: dingtalk.CodeInvalidAuthentication, Status: 400}, false, false, false},
		{"wrapped", fmt.Errorf("outer: %w", &dingtalk.APIError{Code: "130101"}), true, false, true},
		{"deadline", context.DeadlineExceeded, false, false, true},
		{"plain", errors.New("x"), false, false, false},
		{"nil", nil, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dingtalk.IsRateLimited(tt.err); got != tt.limited {
				t.Errorf("IsRateLimited(%v) = %v; want %v", tt.err, got, tt.limited)
			}
			if got := dingtalk.IsBadWebhook(tt.err); got != tt.bad {
				t.Errorf("IsBadWebhook(%v) = %v; want %v", tt.err, got, tt.bad)
			}
			if got := dingtalk.IsTemporary(tt.err); got != tt.retry {
				t.Errorf("IsTemporary(%v) = %v; want %v", tt.err, got, tt.retry)
			}
		})
	}
}
