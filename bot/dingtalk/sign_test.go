package dingtalk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// handSign computes DingTalk's signature step by step, as the documentation
// describes it: string to sign = timestamp + "\n" + secret, HmacSHA256 keyed
// with the secret, then Base64.
func handSign(secret string, ts int64) string {
	toSign := strconv.FormatInt(ts, 10) + "\n" + secret
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestSignGolden(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		ts     int64
		want   string // computed independently: printf 'TS\nSECRET' | openssl dgst -sha256 -hmac SECRET -binary | base64
	}{
		// The secret of DingTalk's own sample code, and the timestamp of its
		// sample callback headers.
		{"documentation sample", "this is secret", 1577262236757, "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM="},
		{"SEC secret", "SEC0123456789abcdef", 1700000000000, "TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign(tt.secret, tt.ts); got != tt.want {
				t.Errorf("Sign(%q, %d) = %q; want %q", tt.secret, tt.ts, got, tt.want)
			}
			if got := handSign(tt.secret, tt.ts); got != tt.want {
				t.Errorf("handSign(%q, %d) = %q; want %q", tt.secret, tt.ts, got, tt.want)
			}
		})
	}
}

func TestSignMatchesHandComputation(t *testing.T) {
	for _, secret := range []string{"", "a", "SECxyz", "中文密钥", strings.Repeat("k", 200)} {
		for _, ts := range []int64{0, 1, 1577262236757, 1<<62 + 5} {
			if got, want := Sign(secret, ts), handSign(secret, ts); got != want {
				t.Errorf("Sign(%q, %d) = %q; want %q", secret, ts, got, want)
			}
		}
	}
}

func TestVerifyCallback(t *testing.T) {
	const secret = "app-secret-for-tests"
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	header := func(ts, sign string) http.Header {
		h := http.Header{}
		if ts != "" {
			h.Set("timestamp", ts)
		}
		if sign != "" {
			h.Set("sign", sign)
		}
		return h
	}
	at := func(d time.Duration) (string, string) {
		ms := now.Add(d).UnixMilli()
		return strconv.FormatInt(ms, 10), Sign(secret, ms)
	}
	goodTS, goodSign := at(0)
	staleTS, staleSign := at(-61 * time.Minute)
	futureTS, futureSign := at(61 * time.Minute)
	edgeTS, edgeSign := at(-time.Hour)
	tests := []struct {
		name   string
		h      http.Header
		skew   time.Duration
		want   error
		wantOK bool
	}{
		{name: "good", h: header(goodTS, goodSign), wantOK: true},
		{name: "exactly one hour old", h: header(edgeTS, edgeSign), wantOK: true},
		{name: "bad sign", h: header(goodTS, Sign("other-secret", now.UnixMilli())), want: ErrSignature},
		{name: "sign of another timestamp", h: header(goodTS, staleSign), want: ErrSignature},
		{name: "missing sign", h: header(goodTS, ""), want: ErrSignature},
		{name: "missing timestamp", h: header("", goodSign), want: ErrSignature},
		{name: "missing headers", h: http.Header{}, want: ErrSignature},
		{name: "timestamp in seconds with its own sign", h: header(strconv.FormatInt(now.Unix(), 10), Sign(secret, now.Unix())), want: ErrStale},
		{name: "timestamp not digits", h: header("-"+goodTS, goodSign), want: ErrSignature},
		{name: "timestamp overflows", h: header("99999999999999999999", goodSign), want: ErrSignature},
		{name: "stale by 61 minutes", h: header(staleTS, staleSign), want: ErrStale},
		{name: "future by 61 minutes", h: header(futureTS, futureSign), want: ErrStale},
		{name: "stale under a tighter skew", h: header(edgeTS, edgeSign), skew: time.Minute, want: ErrStale},
		{name: "url-encoded sign", h: header(goodTS, url.QueryEscape(goodSign)), want: ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyCallback(secret, tt.h, now, tt.skew)
			if tt.wantOK {
				if err != nil {
					t.Errorf("VerifyCallback = %v; want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifyCallback = %v; want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("VerifyCallback error %q contains the secret", err)
			}
		})
	}
}

func TestSignWebhook(t *testing.T) {
	const secret = "SECwebhook"
	now := time.UnixMilli(1577262236757)
	tests := []struct {
		name    string
		raw     string
		wantErr bool
	}{
		{name: "plain webhook", raw: "https://oapi.dingtalk.com/robot/send?access_token=abc123"},
		{name: "replaces old signature", raw: "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=old"},
		{name: "government host with a path prefix", raw: "https://zwding.example.gov.cn/gw/robot/send?access_token=abc123"},
		{name: "relative", raw: "/robot/send?access_token=abc123", wantErr: true},
		{name: "not a URL", raw: "https://a b/?access_token=abc123%zz", wantErr: true},
		{name: "other scheme", raw: "ftp://oapi.dingtalk.com/robot/send?access_token=abc123", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SignWebhook(tt.raw, secret, now)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("SignWebhook(%q) = %q; want an error", tt.raw, got)
				}
				if strings.Contains(err.Error(), "abc123") {
					t.Errorf("SignWebhook error %q quotes the access_token", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SignWebhook(%q): %v", tt.raw, err)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("SignWebhook returned %q: %v", got, err)
			}
			q := u.Query()
			if q.Get("access_token") != "abc123" || q.Get("timestamp") != "1577262236757" || len(q["sign"]) != 1 {
				t.Errorf("SignWebhook(%q) query = %v", tt.raw, q)
			}
			if got, want := q.Get("sign"), Sign(secret, now.UnixMilli()); got != want {
				t.Errorf("sign = %q; want %q", got, want)
			}
			if strings.Contains(u.RawQuery, "+") || strings.Contains(u.RawQuery, "/") {
				t.Errorf("sign is not URL-encoded in %q", u.RawQuery)
			}
		})
	}
}
