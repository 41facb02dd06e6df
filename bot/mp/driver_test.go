package mp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/sirupsen/logrus"
)

const (
	testAppID = "wx1234567890abcdef"
	testToken = "minsheng-token"
	testKey   = pamKey
	testGH    = "gh_minsheng00001"
)

// silenceperServer is a callback endpoint built on silenceper's
// officialaccount server, an independent implementation of the protocol. It
// answers text with "收到：<content>|<MsgId>|<openid>", location with the
// label and coordinates, image with the PicUrl, CLICK with the key, and
// anything else with no reply.
func silenceperServer(t *testing.T) *httptest.Server {
	t.Helper()
	logrus.SetOutput(io.Discard) // silenceper logs rejected signatures
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{
		AppID: testAppID, AppSecret: "secret", Token: testToken, EncodingAESKey: testKey, Cache: cache.NewMemory(),
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := oa.GetServer(r, w)
		s.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			var text string
			switch {
			case m.MsgType == message.MsgTypeText:
				text = fmt.Sprintf("收到：%s|%d|%s", m.Content, m.MsgID, s.GetOpenID())
			case m.MsgType == message.MsgTypeLocation:
				text = fmt.Sprintf("%s@%g,%g/%g", m.Label, m.LocationX, m.LocationY, m.Scale)
			case m.MsgType == message.MsgTypeImage:
				text = m.PicURL + "|" + m.MediaID
			case m.Event == message.EventClick:
				text = "key=" + m.EventKey
			default:
				return nil
			}
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(text)}
		})
		if err := s.Serve(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := s.Send(); err != nil {
			http.Error(w, "reply failed", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newDriver(u string, safe bool) *Driver {
	return &Driver{URL: u, AppID: testAppID, Token: testToken, EncodingAESKey: testKey, Safe: safe}
}

func TestDriverWithSilenceper(t *testing.T) {
	srv := silenceperServer(t)
	ctx := context.Background()
	for _, safe := range []bool{false, true} {
		t.Run(fmt.Sprintf("safe=%v", safe), func(t *testing.T) {
			d := newDriver(srv.URL+"/wechat/callback", safe)
			tests := []struct {
				name        string
				msg         Message
				wantContent string
				wantSuccess bool
			}{
				{"text", Message{FromUser: "o_citizen1", ToUser: testGH, MsgType: "text", Content: "路灯坏了 <b>&]]>", MsgID: 101},
					"收到：路灯坏了 <b>&]]>|101|o_citizen1", false},
				{"location", Message{FromUser: "o_citizen1", ToUser: testGH, MsgType: "location", LocationX: 23.134521, LocationY: 113.358803, Scale: 20, Label: "某路口"},
					"某路口@23.134521,113.358803/20", false},
				{"image", Message{FromUser: "o_citizen1", ToUser: testGH, MsgType: "image", PicURL: "http://mmbiz.qpic.cn/x", MediaID: "media1"},
					"http://mmbiz.qpic.cn/x|media1", false},
				{"click", Message{FromUser: "o_citizen1", ToUser: testGH, MsgType: "event", Event: "CLICK", EventKey: "MY_CASES"},
					"key=MY_CASES", false},
				{"subscribe gets no reply", Message{FromUser: "o_citizen1", ToUser: testGH, MsgType: "event", Event: "subscribe"}, "", true},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					rep, err := d.Send(ctx, tt.msg)
					if err != nil {
						t.Fatalf("Send: %v (reply %+v)", err, rep)
					}
					if rep.Success != tt.wantSuccess {
						t.Errorf("Success = %v; want %v (raw %q)", rep.Success, tt.wantSuccess, rep.Raw)
					}
					if tt.wantSuccess {
						return
					}
					if rep.Content != tt.wantContent {
						t.Errorf("Content = %q; want %q", rep.Content, tt.wantContent)
					}
					if rep.MsgType != "text" || rep.ToUser != "o_citizen1" || rep.FromUser != testGH {
						t.Errorf("reply = %+v; want text to o_citizen1 from %s", rep, testGH)
					}
					if encrypted := bytes.Contains(rep.Raw, []byte("<Encrypt>")); encrypted != safe {
						t.Errorf("raw reply encrypted = %v in safe=%v: %q", encrypted, safe, rep.Raw)
					}
					if safe && bytes.Contains(rep.Raw, []byte("收到")) {
						t.Errorf("safe mode reply leaks plaintext: %q", rep.Raw)
					}
				})
			}
		})
	}

	t.Run("verify", func(t *testing.T) {
		d := newDriver(srv.URL, true)
		body, status, err := d.Verify(ctx, "4075181314397890557")
		if err != nil || status != http.StatusOK || body != "4075181314397890557" {
			t.Errorf("Verify = %q, %d, %v; want the echostr, 200", body, status, err)
		}
		d.Token = "wrong"
		if body, status, err := d.Verify(ctx, "123"); err != nil || status == http.StatusOK {
			t.Errorf("Verify with a wrong token = %q, %d, %v; want a rejection", body, status, err)
		}
	})

	t.Run("silenceper rejects what WeChat would not send", func(t *testing.T) {
		d := newDriver(srv.URL, true)
		msg := d.Fill(Message{FromUser: "o_citizen1", ToUser: testGH, MsgType: "text", Content: "hi"})
		tamper := map[string]func(q url.Values, body []byte) (url.Values, []byte){
			"bad signature": func(q url.Values, b []byte) (url.Values, []byte) {
				q.Set("signature", strings.Repeat("0", 40))
				return q, b
			},
			"bad msg_signature": func(q url.Values, b []byte) (url.Values, []byte) {
				q.Set("msg_signature", strings.Repeat("0", 40))
				return q, b
			},
			"other app's ciphertext": func(q url.Values, b []byte) (url.Values, []byte) {
				enc, _ := Encrypt("wx_someone_else", testKey, nil, msg.XML())
				q.Set("msg_signature", Signature(testToken, q.Get("timestamp"), q.Get("nonce"), enc))
				return q, []byte("<xml><ToUserName><![CDATA[" + testGH + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
			},
		}
		for name, f := range tamper {
			t.Run(name, func(t *testing.T) {
				q, body, err := d.Prepare(msg)
				if err != nil {
					t.Fatal(err)
				}
				q, body = f(q, body)
				resp, raw, err := d.SendRaw(ctx, q, body, "text/xml")
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("status = %d (%q); want 400", resp.StatusCode, raw)
				}
			})
		}
	})
}

// oursServer is a callback endpoint built on this package's helpers, the way
// our handler uses them. It records the plaintext bodies it received.
type oursServer struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (o *oursServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if !ValidSignature(q.Get("signature"), testToken, ts, nonce) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodGet {
		io.WriteString(w, q.Get("echostr"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	safe := q.Get("encrypt_type") == "aes"
	plain := body
	if safe {
		env, err := ParseEnvelope(body)
		if err != nil || !ValidSignature(q.Get("msg_signature"), testToken, ts, nonce, env.Encrypt) {
			http.Error(w, "bad envelope", http.StatusForbidden)
			return
		}
		if plain, err = Decrypt(testAppID, testKey, env.Encrypt); err != nil {
			http.Error(w, "bad ciphertext", http.StatusForbidden)
			return
		}
	}
	o.mu.Lock()
	o.bodies = append(o.bodies, plain)
	o.mu.Unlock()
	m, err := ParseMessage(plain)
	if err != nil {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	if m.MsgType != "text" {
		io.WriteString(w, "success")
		return
	}
	reply := TextReply(m.FromUser, m.ToUser, "已受理："+m.Content, 1700000000)
	if safe {
		if reply, err = EncryptReply(testToken, testAppID, testKey, ts, nonce, reply); err != nil {
			http.Error(w, "encrypt", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Write(reply)
}

func TestDriverWithOurHelpers(t *testing.T) {
	ours := &oursServer{}
	srv := httptest.NewServer(ours)
	defer srv.Close()
	ctx := context.Background()
	for _, safe := range []bool{false, true} {
		d := newDriver(srv.URL, safe)
		d.Now = func() time.Time { return time.Unix(1700000123, 0) }
		rep, err := d.Send(ctx, Message{FromUser: "o_a", ToUser: testGH, MsgType: "text", Content: "井盖丢了"})
		if err != nil {
			t.Fatalf("safe=%v: Send: %v", safe, err)
		}
		if rep.Content != "已受理：井盖丢了" || rep.CreateTime != 1700000000 || rep.FromUser != testGH {
			t.Errorf("safe=%v: reply = %+v", safe, rep)
		}
		rep, err = d.Send(ctx, Message{FromUser: "o_a", ToUser: testGH, MsgType: "event", Event: "subscribe"})
		if err != nil || !rep.Success {
			t.Errorf("safe=%v: subscribe = %+v, %v; want success", safe, rep, err)
		}
		if body, status, err := d.Verify(ctx, "abc"); body != "abc" || status != 200 || err != nil {
			t.Errorf("safe=%v: Verify = %q, %d, %v", safe, body, status, err)
		}
	}
	// The clock and Fill: CreateTime from Now, a fresh non-zero MsgId.
	ours.mu.Lock()
	first, _ := ParseMessage(ours.bodies[0])
	ours.mu.Unlock()
	if first.CreateTime != 1700000123 || first.MsgID == 0 {
		t.Errorf("filled message = %+v; want CreateTime 1700000123 and a MsgID", first)
	}
}

func TestDriverByteIdenticalRetry(t *testing.T) {
	ours := &oursServer{}
	srv := httptest.NewServer(ours)
	defer srv.Close()
	for _, safe := range []bool{false, true} {
		ours.bodies = nil
		d := newDriver(srv.URL, safe)
		m := d.Fill(Message{FromUser: "o_a", ToUser: testGH, MsgType: "text", Content: "重复"})
		for i := 0; i < 3; i++ { // WeChat retries up to three times
			if _, err := d.Send(context.Background(), m); err != nil {
				t.Fatalf("Send #%d: %v", i, err)
			}
		}
		if len(ours.bodies) != 3 || !bytes.Equal(ours.bodies[0], ours.bodies[2]) || !bytes.Equal(ours.bodies[0], m.XML()) {
			t.Errorf("safe=%v: server saw %q; want three times %q", safe, ours.bodies, m.XML())
		}
	}
}

func TestDriverChecksReplies(t *testing.T) {
	d := newDriver("", true)
	good := TextReply("o_a", testGH, "hi", 1)
	encrypted := func(plain []byte) []byte {
		b, err := EncryptReply(testToken, testAppID, testKey, "1700000000", "42", plain)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	badSig := bytes.Replace(encrypted(good), []byte("<MsgSignature><![CDATA["), []byte("<MsgSignature><![CDATA[0"), 1)
	otherApp, _ := Encrypt("wx_other", testKey, nil, good)
	tests := []struct {
		name    string
		safe    bool
		status  int
		body    []byte
		wantErr string
	}{
		{"http 500", false, 500, []byte("oops"), "HTTP 500"},
		{"http 204", false, 204, nil, "HTTP 204"},
		{"plaintext in safe mode", true, 200, good, "not encrypted"},
		{"bad MsgSignature", true, 200, badSig, "MsgSignature"},
		{"other app", true, 200, []byte("<xml><Encrypt>" + otherApp + "</Encrypt><MsgSignature>" + Signature(testToken, "1", "2", otherApp) +
			"</MsgSignature><TimeStamp>1</TimeStamp><Nonce>2</Nonce></xml>"), "AppID"},
		{"not xml", false, 200, []byte("hello"), "reply"},
		{"reply to someone else", false, 200, TextReply("o_b", testGH, "hi", 1), "not the sender"},
		{"no MsgType", false, 200, []byte("<xml><ToUserName>o_a</ToUserName></xml>"), "MsgType"},
		{"doctype", false, 200, append([]byte("<!DOCTYPE x>"), good...), "DOCTYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write(tt.body)
			}))
			defer srv.Close()
			d.URL, d.Safe = srv.URL, tt.safe
			rep, err := d.Send(context.Background(), Message{FromUser: "o_a", ToUser: testGH, MsgType: "text", Content: "x"})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Send error = %v; want one mentioning %q", err, tt.wantErr)
			}
			if rep == nil || rep.Status != tt.status {
				t.Errorf("Reply = %+v; want Status %d", rep, tt.status)
			}
		})
	}
}

func TestDriverTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	d := newDriver(srv.URL, false)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := d.Send(ctx, Message{FromUser: "o", ToUser: testGH, MsgType: "text", Content: "x"}); err == nil {
		t.Error("Send to a hanging server succeeded")
	}
}
