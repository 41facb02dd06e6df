package dingtalk

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseMessage feeds arbitrary bodies to ParseMessage: no panics, only
// ErrMalformed, and whatever parses keeps msgId and a sender and marshals
// back to JSON that parses to the same message.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(sampleGroupBody))
	f.Add([]byte(sampleSingleBody))
	f.Add([]byte(`{"msgId":"m","senderId":"s","conversationType":2,"createAt":"1"}`))
	f.Add([]byte(`{"msgId":"m","senderStaffId":"u","createAt":1e3}`))
	f.Add([]byte(`{"msgId":"m","senderStaffId":"u","sessionWebhookExpiredTime":"99999999999999999999"}`))
	f.Add([]byte(`{"msgId":" ","senderStaffId":"u"}`))
	f.Add([]byte(`{"msgId":"m","senderStaffId":"u","text":{"content":"\u0000\ud800"}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))

	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseMessage(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseMessage error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if strings.TrimSpace(m.MsgID) == "" || (strings.TrimSpace(m.SenderStaffID) == "" && strings.TrimSpace(m.SenderID) == "") {
			t.Fatalf("ParseMessage(%q) = %+v without msgId or sender", body, m)
		}
		if m.CreateAt < 0 || m.SessionWebhookExpiredTime < 0 {
			t.Fatalf("ParseMessage(%q) gave negative times: %+v", body, m)
		}
		_ = m.Text()
		_ = m.SessionValid(time.Now())
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", m, err)
		}
		m2, err := ParseMessage(again)
		if err != nil {
			t.Fatalf("ParseMessage(Marshal(m)) = %v for %s", err, again)
		}
		if m2.MsgID != m.MsgID || m2.CreateAt != m.CreateAt || m2.ConversationType != m.ConversationType || m2.Text() != m.Text() {
			t.Fatalf("round trip changed the message: %+v -> %+v", m, m2)
		}
	})
}

// FuzzVerifyCallback feeds arbitrary timestamp and sign headers and clocks to
// VerifyCallback: no panics, only ErrSignature or ErrStale, and it accepts
// only a correct signature within the hour.
func FuzzVerifyCallback(f *testing.F) {
	const secret = "fuzz-app-secret"
	const nowMS = int64(1577262236757)
	f.Add(strconv.FormatInt(nowMS, 10), Sign(secret, nowMS), nowMS)
	f.Add(strconv.FormatInt(nowMS, 10), Sign(secret, nowMS), nowMS+3600_001)
	f.Add(strconv.FormatInt(nowMS, 10), "", nowMS)
	f.Add("", Sign(secret, nowMS), nowMS)
	f.Add("0"+strconv.FormatInt(nowMS, 10), signString(secret, "0"+strconv.FormatInt(nowMS, 10)), nowMS)
	f.Add("9223372036854775807", signString(secret, "9223372036854775807"), int64(-9223372036854775808))
	f.Add("-1", signString(secret, "-1"), int64(0))
	f.Add("1 ", "x", int64(1))

	f.Fuzz(func(t *testing.T, ts, sign string, now int64) {
		h := http.Header{}
		h.Set("timestamp", ts)
		h.Set("sign", sign)
		err := VerifyCallback(secret, h, time.UnixMilli(now), 0)
		if err != nil {
			if !errors.Is(err, ErrSignature) && !errors.Is(err, ErrStale) {
				t.Fatalf("VerifyCallback error %v wraps neither ErrSignature nor ErrStale", err)
			}
			return
		}
		// http.Header.Set keeps the value as given; Get returns it back.
		got, want := h.Get("sign"), signString(secret, h.Get("timestamp"))
		if got != want {
			t.Fatalf("VerifyCallback accepted sign %q for timestamp %q; want %q", got, ts, want)
		}
		ms, ok := parseMillis(h.Get("timestamp"))
		if !ok {
			t.Fatalf("VerifyCallback accepted timestamp %q", ts)
		}
		if off := time.UnixMilli(now).Sub(time.UnixMilli(ms)).Abs(); off > DefaultMaxSkew {
			t.Fatalf("VerifyCallback accepted a timestamp %v away", off)
		}
	})
}
