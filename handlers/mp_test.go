package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/app/apptest"
	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The Official Account of the tests' server (apptest.Config).
const (
	appID  = apptest.MPAppID
	secret = apptest.MPSecret
	token  = apptest.MPToken
	aesKey = apptest.MPAESKey
)

type harness struct {
	store  *models.Store
	clock  *modeltest.Clock
	srv    *httptest.Server
	safe   *mp.Driver
	plain  *mp.Driver
	router http.Handler
}

// newHarness is the server built by app with the Official Account alone,
// no organisation, and at most three reports an hour from one citizen;
// opts change the account's configuration.
func newHarness(t *testing.T, s *models.Store, opts ...func(*config.MP)) *harness {
	t.Helper()
	clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0)) // a Monday
	cfg := apptest.Config(config.Org{}, false)
	cfg.Intake.MaxCasesPerHour = 3
	cfg.Deadlines.ExtensionWorkdays, cfg.Deadlines.ReportUpMajor, cfg.Deadlines.ReportUpCritical = 0, 0, 0
	for _, o := range opts {
		o(&cfg.MP)
	}
	router := apptest.New(t, s, cfg, clock, app.Bases{}, "test").Handler
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	d := func(safe bool) *mp.Driver {
		return &mp.Driver{URL: srv.URL + "/callback/mp", AppID: appID, Token: token, EncodingAESKey: aesKey, Safe: safe, Now: clock.Now}
	}
	return &harness{store: s, clock: clock, srv: srv, safe: d(true), plain: d(false), router: router}
}

func text(from, content string) mp.Message {
	return mp.Message{FromUser: from, ToUser: "gh_account", MsgType: "text", Content: content}
}

func (h *harness) send(t *testing.T, d *mp.Driver, m mp.Message) *mp.Reply {
	t.Helper()
	r, err := d.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("send %q: %v", m.Content, err)
	}
	return r
}

func (h *harness) cases(t *testing.T) int64 {
	t.Helper()
	n, err := h.store.CountCases(context.Background())
	modeltest.Must(t, err, "count cases")
	return n
}

func TestCallbackOpensCaseAndRepliesEncrypted(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		r := h.send(t, h.safe, text("oCitizenA", "幸福小区3号楼下水道堵了三天，污水漫到路面"))
		if r.Status != http.StatusOK || r.MsgType != "text" {
			t.Fatalf("reply = %d %q; want 200 text", r.Status, r.MsgType)
		}
		if !bytes.Contains(r.Raw, []byte("<Encrypt>")) || bytes.Contains(r.Raw, []byte("受理")) {
			t.Errorf("safe-mode reply is not encrypted on the wire: %s", r.Raw)
		}
		for _, want := range []string{bot.Acknowledgement, "编号：20261123001", "7个工作日", "2026年12月2日", "查询 20261123001"} {
			if !strings.Contains(r.Content, want) {
				t.Errorf("reply %q lacks %q", r.Content, want)
			}
		}
		if r.ToUser != "oCitizenA" || r.FromUser != "gh_account" {
			t.Errorf("reply to %q from %q; want to the citizen from the account", r.ToUser, r.FromUser)
		}
		k, err := s.CaseByNo(context.Background(), "20261123001")
		modeltest.Must(t, err, "case row")
		if k.Content != "幸福小区3号楼下水道堵了三天，污水漫到路面" || k.Status != models.StatusReceived {
			t.Errorf("case row = %q %s; want the text, received", k.Content, k.Status)
		}
		if want := modeltest.At(2026, 11, 24, 10, 0); !k.AckDueAt.Equal(want) {
			t.Errorf("AckDueAt = %v; want %v (24 calendar hours)", k.AckDueAt, want)
		}
		ev, err := s.Events(context.Background(), k.ID)
		modeltest.Must(t, err, "events")
		if len(ev) != 1 || ev[0].Kind != models.EventReceived || ev[0].ActorKind != models.ActorCitizen || ev[0].Platform != "mp" {
			t.Fatalf("events = %+v; want one received event by the citizen from mp", ev)
		}
		if strings.Contains(ev[0].ActorName, "oCitizenA") || !strings.HasPrefix(ev[0].ActorName, "群众") {
			t.Errorf("event actor = %q; want the alias, never the openid", ev[0].ActorName)
		}
	})
}

