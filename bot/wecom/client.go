package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"minsheng/bot/internal/token"
)

// WeCom errcodes this package acts on. The fake answers with the same codes.
const (
	CodeSystemBusy        = -1
	CodeInvalidCredential = 40001 // wrong corpsecret; on an API call, a bad access_token
	CodeInvalidCorpID     = 40013
	CodeInvalidToken      = 40014 // unknown access_token
	CodeInvalidCode       = 40029 // OAuth code unknown, used or expired
	CodeInvalidAgentID    = 40056
	CodeInvalidParam      = 40058 // WeCom's generic "invalid parameter"
	CodeTokenExpired      = 42001
	CodeTaskIDExists      = 42014 // "taskid has existed or empty or exceed max len"
	CodeRateLimited       = 45009 // api freq out of limit; also the group robot's 20/min
	CodeConcurrencyLimit  = 45033
	CodeInvalidWebhook    = 93000 // unknown or removed group robot key

	// CodeInvalidResponseCode (60140, "无效的response_code") is WeCom's answer
	// on update_template_card for an unknown, used or expired (> 72 h)
	// response_code. It is permanent: the card can no longer be updated.
	CodeInvalidResponseCode = 60140
)

// DefaultBaseURL is WeCom's public API host. Government deployments (政务微信)
// run the same API on their own host; set Client.BaseURL from config.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

// ErrNotMember is returned by Client.UserID when the OAuth code belongs to
// someone who is not a member of the corp (WeCom answers an openid instead).
var ErrNotMember = errors.New("wecom: not a member of the corp")

// APIError is a WeCom answer with errcode != 0.
type APIError struct {
	Code int
	Msg  string
}

// Error implements error.
func (e *APIError) Error() string { return fmt.Sprintf("wecom: errcode %d: %s", e.Code, e.Msg) }

// HTTPError is a WeCom answer with an HTTP status other than 200.
type HTTPError struct {
	Status int
	Body   string // the first bytes of the body
}

// Error implements error.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("wecom: http status %d: %s", e.Status, e.Body)
}

func hasCode(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// IsRateLimited reports whether err is WeCom's errcode 45009 (api freq out of
// limit), which the group robot also answers past 20 messages a minute.
func IsRateLimited(err error) bool { return hasCode(err, CodeRateLimited) }

// IsBadWebhook reports whether err is errcode 93000: the group robot key is
// unknown or the robot was removed from the group. Retrying will not help.
func IsBadWebhook(err error) bool { return hasCode(err, CodeInvalidWebhook) }

// IsTemporary reports whether retrying the same call later may succeed: rate
// limits, "system busy", HTTP 5xx and 429, network errors and timeouts.
func IsTemporary(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code == CodeRateLimited || ae.Code == CodeSystemBusy || ae.Code == CodeConcurrencyLimit
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// Client calls WeCom's API for one self-built app. Its zero BaseURL, HTTP and
// Now mean DefaultBaseURL, a client with a 10-second timeout and time.Now.
// It caches the access_token until shortly before it expires, and when WeCom
// rejects the token (40014, 42001, 40001) it fetches a new one and retries the
// call once. It is safe for concurrent use; set the fields before first use.
type Client struct {
	BaseURL string
	CorpID  string
	Secret  string
	AgentID int64
	HTTP    *http.Client
	Now     func() time.Time

	tokens token.Cache
}

// SendResult is WeCom's answer to an app message.
type SendResult struct {
	MsgID        string
	ResponseCode string // for interactive template cards: single-use, 72 hours, for UpdateCard
	InvalidUser  string // recipients WeCom did not accept, "|"-separated; the rest got it
}

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// accessToken returns the cached token or fetches a new one.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	tok, err := c.tokens.Get(ctx, c.now(), func(ctx context.Context) (string, time.Duration, error) {
		var out struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int64  `json:"expires_in"`
		}
		q := url.Values{"corpid": {c.CorpID}, "corpsecret": {c.Secret}}
		if err := c.call(ctx, http.MethodGet, "/cgi-bin/gettoken", q, nil, &out); err != nil {
			return "", 0, err
		}
		if out.AccessToken == "" || out.ExpiresIn <= 0 {
			return "", 0, errors.New("answer without access_token or expires_in")
		}
		return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
	})
	if err != nil {
		return "", fmt.Errorf("wecom: get access token: %w", err)
	}
	return tok, nil
}

// invalidate forgets tok if it is still the cached one.
func (c *Client) invalidate(ctx context.Context, tok string) { c.tokens.Forget(ctx, tok) }

// redact hides secrets in a URL carried by a transport error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr != nil {
			ue.URL = "(url redacted)"
			return err
		}
		q := u.Query()
		for _, k := range []string{"corpsecret", "access_token", "key", "code"} {
			if q.Has(k) {
				q.Set(k, "REDACTED")
			}
		}
		u.RawQuery = q.Encode()
		ue.URL = u.String()
	}
	return err
}

