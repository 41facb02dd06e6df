// Package dingtalk speaks the DingTalk (钉钉) protocol: the signed HTTP
// callback of an enterprise robot and its session-webhook replies, the signed
// custom group robot webhook, an API client for robot 1:1 messages and H5
// sign-in (免登), and two test doubles that speak the same protocol with real
// signatures and real error codes: a Driver that plays DingTalk's servers
// toward our callback, and a FakeServer that plays DingTalk's hosts
// (api.dingtalk.com, oapi.dingtalk.com and the webhooks) toward our client.
//
// 浙政钉 and 专有钉钉 run the same API on their own hosts, so every base URL
// is a field and every webhook URL comes from configuration.
//
// It imports no other package of this repository.
package dingtalk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// DefaultMaxSkew is how far DingTalk lets a signed timestamp be from the
// receiver's clock, either way: one hour, for the robot callback and for the
// custom robot webhook alike.
const DefaultMaxSkew = time.Hour

// ErrSignature reports a callback whose timestamp or sign header is missing,
// malformed or wrong; the HTTP handler answers 403.
var ErrSignature = errors.New("dingtalk: bad callback signature")

// ErrStale reports a correctly signed callback whose timestamp is further
// from now than the allowed skew (a replay, or a clock far off); the HTTP
// handler answers 403.
var ErrStale = errors.New("dingtalk: callback timestamp out of range")

// signString computes base64(HmacSHA256(key=secret, msg=ts+"\n"+secret)), the
// one signature DingTalk uses everywhere, over the timestamp as written.
func signString(secret, ts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'\n'})
	m.Write([]byte(secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sign returns DingTalk's signature for a millisecond timestamp:
// base64(HmacSHA256(key=secret, msg=timestampMS+"\n"+secret)). The robot
// callback carries it in the sign header (secret = the app's AppSecret); a
// custom robot webhook carries it, URL-encoded, in the sign query parameter
// (secret = the robot's SEC... secret).
func Sign(secret string, timestampMS int64) string {
	return signString(secret, strconv.FormatInt(timestampMS, 10))
}

// parseMillis parses a timestamp header: 1 to 19 ASCII digits.
func parseMillis(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// VerifyCallback checks the timestamp and sign headers DingTalk puts on every
// robot callback: sign must equal Sign(appSecret, timestamp) (compared in
// constant time) and the timestamp, in milliseconds, must be within maxSkew of
// now either way (maxSkew <= 0 means DefaultMaxSkew). A missing, malformed or
// wrong header gives ErrSignature; a good signature on a timestamp out of
// range gives ErrStale. It does not detect replays inside the window:
// deduplicate by Message.MsgID.
func VerifyCallback(appSecret string, h http.Header, now time.Time, maxSkew time.Duration) error {
	ts, sign := h.Get("timestamp"), h.Get("sign")
	if ts == "" || sign == "" {
		return fmt.Errorf("%w: missing timestamp or sign header", ErrSignature)
	}
	ms, ok := parseMillis(ts)
	if !ok {
		return fmt.Errorf("%w: timestamp is not milliseconds", ErrSignature)
	}
	if !hmac.Equal([]byte(sign), []byte(signString(appSecret, ts))) {
		return ErrSignature
	}
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	if off := now.Sub(time.UnixMilli(ms)).Abs(); off > maxSkew {
		return fmt.Errorf("%w: %v away from now", ErrStale, off.Round(time.Second))
	}
	return nil
}

// SignWebhook returns rawURL, a custom robot webhook
// (…/robot/send?access_token=…), with timestamp (now, in milliseconds) and
// sign added to its query, replacing any already there; the query is
// re-encoded, so sign is URL-encoded as DingTalk requires. The error never
// quotes the URL, which carries the robot's access_token.
func SignWebhook(rawURL, secret string, now time.Time) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("dingtalk: sign webhook: not an absolute http(s) URL")
	}
	ms := now.UnixMilli()
	q := u.Query()
	q.Set("timestamp", strconv.FormatInt(ms, 10))
	q.Set("sign", Sign(secret, ms))
	u.RawQuery = q.Encode()
	return u.String(), nil
}