// 明文模式: an account without an AES key gets plaintext callbacks; with a
// key they are refused (WeChat signs the URL, not a plaintext body, so a
// captured URL could carry any body) unless mp.allow_plaintext is on.
func TestCallbackPlaintextMode(t *testing.T) {
	noKey := func(c *config.MP) { c.EncodingAESKey = "" }
	allow := func(c *config.MP) { c.AllowPlaintext = true }
	for _, tc := range []struct {
		name   string
		opts   []func(*config.MP)
		accept bool
	}{
		{"no AES key", []func(*config.MP){noKey}, true},
		{"AES key set", nil, false},
		{"AES key set, allow_plaintext", []func(*config.MP){allow}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			modeltest.Each(t, func(t *testing.T, s *models.Store) {
				h := newHarness(t, s, tc.opts...)
				if tc.accept {
					if r := h.send(t, h.plain, text("oCitizenA", "菜市场门口占道经营严重")); !strings.Contains(r.Content, "编号：20261123001") {
						t.Errorf("plaintext reply = %q; want the case number", r.Content)
					}
				} else {
					q, body, err := h.plain.Prepare(h.plain.Fill(text("oCitizenA", "菜市场门口占道经营严重")))
					modeltest.Must(t, err, "prepare")
					resp, raw, err := h.plain.SendRaw(context.Background(), q, body, "text/xml")
					modeltest.Must(t, err, "send")
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("plaintext callback answered %d %q; want 403", resp.StatusCode, raw)
					}
				}
				want := int64(0)
				if tc.accept {
					want = 1
				}
				if n := h.cases(t); n != want {
					t.Errorf("cases = %d; want %d", n, want)
				}
				if !tc.accept {
					// Safe mode still works.
					if r := h.send(t, h.safe, text("oCitizenA", "菜市场门口占道经营严重")); !strings.Contains(r.Content, "编号：20261123001") {
						t.Errorf("safe-mode reply = %q; want the case number", r.Content)
					}
				}
			})
		})
	}
}

func TestCallbackURLVerification(t *testing.T) {
	h := newHarness(t, modeltest.Open(t, "sqlite"))
	body, status, err := h.safe.Verify(context.Background(), "echo-123")
	modeltest.Must(t, err, "verify")
	if status != http.StatusOK || body != "echo-123" {
		t.Errorf("Verify = %d %q; want 200 echo-123", status, body)
	}
	bad := *h.safe
	bad.Token = "wrong"
	body, status, err = bad.Verify(context.Background(), "echo-123")
	modeltest.Must(t, err, "verify")
	if status != http.StatusForbidden || body == "echo-123" {
		t.Errorf("Verify with a wrong token = %d %q; want 403 without the echo", status, body)
	}
}

// An account in 明文模式 (no AES key) reads plaintext bodies, and refuses
// entity tricks in them with nothing stored.
func TestPlaintextModeRejectsEntityTricks(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s, func(c *config.MP) { c.EncodingAESKey = "" })
		for name, body := range map[string]string{"billion laughs": billionLaughs, "external entity": externalEntity} {
			q, _, err := h.plain.Prepare(h.plain.Fill(text("oCitizenA", "路灯不亮了好几天了")))
			modeltest.Must(t, err, "prepare")
			resp, _, err := h.plain.SendRaw(context.Background(), q, []byte(body), "text/xml")
			modeltest.Must(t, err, "send")
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status = %d; want 400", name, resp.StatusCode)
			}
		}
		if n := inbound(t, s); n != 0 {
			t.Errorf("inbound messages = %d after rejected callbacks; want 0", n)
		}
	})
}

