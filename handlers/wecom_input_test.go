package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"minsheng/bot/wecom"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// wecomText is the plaintext WeCom encrypts for a member's text message.
func wecomText(from, content string, msgID, createTime int64) string {
	return fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content>"+
		"<MsgId>%d</MsgId><AgentID>%d</AgentID></xml>", corpID, from, createTime, content, msgID, wcAgentID)
}

// sealWeCom encrypts plain into WeCom's envelope and signs it with ts:
// whatever is wrong is inside the ciphertext.
func sealWeCom(t *testing.T, plain string, ts time.Time) (url.Values, []byte) {
	t.Helper()
	enc, err := wecom.Encrypt(corpID, wcAESKey, nil, []byte(plain))
	modeltest.Must(t, err, "encrypt")
	stamp, nonce := strconv.FormatInt(ts.Unix(), 10), "1372623149"
	q := url.Values{"msg_signature": {wecom.Signature(wcToken, stamp, nonce, enc)}, "timestamp": {stamp}, "nonce": {nonce}}
	return q, []byte("<xml><ToUserName><![CDATA[" + corpID + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt><AgentID>1000002</AgentID></xml>")
}

// postWeCom posts body to the WeCom callback with q and contentType.
func (o *office) postWeCom(t *testing.T, q url.Values, body []byte, contentType string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, o.srv.URL+"/callback/wecom?"+q.Encode(), bytes.NewReader(body))
	modeltest.Must(t, err, "request")
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	modeltest.Must(t, err, "post")
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

// stored counts what a callback could have left behind: inbound messages,
// outbox rows and case events.
func stored(t *testing.T, s *models.Store) [3]int64 {
	t.Helper()
	var n [3]int64
	for i, m := range []any{&models.InboundMessage{}, &models.Outbox{}, &models.CaseEvent{}} {
		modeltest.Must(t, s.DB().Model(m).Count(&n[i]).Error, "count %T", m)
	}
	return n
}

// A request to /callback/wecom that is not WeCom's, or that carries XML
// tricks, is refused and leaves nothing behind.
func TestWeComCallbackRejectsBadInput(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		now := o.clock.Now()
		good := wecomText("dispatcher1", "帮助", 7001, now.Unix())
		tests := []struct {
			name        string
			build       func() (url.Values, []byte)
			contentType string
			status      int
		}{
			{"body over 1 MiB", func() (url.Values, []byte) {
				q, _ := sealWeCom(t, good, now)
				return q, bytes.Repeat([]byte("x"), 1<<20+1)
			}, "text/xml", http.StatusRequestEntityTooLarge},
			{"json content type", func() (url.Values, []byte) { return sealWeCom(t, good, now) }, "application/json", http.StatusUnsupportedMediaType},
			{"form content type", func() (url.Values, []byte) { return sealWeCom(t, good, now) }, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
			{"bad signature", func() (url.Values, []byte) {
				q, b := sealWeCom(t, good, now)
				q.Set("msg_signature", strings.Repeat("0", 40))
				return q, b
			}, "text/xml", http.StatusForbidden},
			{"no signature", func() (url.Values, []byte) {
				q, b := sealWeCom(t, good, now)
				q.Del("msg_signature")
				return q, b
			}, "text/xml", http.StatusForbidden},
			{"timestamp 6 minutes old", func() (url.Values, []byte) { return sealWeCom(t, good, now.Add(-6*time.Minute)) }, "text/xml", http.StatusForbidden},
			{"timestamp 6 minutes ahead", func() (url.Values, []byte) { return sealWeCom(t, good, now.Add(6*time.Minute)) }, "text/xml", http.StatusForbidden},
			{"billion laughs as the envelope", func() (url.Values, []byte) {
				q, _ := sealWeCom(t, good, now)
				return q, []byte(billionLaughs)
			}, "text/xml", http.StatusBadRequest},
			{"billion laughs inside the ciphertext, signed", func() (url.Values, []byte) { return sealWeCom(t, billionLaughs, now) }, "text/xml", http.StatusBadRequest},
			{"external entity inside the ciphertext, signed", func() (url.Values, []byte) { return sealWeCom(t, externalEntity, now) }, "text/xml", http.StatusBadRequest},
			{"ciphertext of another corp", func() (url.Values, []byte) {
				enc, err := wecom.Encrypt("wwsomeoneelse0001", wcAESKey, nil, []byte(good))
				modeltest.Must(t, err, "encrypt")
				stamp := strconv.FormatInt(now.Unix(), 10)
				q := url.Values{"msg_signature": {wecom.Signature(wcToken, stamp, "1", enc)}, "timestamp": {stamp}, "nonce": {"1"}}
				return q, []byte("<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
			}, "text/xml", http.StatusBadRequest},
		}
		before := stored(t, s)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q, body := tt.build()
				status, reply := o.postWeCom(t, q, body, tt.contentType)
				if status != tt.status {
					t.Errorf("status = %d (%.80q); want %d", status, reply, tt.status)
				}
				if after := stored(t, s); after != before {
					t.Errorf("inbound, outbox, events = %v after a refused callback; want %v", after, before)
				}
			})
		}
		// The same message, correctly made, is accepted: the refusals above
		// were for what was wrong with them.
		q, body := sealWeCom(t, good, now)
		if status, reply := o.postWeCom(t, q, body, "text/xml; charset=utf-8"); status != http.StatusOK {
			t.Errorf("the well-formed message: status %d %.80q; want 200", status, reply)
		}
	})
}

// WeCom retries a callback it got no answer to; the same request byte for
// byte gets the same answer and changes nothing more.
func TestWeComCallbackByteIdenticalRetry(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		no := o.citizen(t, "oCitizenR", "解放路的路灯坏了一个星期")
		q, body := sealWeCom(t, wecomText("dispatcher1", "交办 "+no+" cg", 8001, o.clock.Now().Unix()), o.clock.Now())
		open := func() string {
			status, raw := o.postWeCom(t, q, body, "text/xml")
			if status != http.StatusOK {
				t.Fatalf("status %d: %.100q", status, raw)
			}
			plain, err := wecom.OpenPassiveReply(wcToken, wcAESKey, corpID, raw)
			modeltest.Must(t, err, "open reply")
			i, j := bytes.Index(plain, []byte("<Content>")), bytes.Index(plain, []byte("</Content>"))
			if i < 0 || j < i {
				t.Fatalf("reply without content: %s", plain)
			}
			return string(plain[i:j])
		}
		first := open()
		after := stored(t, s)
		o.clock.Add(4 * time.Second)
		again := open()
		if again != first || !strings.Contains(first, "已将 "+no+" 交办") {
			t.Errorf("retry answered %q; want the first answer %q", again, first)
		}
		if got := stored(t, s); got != after {
			t.Errorf("inbound, outbox, events = %v after the retry; want %v as after the first", got, after)
		}
		k, err := s.CaseByNo(context.Background(), no)
		modeltest.Must(t, err, "case")
		if k.Status != models.StatusAssigned {
			t.Errorf("case %s is %s; want assigned once", no, k.Status)
		}
	})
}
