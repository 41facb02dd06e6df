package wecom

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
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

const (
	appToken  = "T0kenForTests"
	appAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	appCorpID = "ww1234567890abcdef"
	appAgent  = "1000002"
)

// callbackApp is the smallest real callback handler built on callback.go:
// it answers URL verification, replies to text with a text passive reply
// (or nothing for "quiet"), and to a card click with update_button.
type callbackApp struct {
	now    func() time.Time
	mu     sync.Mutex
	events []Event
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrSignature):
		return http.StatusForbidden
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (a *callbackApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		plain, err := VerifyURL(appToken, appAESKey, appCorpID, q)
		if err != nil {
			http.Error(w, "rejected", statusOf(err))
			return
		}
		_, _ = w.Write(plain)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	plain, err := OpenCallback(appToken, appAESKey, appCorpID, q, body)
	if err != nil {
		http.Error(w, "rejected", statusOf(err))
		return
	}
	ev, err := ParseEvent(plain)
	if err != nil {
		http.Error(w, "rejected", statusOf(err))
		return
	}
	a.mu.Lock()
	a.events = append(a.events, ev)
	a.mu.Unlock()

	now := a.now().Unix()
	var reply []byte
	switch {
	case ev.MsgType == MsgTypeText && ev.Content == "quiet":
		return
	case ev.MsgType == MsgTypeText:
		var b bytes.Buffer
		b.WriteString("<xml>")
		element(&b, "ToUserName", ev.FromUserName)
		element(&b, "FromUserName", appCorpID)
		b.WriteString("<CreateTime>" + strconv.FormatInt(now, 10) + "</CreateTime>")
		element(&b, "MsgType", "text")
		element(&b, "Content", "收到："+ev.Content)
		b.WriteString("</xml>")
		reply = b.Bytes()
	case ev.Event == EventTemplateCard:
		reply = UpdateButtonReply(ev.FromUserName, appCorpID, now, "已签收")
	default:
		_, _ = w.Write([]byte("success"))
		return
	}
	env, err := PassiveReply(appToken, appAESKey, appCorpID, reply, strconv.FormatInt(now, 10), "5963", nil)
	if err != nil {
		http.Error(w, "reply", http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(env)
}

func newDriverRig(t *testing.T) (*Driver, *callbackApp) {
	t.Helper()
	clk := newClock()
	app := &callbackApp{now: clk.Now}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	d := &Driver{
		URL:            srv.URL + "/wecom/callback?tenant=county",
		CorpID:         appCorpID,
		AgentID:        appAgent,
		Token:          appToken,
		EncodingAESKey: appAESKey,
		HTTP:           srv.Client(),
		Now:            clk.Now,
	}
	return d, app
}

func TestDriverVerify(t *testing.T) {
	d, _ := newDriverRig(t)
	status, body, err := d.Verify(context.Background())
	if err != nil || status != http.StatusOK || body == "" {
		t.Fatalf("Verify = %d, %q, %v; want 200 with the echostr plaintext", status, body, err)
	}

	bad := *d
	bad.Token = "wrong"
	status, _, err = bad.Verify(context.Background())
	if err == nil || status != http.StatusForbidden {
		t.Errorf("Verify with the wrong token = %d, %v; want 403 and an error", status, err)
	}
}

func TestDriverSendText(t *testing.T) {
	d, app := newDriverRig(t)
	r, err := d.SendText(context.Background(), "zhangsan", "路灯坏了]]>", 4561255354251345929)
	if err != nil {
		t.Fatalf("SendText: %v", err)
	}
	if r.MsgType != "text" || r.Content != "收到：路灯坏了]]>" {
		t.Errorf("passive reply = %q %q; want text 收到：路灯坏了]]>", r.MsgType, r.Content)
	}
	app.mu.Lock()
	ev := app.events[0]
	app.mu.Unlock()
	want := Event{ToUserName: appCorpID, FromUserName: "zhangsan", CreateTime: d.Now().Unix(), MsgType: "text",
		AgentID: 1000002, Content: "路灯坏了]]>", MsgID: "4561255354251345929"}
	if ev.FromUserName != want.FromUserName || ev.Content != want.Content || ev.MsgID != want.MsgID ||
		ev.AgentID != want.AgentID || ev.CreateTime != want.CreateTime || ev.ToUserName != want.ToUserName {
		t.Errorf("callback saw %+v; want %+v", ev, want)
	}

	r, err = d.SendText(context.Background(), "zhangsan", "quiet", 2)
	if err != nil || r.Plain != nil || r.Status != http.StatusOK {
		t.Errorf("SendText(quiet) = %+v, %v; want 200 with no passive reply", r, err)
	}
}

func TestDriverClickButton(t *testing.T) {
	d, app := newDriverRig(t)
	r, err := d.ClickButton(context.Background(), "lisi", "case-2025-0001-assign", "accept", "rc-123")
	if err != nil {
		t.Fatalf("ClickButton: %v", err)
	}
	if r.MsgType != "update_button" || r.ReplaceName != "已签收" {
		t.Errorf("passive reply = %q %q; want update_button 已签收", r.MsgType, r.ReplaceName)
	}
	app.mu.Lock()
	ev := app.events[0]
	app.mu.Unlock()
	if ev.Event != EventTemplateCard || ev.EventKey != "accept" || ev.TaskID != "case-2025-0001-assign" ||
		ev.ResponseCode != "rc-123" || ev.FromUserName != "lisi" || ev.CardType != CardButtonInteraction {
		t.Errorf("callback saw %+v", ev)
	}
}

func TestDriverSendRaw(t *testing.T) {
	d, _ := newDriverRig(t)
	ctx := context.Background()
	q := url.Values{"msg_signature": {"0000"}, "timestamp": {"1"}, "nonce": {"2"}}
	enc, _ := Encrypt(appCorpID, appAESKey, nil, []byte("<xml/>"))
	r, err := d.SendRaw(ctx, q, []byte("<xml><Encrypt><![CDATA["+enc+"]]></Encrypt></xml>"))
	if err != nil || r.Status != http.StatusForbidden {
		t.Errorf("SendRaw with a bad signature = %+v, %v; want 403", r, err)
	}
	r, err = d.SendRaw(ctx, q, []byte("<!DOCTYPE x><xml/>"))
	if err != nil || r.Status != http.StatusBadRequest {
		t.Errorf("SendRaw with a DOCTYPE = %+v, %v; want 400", r, err)
	}
}

func TestDriverRejectsForgedReply(t *testing.T) {
	// A callback that signs its passive reply with the wrong token.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env, _ := PassiveReply("not-the-token", appAESKey, appCorpID, UpdateButtonReply("a", appCorpID, 1, "x"), "1", "2", nil)
		_, _ = w.Write(env)
	}))
	defer srv.Close()
	d := &Driver{URL: srv.URL, CorpID: appCorpID, AgentID: appAgent, Token: appToken, EncodingAESKey: appAESKey}
	if _, err := d.ClickButton(context.Background(), "a", "t", "k", "rc"); !errors.Is(err, ErrSignature) {
		t.Errorf("ClickButton against a forged reply: %v; want ErrSignature", err)
	}
}