// A request that is not WeChat's stores nothing at all.
func TestCallbackRejectsUnauthenticated(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		m := h.safe.Fill(text("oCitizenA", "路灯不亮了好几天了"))
		tests := []struct {
			name   string
			alter  func(q url.Values, body []byte) (url.Values, []byte, string)
			status int
		}{
			{"bad signature", func(q url.Values, b []byte) (url.Values, []byte, string) {
				q.Set("signature", strings.Repeat("0", 40))
				return q, b, "text/xml"
			}, http.StatusForbidden},
			{"no signature", func(q url.Values, b []byte) (url.Values, []byte, string) {
				q.Del("signature")
				return q, b, "text/xml"
			}, http.StatusForbidden},
			{"bad msg_signature", func(q url.Values, b []byte) (url.Values, []byte, string) {
				q.Set("msg_signature", strings.Repeat("a", 40))
				return q, b, "text/xml"
			}, http.StatusForbidden},
			{"tampered ciphertext", func(q url.Values, b []byte) (url.Values, []byte, string) {
				return q, bytes.Replace(b, []byte("<Encrypt><![CDATA["), []byte("<Encrypt><![CDATA[AAAA"), 1), "text/xml"
			}, http.StatusForbidden},
			{"wrong content type", func(q url.Values, b []byte) (url.Values, []byte, string) {
				return q, b, "application/x-www-form-urlencoded"
			}, http.StatusUnsupportedMediaType},
			{"doctype", func(q url.Values, b []byte) (url.Values, []byte, string) {
				return q, append([]byte(`<!DOCTYPE xml [<!ENTITY x "y">]>`), b...), "text/xml"
			}, http.StatusBadRequest},
			{"json content type", func(q url.Values, b []byte) (url.Values, []byte, string) {
				return q, b, "application/json"
			}, http.StatusUnsupportedMediaType},
			{"multipart content type", func(q url.Values, b []byte) (url.Values, []byte, string) {
				return q, b, "multipart/form-data; boundary=x"
			}, http.StatusUnsupportedMediaType},
			{"billion laughs as the envelope", func(q url.Values, b []byte) (url.Values, []byte, string) {
				return q, []byte(billionLaughs), "text/xml"
			}, http.StatusBadRequest},
			{"billion laughs inside the ciphertext, signed", func(q url.Values, b []byte) (url.Values, []byte, string) {
				q, b = sealMP(t, q, billionLaughs)
				return q, b, "text/xml"
			}, http.StatusBadRequest},
			{"external entity inside the ciphertext, signed", func(q url.Values, b []byte) (url.Values, []byte, string) {
				q, b = sealMP(t, q, externalEntity)
				return q, b, "text/xml"
			}, http.StatusBadRequest},
			// The account has a key: plaintext is refused before it is read
			// (TestPlaintextModeRejectsEntityTricks reads it without a key).
			{"billion laughs in plaintext mode", func(q url.Values, b []byte) (url.Values, []byte, string) {
				q.Del("encrypt_type")
				q.Del("msg_signature")
				return q, []byte(billionLaughs), "text/xml"
			}, http.StatusForbidden},
			{"external entity in plaintext mode", func(q url.Values, b []byte) (url.Values, []byte, string) {
				q.Del("encrypt_type")
				q.Del("msg_signature")
				return q, []byte(externalEntity), "text/xml"
			}, http.StatusForbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q, body, err := h.safe.Prepare(m)
				modeltest.Must(t, err, "prepare")
				q, body, ct := tt.alter(q, body)
				resp, _, err := h.safe.SendRaw(context.Background(), q, body, ct)
				modeltest.Must(t, err, "send")
				if resp.StatusCode != tt.status {
					t.Errorf("status = %d; want %d", resp.StatusCode, tt.status)
				}
				if n := h.cases(t); n != 0 {
					t.Errorf("cases = %d after a rejected callback; want 0", n)
				}
				if n := inbound(t, s); n != 0 {
					t.Errorf("inbound messages = %d after a rejected callback; want 0", n)
				}
			})
		}
		for _, skew := range []time.Duration{-6 * time.Minute, 6 * time.Minute} {
			t.Run(fmt.Sprintf("timestamp off by %v", skew), func(t *testing.T) {
				old := *h.safe
				old.Now = func() time.Time { return h.clock.Now().Add(skew) }
				q, body, err := old.Prepare(m)
				modeltest.Must(t, err, "prepare")
				resp, _, err := h.safe.SendRaw(context.Background(), q, body, "text/xml")
				modeltest.Must(t, err, "send")
				if resp.StatusCode != http.StatusForbidden || h.cases(t) != 0 || inbound(t, s) != 0 {
					t.Errorf("callback %v off: status %d, %d cases, %d inbound; want 403 and nothing", skew, resp.StatusCode, h.cases(t), inbound(t, s))
				}
			})
		}
		t.Run("body over 1 MiB", func(t *testing.T) {
			q, _, _ := h.safe.Prepare(m)
			resp, _, err := h.safe.SendRaw(context.Background(), q, bytes.Repeat([]byte("x"), 1<<20+1), "text/xml")
			modeltest.Must(t, err, "send")
			if resp.StatusCode != http.StatusRequestEntityTooLarge || h.cases(t) != 0 {
				t.Errorf("huge body: status %d, %d cases; want 413 and none", resp.StatusCode, h.cases(t))
			}
		})
	})
}