// call performs one HTTP exchange and decodes the answer into out.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	target := strings.TrimRight(base, "/") + path + "?" + q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return fmt.Errorf("build request: %w", redact(err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return redact(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize))
	if err != nil {
		return fmt.Errorf("read answer: %w", redact(err))
	}
	if resp.StatusCode != http.StatusOK {
		if len(b) > 200 {
			b = b[:200]
		}
		return &HTTPError{Status: resp.StatusCode, Body: string(b)}
	}
	var head struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	if head.ErrCode != 0 {
		return &APIError{Code: head.ErrCode, Msg: head.ErrMsg}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
	}
	return nil
}

// authed calls an endpoint that takes access_token, refreshing the token and
// retrying once if WeCom rejects it.
func (c *Client) authed(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		qq := url.Values{}
		maps.Copy(qq, q)
		qq.Set("access_token", tok)
		err = c.call(ctx, method, path, qq, body, out)
		if attempt == 0 && (hasCode(err, CodeInvalidToken) || hasCode(err, CodeTokenExpired) || hasCode(err, CodeInvalidCredential)) {
			c.invalidate(ctx, tok)
			continue
		}
		return err
	}
}

// withAgent returns a shallow copy of m with agentid set to the app's.
func (c *Client) withAgent(m map[string]any) ([]byte, error) {
	cp := make(map[string]any, len(m)+1)
	maps.Copy(cp, m)
	cp["agentid"] = c.AgentID
	return json.Marshal(cp)
}

// SendApp sends an app message (POST /cgi-bin/message/send): msg is the JSON
// body without agentid, which SendApp fills in, e.g.
// {"touser": "zhangsan", "msgtype": "text", "text": {"content": "..."}}.
// WeCom's refusals are *APIError.
func (c *Client) SendApp(ctx context.Context, msg map[string]any) (SendResult, error) {
	body, err := c.withAgent(msg)
	if err != nil {
		return SendResult{}, fmt.Errorf("wecom: send app message: encode: %w", err)
	}
	var out struct {
		MsgID        string `json:"msgid"`
		ResponseCode string `json:"response_code"`
		InvalidUser  string `json:"invaliduser"`
	}
	if err := c.authed(ctx, http.MethodPost, "/cgi-bin/message/send", nil, body, &out); err != nil {
		return SendResult{}, fmt.Errorf("wecom: send app message: %w", err)
	}
	return SendResult{MsgID: out.MsgID, ResponseCode: out.ResponseCode, InvalidUser: out.InvalidUser}, nil
}

// UpdateCard updates a sent template card (POST
// /cgi-bin/message/update_template_card): req carries response_code, the
// recipients (userids, partyids, tagids or atall) and either
// {"button": {"replace_name": "..."}} or a whole "template_card"; UpdateCard
// fills in agentid. A response_code works once and for 72 hours.
func (c *Client) UpdateCard(ctx context.Context, req map[string]any) error {
	body, err := c.withAgent(req)
	if err != nil {
		return fmt.Errorf("wecom: update template card: encode: %w", err)
	}
	if err := c.authed(ctx, http.MethodPost, "/cgi-bin/message/update_template_card", nil, body, nil); err != nil {
		return fmt.Errorf("wecom: update template card: %w", err)
	}
	return nil
}

// SendGroup posts msg to the group robot with webhook key (POST
// BaseURL/cgi-bin/webhook/send?key=KEY), e.g.
// {"msgtype": "markdown", "markdown": {"content": "..."}}. A robot takes
// about 20 messages a minute: past that, IsRateLimited(err); an unknown or
// removed key gives IsBadWebhook(err).
func (c *Client) SendGroup(ctx context.Context, key string, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("wecom: send group message: encode: %w", err)
	}
	if err := c.call(ctx, http.MethodPost, "/cgi-bin/webhook/send", url.Values{"key": {key}}, body, nil); err != nil {
		return fmt.Errorf("wecom: send group message: %w", err)
	}
	return nil
}

// UserID exchanges the OAuth code from an H5 page's redirect for the member's
// userid (GET /cgi-bin/auth/getuserinfo). A code works once, for 5 minutes;
// otherwise WeCom answers errcode 40029. A non-member gives ErrNotMember.
func (c *Client) UserID(ctx context.Context, code string) (string, error) {
	var out struct {
		UserID string `json:"userid"`
	}
	if err := c.authed(ctx, http.MethodGet, "/cgi-bin/auth/getuserinfo", url.Values{"code": {code}}, nil, &out); err != nil {
		return "", fmt.Errorf("wecom: oauth user: %w", err)
	}
	if out.UserID == "" {
		return "", fmt.Errorf("wecom: oauth user: %w", ErrNotMember)
	}
	return out.UserID, nil
}
