package mp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"minsheng/bot/internal/token"
)

// APIError is an errcode other than 0 from the Official Account API.
type APIError struct {
	Code int
	Msg  string
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("wechat errcode %d: %s", e.Code, e.Msg)
}

// IsOutOfWindow reports whether err is WeChat's 45015: the citizen last wrote
// more than 48 hours ago (or unfollowed), so a customer-service message
// cannot be sent; use a template message or a person instead.
func IsOutOfWindow(err error) bool { return hasCode(err, CodeOutOfWindow) }

// IsRateLimited reports whether err is WeChat's 45009 (api freq out of
// limit): retry later.
func IsRateLimited(err error) bool { return hasCode(err, CodeRateLimited) }

func hasCode(err error, code int) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}

// Client calls the Official Account API for our server. It fetches the
// access token with /cgi-bin/stable_token (the secret never appears in a URL),
// caches it until shortly before it expires, and on 40001, 40014 or 42001
// drops it, fetches a new one and retries once. Errors are *APIError for an
// errcode, or wrap the transport error; none contains the token, the secret
// or the openid. A Client is safe for concurrent use and must not be copied
// after first use.
type Client struct {
	// BaseURL is the API root, normally https://api.weixin.qq.com.
	BaseURL string
	// AppID and AppSecret identify the account.
	AppID, AppSecret string
	// HTTP is the client to call with; nil means one with a 10-second timeout.
	HTTP *http.Client
	// Now is the clock for token expiry; nil means time.Now.
	Now func() time.Time

	tokens token.Cache
}

var defaultClientHTTP = &http.Client{Timeout: 10 * time.Second}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultClientHTTP
}

// SendText sends a customer-service (客服) text message to openid. It fails
// with 45015 (IsOutOfWindow) outside the 48-hour window.
func (c *Client) SendText(ctx context.Context, openid, text string) error {
	body := map[string]any{
		"touser":  openid,
		"msgtype": "text",
		"text":    map[string]string{"content": text},
	}
	if err := c.call(ctx, "/cgi-bin/message/custom/send", body); err != nil {
		return fmt.Errorf("mp: send text: %w", err)
	}
	return nil
}

// TemplateMessage is one template message to send.
type TemplateMessage struct {
	OpenID, TemplateID string
	// URL is the page the message opens; may be empty.
	URL string
	// Data maps each of the template's keys to its value.
	Data map[string]string
	// ClientMsgID, when set, makes WeChat send one message for one openid
	// and id (for 10 minutes), so that a retry after a lost answer is not
	// delivered twice.
	ClientMsgID string
}

// SendTemplate sends template message m.
func (c *Client) SendTemplate(ctx context.Context, m TemplateMessage) error {
	fields := make(map[string]map[string]string, len(m.Data))
	for k, v := range m.Data {
		fields[k] = map[string]string{"value": v}
	}
	body := map[string]any{
		"touser":      m.OpenID,
		"template_id": m.TemplateID,
		"data":        fields,
	}
	if m.URL != "" {
		body["url"] = m.URL
	}
	if m.ClientMsgID != "" {
		body["client_msg_id"] = m.ClientMsgID
	}
	if err := c.call(ctx, "/cgi-bin/message/template/send", body); err != nil {
		return fmt.Errorf("mp: send template: %w", err)
	}
	return nil
}

// call posts in as JSON to path with the access token, retrying once with a
// fresh token when WeChat rejects the token.
func (c *Client) call(ctx context.Context, path string, in any) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return fmt.Errorf("get access token: %w", err)
		}
		var out apiResult
		u := strings.TrimRight(c.BaseURL, "/") + path + "?access_token=" + url.QueryEscape(token)
		err = c.post(ctx, u, payload, &out)
		if err == nil {
			err = out.err()
		}
		var apiErr *APIError
		if attempt == 0 && errors.As(err, &apiErr) && tokenRejected(apiErr.Code) {
			c.tokens.Forget(ctx, token)
			continue
		}
		return err
	}
}

func tokenRejected(code int) bool {
	return code == CodeInvalidCredential || code == CodeInvalidToken || code == CodeTokenExpired
}

type apiResult struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (r *apiResult) err() error {
	if r.ErrCode != 0 {
		return &APIError{Code: r.ErrCode, Msg: r.ErrMsg}
	}
	return nil
}

// accessToken returns the cached token or fetches one, one fetch at a time.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	return c.tokens.Get(ctx, c.now(), func(ctx context.Context) (string, time.Duration, error) {
		payload, err := json.Marshal(map[string]any{
			"grant_type":    "client_credential",
			"appid":         c.AppID,
			"secret":        c.AppSecret,
			"force_refresh": false,
		})
		if err != nil {
			return "", 0, fmt.Errorf("encode request: %w", err)
		}
		var out apiResult
		if err := c.post(ctx, strings.TrimRight(c.BaseURL, "/")+"/cgi-bin/stable_token", payload, &out); err != nil {
			return "", 0, err
		}
		if err := out.err(); err != nil {
			return "", 0, err
		}
		if out.AccessToken == "" || out.ExpiresIn <= 0 {
			return "", 0, errors.New("stable_token answered without a token")
		}
		return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
	})
}

// post sends payload to u and decodes the JSON answer into out.
func (c *Client) post(ctx context.Context, u string, payload []byte, out *apiResult) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("build request: %w", redact(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := c.client().Do(req)
	if err != nil {
		return redact(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	if len(body) > MaxBody {
		return fmt.Errorf("response exceeds %d bytes", MaxBody)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

// redact removes the query (which holds the access token) from the URL in a
// *url.Error, so that the error can be logged.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u := ue.URL
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i] + "?REDACTED"
	}
	return &url.Error{Op: ue.Op, URL: u, Err: ue.Err}
}