// billionLaughs is the exponential-entity bomb, as a citizen message.
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY a "lolololololololololololololololololololololololol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oCitizenA]]></FromUserName><CreateTime>1795428000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&f;</Content><MsgId>42</MsgId><Encrypt>&f;</Encrypt></xml>`

// externalEntity asks the parser to read a file into the message.
const externalEntity = `<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oCitizenA]]></FromUserName><CreateTime>1795428000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>43</MsgId><Encrypt>&xxe;</Encrypt></xml>`

// sealMP encrypts plain as a safe-mode body and signs it correctly with the
// timestamp and nonce of q: whatever is wrong is inside the ciphertext.
func sealMP(t *testing.T, q url.Values, plain string) (url.Values, []byte) {
	t.Helper()
	enc, err := mp.Encrypt(appID, aesKey, nil, []byte(plain))
	modeltest.Must(t, err, "encrypt")
	q.Set("msg_signature", mp.Signature(token, q.Get("timestamp"), q.Get("nonce"), enc))
	return q, []byte("<xml><ToUserName><![CDATA[gh_account]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
}

// inbound counts the messages kept on record.
func inbound(t *testing.T, s *models.Store) int64 {
	t.Helper()
	var n int64
	modeltest.Must(t, s.DB().Model(&models.InboundMessage{}).Count(&n).Error, "count inbound messages")
	return n
}

// WeChat's own retry is the same request byte for byte: it gets the same
// answer and nothing new is stored.
func TestCallbackByteIdenticalRetry(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		m := h.safe.Fill(text("oCitizenA", "人民路红绿灯坏了两天了"))
		q, body, err := h.safe.Prepare(m)
		modeltest.Must(t, err, "prepare")
		first, err := h.safe.Replay(context.Background(), m, q, body)
		modeltest.Must(t, err, "first delivery")
		var outbox int64
		s.DB().Model(&models.Outbox{}).Count(&outbox)
		h.clock.Add(4 * time.Second) // WeChat waits 5 s before retrying
		again, err := h.safe.Replay(context.Background(), m, q, body)
		modeltest.Must(t, err, "retry")
		if again.Content != first.Content || !strings.Contains(first.Content, "编号：20261123001") {
			t.Errorf("retry answered %q; want the first answer %q with the case number", again.Content, first.Content)
		}
		var outbox2 int64
		s.DB().Model(&models.Outbox{}).Count(&outbox2)
		if h.cases(t) != 1 || inbound(t, s) != 1 || outbox2 != outbox {
			t.Errorf("after the retry: %d cases, %d inbound, outbox %d → %d; want 1, 1 and no new message", h.cases(t), inbound(t, s), outbox, outbox2)
		}
	})
}

