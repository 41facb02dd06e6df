package dingtalk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"minsheng/bot/dingtalk"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// callbackApp is the smallest real robot callback built on this package: it
// verifies, parses, deduplicates by msgId, answers 200 at once and replies
// through the session webhook.
type callbackApp struct {
	secret string
	now    func() time.Time
	hc     *http.Client

	mu   sync.Mutex
	seen map[string]bool
	got  []dingtalk.Message
}

func (a *callbackApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := dingtalk.VerifyCallback(a.secret, r.Header, a.now(), 0); err != nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, dingtalk.MaxBodySize))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	msg, err := dingtalk.ParseMessage(body)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	dup := a.seen[msg.MsgID]
	a.seen[msg.MsgID] = true
	if !dup {
		a.got = append(a.got, msg)
	}
	a.mu.Unlock()
	if !dup {
		reply := "收到：" + msg.Text()
		if err := dingtalk.ReplyText(r.Context(), a.hc, msg, reply, a.now()); err != nil {
			http.Error(w, "reply failed", http.StatusBadGateway)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{}`)
}

func (a *callbackApp) messages() []dingtalk.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]dingtalk.Message(nil), a.got...)
}

type driverRig struct {
	*rig
	app    *callbackApp
	driver *dingtalk.Driver
}

func newDriverRig(t *testing.T) *driverRig {
	t.Helper()
	r := newRig(t)
	app := &callbackApp{secret: testAppSecret, now: r.clock.Now, hc: r.srv.Client(), seen: map[string]bool{}}
	cb := httptest.NewServer(app)
	t.Cleanup(cb.Close)
	d := &dingtalk.Driver{
		URL: cb.URL + "/dingtalk/callback", AppSecret: testAppSecret, RobotCode: testRobot,
		SessionURL: r.fake.NewSession(), HTTP: cb.Client(), Now: r.clock.Now,
	}
	return &driverRig{rig: r, app: app, driver: d}
}

func TestDriverSendText(t *testing.T) {
	tests := []struct {
		name  string
		group bool
	}{
		{"1:1", false},
		{"group", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newDriverRig(t)
			status, body, err := r.driver.SendText(context.Background(), "zhangsan", "张三", "签收 2025-0001", "", tt.group)
			if err != nil || status != http.StatusOK {
				t.Fatalf("SendText = %d, %q, %v; want 200", status, body, err)
			}
			got := r.app.messages()
			if len(got) != 1 {
				t.Fatalf("callback saw %d messages; want 1", len(got))
			}
			m := got[0]
			if m.SenderStaffID != "zhangsan" || m.SenderNick != "张三" || m.Text() != "签收 2025-0001" || m.IsGroup() != tt.group ||
				m.RobotCode != testRobot || m.MsgID == "" || !strings.HasPrefix(m.SenderID, "$:LWCP_v1:$") || !strings.HasPrefix(m.ConversationID, "cid") {
				t.Errorf("callback saw %+v", m)
			}
			if got, want := m.CreateAt, r.clock.Now().UnixMilli(); got != want {
				t.Errorf("createAt = %d; want %d", got, want)
			}
			if got, want := time.UnixMilli(m.SessionWebhookExpiredTime).Sub(r.clock.Now()), dingtalk.DefaultSessionTTL; got != want {
				t.Errorf("session lifetime = %v; want %v", got, want)
			}
			if tt.group && (!strings.HasPrefix(m.Body.Content, " ") || !m.IsInAtList || m.ConversationTitle == "") {
				t.Errorf("group message = %+v; want DingTalk's leading space, isInAtList and a title", m)
			}
			replies := r.fake.SessionReplies()
			if len(replies) != 1 || replies[0].Text != "收到：签收 2025-0001" {
				t.Errorf("SessionReplies = %+v", replies)
			}
		})
	}
}

func TestDriverRetryIsDeduplicated(t *testing.T) {
	r := newDriverRig(t)
	ctx := context.Background()
	for range 3 {
		if _, _, err := r.driver.SendText(ctx, "lisi", "李四", "进度", "msgRETRY==", false); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := len(r.app.messages()), 1; got != want {
		t.Errorf("callback kept %d messages; want %d", got, want)
	}
	if got, want := len(r.fake.SessionReplies()), 1; got != want {
		t.Errorf("SessionReplies = %d; want %d", got, want)
	}
}

func TestDriverJSONShape(t *testing.T) {
	d := &dingtalk.Driver{RobotCode: testRobot, SessionURL: "https://oapi.example/robot/sendBySession?session=s", Now: newClock().Now}
	b, err := json.Marshal(d.TextMessage("u1", "nick", "hi", "msg1", true))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if _, isString := raw["conversationType"].(string); !isString {
		t.Errorf("conversationType = %#v; want a string, as DingTalk sends", raw["conversationType"])
	}
	if _, isNumber := raw["createAt"].(float64); !isNumber {
		t.Errorf("createAt = %#v; want a number", raw["createAt"])
	}
	for _, k := range []string{"msgId", "msgtype", "text", "senderStaffId", "senderId", "chatbotUserId", "robotCode", "sessionWebhook", "sessionWebhookExpiredTime", "conversationId", "atUsers"} {
		if _, has := raw[k]; !has {
			t.Errorf("callback JSON lacks %q: %s", k, b)
		}
	}
}

func TestDriverNegative(t *testing.T) {
	r := newDriverRig(t)
	body, err := json.Marshal(r.driver.TextMessage("zhangsan", "张三", "hi", "", false))
	if err != nil {
		t.Fatal(err)
	}
	now := r.clock.Now()
	signed := func(at time.Time, secret string) http.Header {
		ms := at.UnixMilli()
		h := http.Header{}
		h.Set("timestamp", strconv.FormatInt(ms, 10))
		h.Set("sign", dingtalk.Sign(secret, ms))
		return h
	}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   int
	}{
		{"good", signed(now, testAppSecret), body, http.StatusOK},
		{"no headers", http.Header{}, body, http.StatusForbidden},
		{"wrong secret", signed(now, "not-the-app-secret"), body, http.StatusForbidden},
		{"stale by 61 minutes", signed(now.Add(-61*time.Minute), testAppSecret), body, http.StatusForbidden},
		{"future by 61 minutes", signed(now.Add(61*time.Minute), testAppSecret), body, http.StatusForbidden},
		{"signed but not JSON", signed(now, testAppSecret), []byte("<xml/>"), http.StatusBadRequest},
		{"signed but no msgId", signed(now, testAppSecret), []byte(`{"senderStaffId":"u"}`), http.StatusBadRequest},
		{"signed but too large", signed(now, testAppSecret), []byte(`{"x":"` + strings.Repeat("a", dingtalk.MaxBodySize) + `"}`), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp, err := r.driver.SendRaw(context.Background(), tt.header, tt.body)
			if err != nil {
				t.Fatalf("SendRaw: %v", err)
			}
			if status != tt.want {
				t.Errorf("SendRaw status = %d (%q); want %d", status, resp, tt.want)
			}
		})
	}
}

func TestDriverReportsRefusal(t *testing.T) {
	r := newDriverRig(t)
	r.driver.AppSecret = "driver-has-the-wrong-secret"
	status, _, err := r.driver.SendText(context.Background(), "u", "n", "hi", "", false)
	if status != http.StatusForbidden || err == nil {
		t.Errorf("SendText with a wrong secret = %d, %v; want 403 and an error", status, err)
	}
	if len(r.app.messages()) != 0 {
		t.Error("callback accepted a badly signed message")
	}
}

func TestDriverExpiredSession(t *testing.T) {
	r := newDriverRig(t)
	r.driver.SessionTTL = time.Minute
	m := r.driver.TextMessage("u", "n", "hi", "", false)
	r.clock.Advance(2 * time.Minute)
	err := dingtalk.ReplyText(context.Background(), nil, m, "late", r.clock.Now())
	if !errors.Is(err, dingtalk.ErrSessionExpired) {
		t.Errorf("ReplyText two minutes into a one-minute session = %v; want ErrSessionExpired", err)
	}
}
