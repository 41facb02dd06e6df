package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock (driver_test.go has the same for the
// package's internal tests).
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

const (
	fakeCorp   = "wwcorp0001"
	fakeSecret = "s3cret-app"
	fakeAgent  = int64(1000002)
	fakeKey    = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
)

type rig struct {
	fake   *wecomtest.FakeServer
	client *wecom.Client
	clock  *clock
}

func newRig(t *testing.T) *rig {
	t.Helper()
	clk := newClock()
	f := wecomtest.NewFakeServer(fakeCorp, fakeSecret, fakeAgent)
	f.Now = clk.Now
	f.AddWebhook(fakeKey)
	mux := http.NewServeMux()
	mux.Handle("/gov/", f) // mounted under a prefix, as a 政务微信 host might be
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &wecom.Client{BaseURL: srv.URL + "/gov/", CorpID: fakeCorp, Secret: fakeSecret, AgentID: fakeAgent, HTTP: srv.Client(), Now: clk.Now}
	return &rig{fake: f, client: c, clock: clk}
}

func textMsg(to, content string) map[string]any {
	return map[string]any{"touser": to, "msgtype": "text", "text": map[string]any{"content": content}}
}

func buttonCard(to, taskID string) map[string]any {
	return map[string]any{
		"touser":  to,
		"msgtype": "template_card",
		"template_card": map[string]any{
			"card_type":   "button_interaction",
			"main_title":  map[string]any{"title": "新工单 2025-0001", "desc": "城东路灯不亮"},
			"task_id":     taskID,
			"button_list": []any{map[string]any{"text": "签收", "key": "accept", "style": 1}, map[string]any{"text": "退回", "key": "return", "style": 2}},
		},
	}
}

func apiCode(err error) int {
	var ae *wecom.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

func TestClientSendAppCachesToken(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	msg := textMsg("zhangsan", "您有一件新工单")
	for i := range 3 {
		res, err := r.client.SendApp(ctx, msg)
		if err != nil || res.MsgID == "" {
			t.Fatalf("SendApp #%d = %+v, %v", i, res, err)
		}
	}
	if _, has := msg["agentid"]; has {
		t.Error("SendApp changed the caller's map")
	}
	if n := r.fake.TokensIssued(); n != 1 {
		t.Errorf("TokensIssued = %d; want 1 (cached)", n)
	}
	got := r.fake.AppMessages()
	if len(got) != 3 || got[0].ToUser != "zhangsan" || got[0].MsgType != "text" || got[0].Text != "您有一件新工单" {
		t.Fatalf("AppMessages = %+v", got)
	}
	if a := fmt.Sprint(got[0].Raw["agentid"]); a != "1000002" {
		t.Errorf("recorded agentid = %s; want 1000002", a)
	}
	got[0].Raw["touser"] = "mutated"
	if again := r.fake.AppMessages(); again[0].Raw["touser"] != "zhangsan" {
		t.Error("AppMessages returned shared maps")
	}
}

func TestClientTokenExpiresMidRun(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.client.SendApp(ctx, textMsg("a", "1")); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(2*time.Hour + time.Second)
	if _, err := r.client.SendApp(ctx, textMsg("a", "2")); err != nil {
		t.Fatalf("SendApp after the token's lifetime: %v", err)
	}
	if n := r.fake.TokensIssued(); n != 2 {
		t.Errorf("TokensIssued = %d; want 2", n)
	}
}

func TestClientRefreshesRejectedToken(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.client.SendApp(ctx, textMsg("a", "1")); err != nil {
		t.Fatal(err)
	}
	r.fake.ExpireTokens() // the server forgets early; the client's cache still trusts it
	if _, err := r.client.SendApp(ctx, textMsg("a", "2")); err != nil {
		t.Fatalf("SendApp after ExpireTokens: %v", err)
	}
	if n, m := r.fake.TokensIssued(), len(r.fake.AppMessages()); n != 2 || m != 2 {
		t.Errorf("TokensIssued = %d, AppMessages = %d; want 2, 2", n, m)
	}
}

func TestClientBadCredentials(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	base := r.client.BaseURL
	if _, err := (&wecom.Client{BaseURL: base, CorpID: fakeCorp, Secret: "wrong", AgentID: fakeAgent}).SendApp(ctx, textMsg("a", "x")); apiCode(err) != wecom.CodeInvalidCredential {
		t.Errorf("wrong secret: %v; want errcode 40001", err)
	}
	if _, err := (&wecom.Client{BaseURL: base, CorpID: "wwother", Secret: fakeSecret, AgentID: fakeAgent}).SendApp(ctx, textMsg("a", "x")); apiCode(err) != wecom.CodeInvalidCorpID {
		t.Errorf("wrong corp: %v; want errcode 40013", err)
	}
	if _, err := (&wecom.Client{BaseURL: base, CorpID: fakeCorp, Secret: fakeSecret, AgentID: 7}).SendApp(ctx, textMsg("a", "x")); apiCode(err) != wecom.CodeInvalidAgentID {
		t.Errorf("wrong agent: %v; want errcode 40056", err)
	}
	if err := (&wecom.Client{BaseURL: base, CorpID: fakeCorp, Secret: "wrong"}).SendGroup(ctx, fakeKey, map[string]any{"msgtype": "text", "text": map[string]any{"content": "ok"}}); err != nil {
		t.Errorf("SendGroup needs no token, got %v", err)
	}
	if n := r.fake.TokensIssued(); n != 1 {
		t.Errorf("TokensIssued = %d; want 1 (only the wrong-agent client had good credentials)", n)
	}
}

func TestClientRateLimitAndServerErrors(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.client.SendApp(ctx, textMsg("a", "warm")); err != nil {
		t.Fatal(err)
	}

	r.fake.RateLimitNext(1)
	_, err := r.client.SendApp(ctx, textMsg("a", "1"))
	if !wecom.IsRateLimited(err) || !wecom.IsTemporary(err) || wecom.IsBadWebhook(err) {
		t.Errorf("after RateLimitNext: %v; want a temporary 45009", err)
	}

	r.fake.FailNext(2)
	for i := range 2 {
		_, err = r.client.SendApp(ctx, textMsg("a", "2"))
		var he *wecom.HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusInternalServerError || !wecom.IsTemporary(err) {
			t.Errorf("call %d after FailNext: %v; want a temporary HTTP 500", i, err)
		}
	}
	if _, err := r.client.SendApp(ctx, textMsg("a", "3")); err != nil {
		t.Errorf("after the faults: %v", err)
	}
	if n := len(r.fake.AppMessages()); n != 2 {
		t.Errorf("AppMessages = %d; want 2 (faulted calls record nothing)", n)
	}
}

func TestClientTimeoutHidesSecrets(t *testing.T) {
	r := newRig(t)
	r.fake.SetDelay(300 * time.Millisecond)
	c := &wecom.Client{BaseURL: r.client.BaseURL, CorpID: fakeCorp, Secret: fakeSecret, AgentID: fakeAgent, HTTP: &http.Client{Timeout: 50 * time.Millisecond}}
	_, err := c.SendApp(context.Background(), textMsg("a", "x"))
	if err == nil || !wecom.IsTemporary(err) {
		t.Fatalf("SendApp against a slow server: %v; want a temporary timeout", err)
	}
	if strings.Contains(err.Error(), fakeSecret) {
		t.Errorf("error leaks the secret: %v", err)
	}
	err = c.SendGroup(context.Background(), fakeKey, map[string]any{"msgtype": "text", "text": map[string]any{"content": "x"}})
	if err == nil || strings.Contains(err.Error(), fakeKey) {
		t.Errorf("SendGroup against a slow server: %v; want a timeout that hides the key", err)
	}

	broken := &wecom.Client{BaseURL: "http://[::1", CorpID: fakeCorp, Secret: fakeSecret}
	if _, err := broken.SendApp(context.Background(), textMsg("a", "x")); err == nil || strings.Contains(err.Error(), fakeSecret) {
		t.Errorf("SendApp with a malformed BaseURL: %v; want an error that hides the secret", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.client.SendApp(ctx, textMsg("a", "x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SendApp with an expiring context: %v; want DeadlineExceeded", err)
	}
}

func TestClientInvalidUsers(t *testing.T) {
	r := newRig(t)
	r.fake.AddUsers("zhangsan", "lisi")
	ctx := context.Background()
	res, err := r.client.SendApp(ctx, textMsg("zhangsan|ghost", "x"))
	if err != nil || res.InvalidUser != "ghost" {
		t.Errorf("SendApp to zhangsan|ghost = %+v, %v; want InvalidUser ghost", res, err)
	}
	if _, err := r.client.SendApp(ctx, textMsg("ghost", "x")); apiCode(err) != 81013 {
		t.Errorf("SendApp to ghost only: %v; want errcode 81013", err)
	}
	if _, err := r.client.SendApp(ctx, map[string]any{"touser": "lisi", "msgtype": "text", "text": map[string]any{}}); apiCode(err) != 44004 {
		t.Errorf("SendApp with empty content: %v; want errcode 44004", err)
	}
	if _, err := r.client.SendApp(ctx, map[string]any{"touser": "lisi", "msgtype": "video"}); apiCode(err) != 40008 {
		t.Errorf("SendApp of an unsupported type: %v; want errcode 40008", err)
	}
}

func TestClientMessageTypes(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	msgs := []map[string]any{
		{"touser": "a", "msgtype": "markdown", "markdown": map[string]any{"content": "**督办** 工单 2025-0001"}},
		{"touser": "a", "msgtype": "textcard", "textcard": map[string]any{"title": "批示", "description": "请于今日内答复", "url": "https://example.org/c/1"}},
		{"touser": "a", "msgtype": "template_card", "template_card": map[string]any{
			"card_type": "text_notice", "main_title": map[string]any{"title": "周报"}, "card_action": map[string]any{"type": 1, "url": "https://example.org"}}},
	}
	for _, m := range msgs {
		res, err := r.client.SendApp(ctx, m)
		if err != nil || res.ResponseCode != "" {
			t.Errorf("SendApp(%v) = %+v, %v; want success without response_code", m["msgtype"], res, err)
		}
	}
	got := r.fake.AppMessages()
	if got[1].Text != "请于今日内答复" || got[2].CardType != "text_notice" || got[2].Text != "周报" {
		t.Errorf("recorded %+v", got)
	}
	bad := buttonCard("a", "")
	if _, err := r.client.SendApp(ctx, bad); apiCode(err) != wecom.CodeTaskIDExists {
		t.Errorf("button card without task_id: %v; want errcode 42014", err)
	}
}

func TestClientResponseCodeSingleUse(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	res, err := r.client.SendApp(ctx, buttonCard("zhangsan", "case-0001-assign"))
	if err != nil || res.ResponseCode == "" {
		t.Fatalf("SendApp(button card) = %+v, %v; want a response_code", res, err)
	}
	if _, err := r.client.SendApp(ctx, buttonCard("zhangsan", "case-0001-assign")); apiCode(err) != wecom.CodeTaskIDExists {
		t.Errorf("a second card with the same task_id: %v; want errcode 42014", err)
	}
	update := map[string]any{"userids": []string{"zhangsan"}, "response_code": res.ResponseCode, "button": map[string]any{"replace_name": "已签收"}}
	if err := r.client.UpdateCard(ctx, update); err != nil {
		t.Fatalf("UpdateCard: %v", err)
	}
	if err := r.client.UpdateCard(ctx, update); apiCode(err) != wecom.CodeInvalidResponseCode {
		t.Errorf("UpdateCard reusing the response_code: %v; want errcode %d", err, wecom.CodeInvalidResponseCode)
	}
	ups := r.fake.CardUpdates()
	if len(ups) != 1 || ups[0].ReplaceName != "已签收" || ups[0].ResponseCode != res.ResponseCode || len(ups[0].UserIDs) != 1 || ups[0].UserIDs[0] != "zhangsan" {
		t.Errorf("CardUpdates = %+v", ups)
	}

	// A response_code from a click event, used after 72 hours.
	rc := r.fake.IssueResponseCode()
	r.clock.Advance(72 * time.Hour)
	if err := r.client.UpdateCard(ctx, map[string]any{"userids": []string{"zhangsan"}, "response_code": rc, "button": map[string]any{"replace_name": "x"}}); apiCode(err) != wecom.CodeInvalidResponseCode {
		t.Errorf("UpdateCard after 72h: %v; want errcode %d", err, wecom.CodeInvalidResponseCode)
	}
	// A whole-card update with a fresh code.
	rc = r.fake.IssueResponseCode()
	card := buttonCard("", "case-0001-assign")["template_card"]
	if err := r.client.UpdateCard(ctx, map[string]any{"atall": 1, "response_code": rc, "template_card": card}); err != nil {
		t.Errorf("UpdateCard with a whole card: %v", err)
	}
	if err := r.client.UpdateCard(ctx, map[string]any{"response_code": "made-up", "button": map[string]any{"replace_name": "x"}}); apiCode(err) != wecom.CodeInvalidResponseCode {
		t.Errorf("UpdateCard with an unknown code: %v", err)
	}
}

func TestClientGroupRobot(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	msg := map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": "本周超期工单 3 件"}}
	for i := range 20 {
		if err := r.client.SendGroup(ctx, fakeKey, msg); err != nil {
			t.Fatalf("SendGroup #%d: %v", i+1, err)
		}
	}
	if err := r.client.SendGroup(ctx, fakeKey, msg); !wecom.IsRateLimited(err) {
		t.Errorf("SendGroup #21 within a minute: %v; want 45009", err)
	}
	r.clock.Advance(61 * time.Second)
	if err := r.client.SendGroup(ctx, fakeKey, msg); err != nil {
		t.Errorf("SendGroup a minute later: %v", err)
	}
	if err := r.client.SendGroup(ctx, "no-such-key", msg); !wecom.IsBadWebhook(err) || wecom.IsTemporary(err) {
		t.Errorf("SendGroup to an unknown key: %v; want a permanent 93000", err)
	}
	long := map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": strings.Repeat("超", 1366)}}
	if err := r.client.SendGroup(ctx, fakeKey, long); apiCode(err) != wecom.CodeInvalidParam {
		t.Errorf("SendGroup of 4098 bytes of markdown: %v; want errcode 40058", err)
	}
	file := map[string]any{"msgtype": "file", "file": map[string]any{"media_id": "3a8asd892asd8asd"}}
	if err := r.client.SendGroup(ctx, fakeKey, file); err != nil {
		t.Errorf("SendGroup(file): %v", err)
	}
	got := r.fake.GroupMessages(fakeKey)
	if len(got) != 22 || got[0].Text != "本周超期工单 3 件" || got[21].MsgType != "file" {
		t.Errorf("GroupMessages: %d messages, first %+v", len(got), got[0])
	}
	if n := len(r.fake.GroupMessages("no-such-key")); n != 0 {
		t.Errorf("GroupMessages(unknown) = %d", n)
	}
}

func TestClientOAuth(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	code := r.fake.IssueOAuthCode("wangwu")
	uid, err := r.client.UserID(ctx, code)
	if err != nil || uid != "wangwu" {
		t.Fatalf("UserID = %q, %v; want wangwu", uid, err)
	}
	if _, err := r.client.UserID(ctx, code); apiCode(err) != wecom.CodeInvalidCode {
		t.Errorf("UserID reusing a code: %v; want errcode 40029", err)
	}
	code = r.fake.IssueOAuthCode("wangwu")
	r.clock.Advance(wecomtest.OAuthCodeTTL)
	if _, err := r.client.UserID(ctx, code); apiCode(err) != wecom.CodeInvalidCode {
		t.Errorf("UserID with an expired code: %v; want errcode 40029", err)
	}
	if _, err := r.client.UserID(ctx, "made-up"); apiCode(err) != wecom.CodeInvalidCode {
		t.Errorf("UserID with an unknown code: %v; want errcode 40029", err)
	}
}

func TestClientConcurrent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.client.SendApp(ctx, textMsg("a", "warm")); err != nil {
		t.Fatal(err)
	}
	r.fake.ExpireTokens() // every goroutine starts with a token the server rejects
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			_, err := r.client.SendApp(ctx, textMsg("a", fmt.Sprint(i)))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("SendApp: %v", err)
		}
	}
	if n := len(r.fake.AppMessages()); n != 41 {
		t.Errorf("AppMessages = %d; want 41", n)
	}
	if n := r.fake.TokensIssued(); n != 2 {
		t.Errorf("TokensIssued = %d; want 2 (one refresh shared by all)", n)
	}
}

func TestFakeRoutes(t *testing.T) {
	r := newRig(t)
	base := strings.TrimSuffix(r.client.BaseURL, "/")
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           string
	}{
		{"UnknownPath", http.MethodGet, "/cgi-bin/nothing", http.StatusNotFound, ""},
		{"NoCgiBin", http.MethodGet, "/x", http.StatusNotFound, ""},
		{"SendNeedsPost", http.MethodGet, "/cgi-bin/message/send?access_token=x", http.StatusOK, `"errcode":43002`},
		{"MissingToken", http.MethodPost, "/cgi-bin/message/send", http.StatusOK, `"errcode":41001`},
		{"UnknownToken", http.MethodPost, "/cgi-bin/message/send?access_token=nope", http.StatusOK, `"errcode":40014`},
		{"GetTokenNoCorp", http.MethodGet, "/cgi-bin/gettoken", http.StatusOK, `"errcode":41002`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader("{}"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(b), tt.wantBody) {
				t.Errorf("%s %s = %d %s; want %d containing %s", tt.method, tt.path, resp.StatusCode, b, tt.wantStatus, tt.wantBody)
			}
		})
	}
}