// WeChat retries a message up to three times, at once and concurrently when
// our answer is slow: one case, and every try gets the same reply.
func TestCallbackRetriesMakeOneCase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		m := h.safe.Fill(text("oCitizenA", "小区门口的井盖丢了很危险"))
		var wg sync.WaitGroup
		replies := make([]string, 4)
		for i := range replies {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, err := h.safe.Send(context.Background(), m)
				if err != nil {
					t.Errorf("try %d: %v", i, err)
					return
				}
				replies[i] = r.Content
			}(i)
		}
		wg.Wait()
		for i, r := range replies {
			if r != replies[0] || !strings.Contains(r, "20261123001") {
				t.Errorf("try %d replied %q; want the first reply %q", i, r, replies[0])
			}
		}
		if n := h.cases(t); n != 1 {
			t.Errorf("cases = %d; want 1", n)
		}
		// A subscribe event has no MsgId: sender and time stand for it.
		ev := h.safe.Fill(mp.Message{FromUser: "oCitizenB", ToUser: "gh_account", MsgType: "event", Event: "subscribe"})
		a, b := h.send(t, h.safe, ev), h.send(t, h.safe, ev)
		if a.Content == "" || a.Content != b.Content {
			t.Errorf("subscribe replies %q / %q; want the same welcome twice", a.Content, b.Content)
		}
	})
}

func TestCitizenConversation(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		say := func(from, msg string) string { return h.send(t, h.safe, text(from, msg)).Content }
		steps := []struct {
			from, say string
			want      []string
			not       []string
		}{
			{"oA", "帮助", []string{"查询 编号", "补充 编号 内容", "我的"}, nil},
			{"oA", "我的", []string{"还没有反映过问题"}, nil},
			{"oA", "解放路和人民路交叉口红绿灯坏了", []string{"编号：20261123001"}, nil},
			{"oA", "查询 20261123001", []string{"编号：20261123001", "状态：已受理"}, nil},
			{"oA", "进度：２０２６１１２３００１", []string{"状态：已受理"}, nil},
			{"oA", "补充　20261123001　早晚高峰特别堵", []string{"已将补充内容记入编号 20261123001"}, nil},
			{"oB", "查询 20261123001", []string{"没有找到"}, []string{"红绿灯"}},
			{"oB", "补充 20261123001 我也看到了", []string{"没有找到"}, nil},
			{"oA", "查询 123", []string{"不是有效的编号"}, nil},
			{"oA", "查询", []string{"请发送：查询 编号"}, nil},
			{"oA", "查询不到社保缴费记录，请帮忙核实", []string{"编号：20261123002"}, nil},
			{"oA", "我的", []string{"20261123002", "20261123001"}, nil},
			{"oA", "解放路和人民路交叉口红绿灯坏了！", []string{"重复反映", "20261123001"}, nil},
			{"oA", "你好", []string{"请用一两句话描述"}, nil},
		}
		for i, st := range steps {
			got := say(st.from, st.say)
			for _, w := range st.want {
				if !strings.Contains(got, w) {
					t.Errorf("step %d: %s says %q → %q; want it to contain %q", i, st.from, st.say, got, w)
				}
			}
			for _, w := range st.not {
				if strings.Contains(got, w) {
					t.Errorf("step %d: %s says %q → %q; must not contain %q", i, st.from, st.say, got, w)
				}
			}
		}
		if n := h.cases(t); n != 2 {
			t.Errorf("cases = %d; want 2 (the repeat is linked, not a new case)", n)
		}
		k, _ := s.CaseByNo(context.Background(), "20261123001")
		if k.Repeats != 1 {
			t.Errorf("case 20261123001 repeats = %d; want 1", k.Repeats)
		}
		ev, _ := s.Events(context.Background(), k.ID)
		var kinds []string
		for _, e := range ev {
			kinds = append(kinds, string(e.Kind))
		}
		if got, want := strings.Join(kinds, ","), "received,supplement,repeat"; got != want {
			t.Errorf("record of 20261123001 = %s; want %s", got, want)
		}
		if ev[1].Body != "早晚高峰特别堵" {
			t.Errorf("supplement body = %q; want 早晚高峰特别堵", ev[1].Body)
		}
	})
}

func TestCitizenRateLimitKeepsText(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		for i := 1; i <= 3; i++ {
			r := h.send(t, h.safe, text("oA", fmt.Sprintf("第%d个不同的问题需要处理", i)))
			if !strings.Contains(r.Content, "编号") {
				t.Fatalf("report %d: %q; want a case", i, r.Content)
			}
		}
		r := h.send(t, h.safe, text("oA", "第四个问题被限流了吗"))
		if !strings.Contains(r.Content, "一小时内已反映3件") || !strings.Contains(r.Content, "已记录在案") {
			t.Errorf("fourth report reply = %q; want a polite refusal that says it is on record", r.Content)
		}
		if n := h.cases(t); n != 3 {
			t.Errorf("cases = %d; want 3", n)
		}
		var kept int64
		s.DB().Model(&models.InboundMessage{}).Where("content = ? AND outcome = ?", "第四个问题被限流了吗", bot.OutcomeRateLimited).Count(&kept)
		if kept != 1 {
			t.Errorf("refused text kept %d times; want 1", kept)
		}
		h.clock.Add(61 * time.Minute)
		if r := h.send(t, h.safe, text("oA", "一小时后再反映一个问题")); !strings.Contains(r.Content, "编号：20261123004") {
			t.Errorf("after an hour: %q; want case 20261123004", r.Content)
		}
	})
}

func TestCitizenAttachments(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		img := mp.Message{FromUser: "oA", ToUser: "gh_account", MsgType: "image", PicURL: "http://mmbiz/x.jpg", MediaID: "m1"}
		r := h.send(t, h.safe, img)
		if !strings.Contains(r.Content, "编号：20261123001") {
			t.Fatalf("image with no open case: %q; want a new case", r.Content)
		}
		loc := mp.Message{FromUser: "oA", ToUser: "gh_account", MsgType: "location", LocationX: 30.1, LocationY: 120.2, Scale: 15, Label: "人民路12号"}
		if r := h.send(t, h.safe, loc); !strings.Contains(r.Content, "位置附在编号 20261123001") {
			t.Errorf("location: %q; want it attached to 20261123001", r.Content)
		}
		k, _ := s.CaseByNo(context.Background(), "20261123001")
		att, err := s.Attachments(context.Background(), k.ID)
		modeltest.Must(t, err, "attachments")
		if len(att) != 2 || att[0].Kind != "image" || att[0].MediaID != "m1" || att[1].Kind != "location" || att[1].Label != "人民路12号" {
			t.Errorf("attachments = %+v; want the image then the location", att)
		}
	})
}

// When the database is down the citizen is told politely, nothing is kept,
// and a later retry of the same message succeeds.
func TestCallbackDatabaseDown(t *testing.T) {
	for _, d := range modeltest.Drivers {
		t.Run(d, func(t *testing.T) {
			driver, dsn := modeltest.DSN(t, d)
			s, err := models.Open(driver, dsn, modeltest.Shanghai)
			modeltest.Must(t, err, "open")
			modeltest.Cap(s)
			modeltest.Must(t, s.Migrate(context.Background()), "migrate")
			h := newHarness(t, s)
			m := h.safe.Fill(text("oA", "停电三天了没人管"))
			s.Close()
			r := h.send(t, h.safe, m)
			if !strings.Contains(r.Content, "系统繁忙") {
				t.Errorf("reply with the database down = %q; want 系统繁忙", r.Content)
			}
			s2, err := models.Open(driver, dsn, modeltest.Shanghai)
			modeltest.Must(t, err, "reopen")
			modeltest.Cap(s2)
			defer s2.Close()
			*s = *s2
			s.Now = h.clock.Now
			if r := h.send(t, h.safe, m); !strings.Contains(r.Content, "编号：20261123001") {
				t.Errorf("retry after recovery = %q; want the case", r.Content)
			}
		})
	}
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t, modeltest.Open(t, "sqlite"))
	h.send(t, h.safe, text("oA", "公园里的健身器材坏了"))
	for path, want := range map[string]string{
		"/healthz": `"status":"ok"`,
		"/metrics": `minsheng_cases_opened_total{platform="mp"} 1`,
	} {
		resp, err := http.Get(h.srv.URL + path)
		modeltest.Must(t, err, "GET %s", path)
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(b.String(), want) {
			t.Errorf("GET %s = %d %.200s; want %s", path, resp.StatusCode, b.String(), want)
		}
		if strings.Contains(b.String(), "oA") && path == "/metrics" {
			t.Errorf("metrics carry an openid")
		}
	}
}
