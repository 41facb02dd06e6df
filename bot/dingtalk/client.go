package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"minsheng/bot/internal/token"
)

// Public hosts. 浙政钉 and 专有钉钉 serve the same paths on their own hosts:
// set Client.APIBase and Client.OAPIBase from config.
const (
	DefaultAPIBase  = "https://api.dingtalk.com"  // the new API (/v1.0/...)
	DefaultOAPIBase = "https://oapi.dingtalk.com" // the old API (/topapi/...) and robot webhooks
)

// Message templates (msgKey) of robot 1:1 messages, with the msgParam
// fields each takes.
const (
	MsgKeyText       = "sampleText"       // {"content"}
	MsgKeyMarkdown   = "sampleMarkdown"   // {"title", "text"}
	MsgKeyActionCard = "sampleActionCard" // {"title", "text", "singleTitle", "singleURL"}
	// sampleActionCard2 … sampleActionCard5 take 2 to 5 vertical buttons as
	// actionTitleN/actionURLN; sampleActionCard6 two horizontal ones as
	// buttonTitleN/buttonUrlN.
)

// BatchSendMaxUsers is how many userIds one oToMessages/batchSend call
// takes; SendToUsers splits longer lists.
const BatchSendMaxUsers = 20

// Error codes this package acts on. The new API (api.dingtalk.com) answers
// HTTP 4xx/5xx with a string code; the old API and the robot webhooks answer
// HTTP 200 with a numeric errcode, which APIError.Code carries as decimal
// text. The fake answers with the same codes.
const (
	// New API. Confirmed from DingTalk's documentation and observed answers.
	CodeInvalidAuthentication = "InvalidAuthentication"                          // HTTP 400: access token unknown or expired
	CodeMissingToken          = "AuthenticationFailed.MissingParameter"          // HTTP 400: no x-acs-dingtalk-access-token header
	CodeInvalidClient         = "invalidClientIdOrSecret"                        // HTTP 400: wrong AppKey or AppSecret
	CodeQPSLimitApp           = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi" // HTTP 403: this app's per-API QPS limit
	CodeQPSLimitAPI           = "Forbidden.AccessDenied.QpsLimitForApi"          // HTTP 403: the API's global QPS limit
	CodeRobotCodeMismatch     = "invalidParameter.robotCode.auth"                // HTTP 400: robotCode is not this app's

	// Robot webhooks (custom group robot and session webhook).
	CodeWebhookSecurity  = "310000" // sign not match, invalid timestamp, keywords not in content, IP not in whitelist
	CodeWebhookTooFast   = "130101" // send too fast, exceed 20 times per minute
	CodeWebhookNoToken   = "300005" // token is not exist (older answers used 300001)
	CodeWebhookMsgType   = "400105" // unsupported msgtype
	codeSessionGone      = "300001" // "session 不存在"; also "param error" and the old "token is not exist"
	codeWebhookTooFast2  = "660026" // sending too many messages per minute (observed, undocumented)
	codeWebhookThrottled = "410100" // documented: over 20 a minute, throttled for 10 minutes

	// Old API (oapi). Authentication failures come as errcode 88 with the
	// reason in sub_code; APIError.Code carries sub_code then.
	CodeInvalidAuthCode = "40078" // 免登 auth code unknown, used or expired
	codeOAPITokenBad    = "40014"
	codeOAPITokenOld    = "42001"
	codeOAPIAuth        = "88"
)

// APIError is a refusal from DingTalk: a new-API answer with a non-2xx status
// and {"code", "message"}, or an old-API or webhook answer with errcode != 0
// (Code is then the errcode in decimal, or sub_code for errcode 88). Code is
// empty when the answer carried none (a bare HTTP 500, say).
type APIError struct {
	Code   string
	Status int    // HTTP status
	Msg    string // DingTalk's message, or the first bytes of a non-JSON body
}

// Error implements error. It carries no token or secret: DingTalk does not
// echo them.
func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("dingtalk: http status %d: %s", e.Status, e.Msg)
	}
	return fmt.Sprintf("dingtalk: http status %d, code %s: %s", e.Status, e.Code, e.Msg)
}

// UndeliveredError is returned by SendToUsers when DingTalk accepted the call
// but reported recipients it did not reach; everyone else got the message.
type UndeliveredError struct {
	Invalid        []string // invalidStaffIdList: not members, or outside the app's range
	FlowControlled []string // flowControlledStaffIdList: sent too many messages; retry later
	// Filtered is filteredStaffIdList: recipients DingTalk filtered out (it
	// keeps them from the robot's messages); a retry is filtered again.
	Filtered []string
}

// Error implements error.
func (e *UndeliveredError) Error() string {
	return fmt.Sprintf("dingtalk: %d recipients invalid, %d filtered, %d flow-controlled", len(e.Invalid), len(e.Filtered), len(e.FlowControlled))
}

func hasCode(err error, codes ...string) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.Code == c {
			return true
		}
	}
	return false
}

// IsRateLimited reports whether err is a DingTalk rate limit: a group robot's
// 20 messages a minute (130101, 660026, 410100), an API QPS limit (HTTP 403
// Forbidden.AccessDenied.Qps*/Qpm*, old-API 90002/90018, any Throttling*
// code), HTTP 429, or recipients flow-controlled by SendToUsers.
func IsRateLimited(err error) bool {
	var ue *UndeliveredError
	if errors.As(err, &ue) && len(ue.FlowControlled) > 0 {
		return true
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case CodeWebhookTooFast, codeWebhookTooFast2, codeWebhookThrottled, "90002", "90018":
		return true
	}
	return ae.Status == http.StatusTooManyRequests ||
		strings.HasPrefix(ae.Code, "Throttling") ||
		strings.HasPrefix(ae.Code, "Forbidden.AccessDenied.QpsLimit") ||
		strings.HasPrefix(ae.Code, "Forbidden.AccessDenied.QpmLimit")
}

// IsBadWebhook reports whether err says the group robot webhook itself is
// wrong: 310000 (bad sign or timestamp, keyword or IP rule not met), an
// unknown access_token (300005, 400101, or the old 300001 "token is not
// exist"), a disabled or deleted robot (400102, 400106). Retrying will not
// help; someone must fix the configuration.
func IsBadWebhook(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case CodeWebhookSecurity, CodeWebhookNoToken, "400101", "400102", "400106":
		return true
	case codeSessionGone:
		return strings.Contains(ae.Msg, "token")
	}
	return false
}

// IsTemporary reports whether the same call may succeed later: rate limits,
// flow-controlled recipients only, "system busy" (-1), HTTP 5xx, network
// errors and timeouts.
func IsTemporary(err error) bool {
	var ue *UndeliveredError
	if errors.As(err, &ue) {
		return len(ue.Invalid) == 0 && len(ue.FlowControlled) > 0
	}
	if IsRateLimited(err) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Code == "-1"
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

func orDefault(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return defaultHTTP
}

// stripQuery removes the query, which may hold an access_token, sign or
// session, from a URL quoted by a transport error.
func stripQuery(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if i := strings.IndexAny(ue.URL, "?#"); i >= 0 {
			ue.URL = ue.URL[:i] + "?(query redacted)"
		}
	}
	return err
}

// exchange performs one HTTP request and reads at most MaxBodySize of the
// answer. Its errors never quote the target's query.
func exchange(ctx context.Context, hc *http.Client, method, target string, header http.Header, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, errors.New("build request: invalid URL or method")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := orDefault(hc).Do(req)
	if err != nil {
		return 0, nil, stripQuery(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read answer: %w", stripQuery(err))
	}
	return resp.StatusCode, b, nil
}

// snippet returns the start of a non-JSON answer for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// rawText returns a JSON number or string as text.
func rawText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// errcodeResult interprets an old-API or webhook answer: HTTP 200 with
// errcode 0 (or "0") is success, and out, if non-nil, receives the body.
func errcodeResult(status int, b []byte, out any) error {
	if status != http.StatusOK {
		return &APIError{Status: status, Msg: snippet(b)}
	}
	var head struct {
		ErrCode json.RawMessage `json:"errcode"`
		ErrMsg  string          `json:"errmsg"`
		SubCode json.RawMessage `json:"sub_code"`
		SubMsg  string          `json:"sub_msg"`
	}
	if err := json.Unmarshal(b, &head); err != nil || len(head.ErrCode) == 0 {
		return &APIError{Status: status, Msg: "answer without errcode: " + snippet(b)}
	}
	code := rawText(head.ErrCode)
	if code != "0" {
		ae := &APIError{Code: code, Status: status, Msg: head.ErrMsg}
		if sub := rawText(head.SubCode); code == codeOAPIAuth && sub != "" {
			ae.Code, ae.Msg = sub, head.SubMsg
		}
		return ae
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
	}
	return nil
}

// postRobot posts a message to a robot webhook (custom group robot or
// session webhook) and interprets the errcode answer.
func postRobot(ctx context.Context, hc *http.Client, target string, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	status, b, err := exchange(ctx, hc, http.MethodPost, target, nil, body)
	if err != nil {
		return err
	}
	return errcodeResult(status, b, nil)
}

// Client calls DingTalk's API for one enterprise app and its robot. Zero
// APIBase, OAPIBase, RobotCode, HTTP and Now mean DefaultAPIBase,
// DefaultOAPIBase, AppKey (a robot's code is normally its app's AppKey), a
// client with a 10-second timeout, and time.Now.
//
// It caches the app's access token until shortly before it expires; when
// DingTalk rejects the token anyway (InvalidAuthentication, or 40014/42001 on
// the old API) it fetches a new one and retries the call once. It is safe for
// concurrent use; set the fields before first use. Secrets and tokens never
// appear in its errors.
type Client struct {
	APIBase   string
	OAPIBase  string
	AppKey    string
	AppSecret string
	RobotCode string
	HTTP      *http.Client
	Now       func() time.Time

	tokens token.Cache
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) api(path string) string {
	base := c.APIBase
	if base == "" {
		base = DefaultAPIBase
	}
	return strings.TrimRight(base, "/") + path
}

func (c *Client) oapi(path string) string {
	base := c.OAPIBase
	if base == "" {
		base = DefaultOAPIBase
	}
	return strings.TrimRight(base, "/") + path
}

func (c *Client) robotCode() string {
	if c.RobotCode != "" {
		return c.RobotCode
	}
	return c.AppKey
}

// apiCall calls the new API: a JSON body in (nil for none), a JSON body out
// on 2xx, *APIError otherwise. token, if set, goes in x-acs-dingtalk-access-token.
func (c *Client) apiCall(ctx context.Context, method, path, token string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
	}
	h := http.Header{}
	if token != "" {
		h.Set("x-acs-dingtalk-access-token", token)
	}
	status, b, err := exchange(ctx, c.HTTP, method, c.api(path), h, body)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &e) != nil || e.Code == "" {
			return &APIError{Status: status, Msg: snippet(b)}
		}
		return &APIError{Code: e.Code, Status: status, Msg: e.Message}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
	}
	return nil
}

// appToken returns the cached access token or fetches a new one
// (POST /v1.0/oauth2/accessToken).
func (c *Client) appToken(ctx context.Context) (string, error) {
	tok, err := c.tokens.Get(ctx, c.now(), func(ctx context.Context) (string, time.Duration, error) {
		var out struct {
			AccessToken string `json:"accessToken"`
			ExpireIn    int64  `json:"expireIn"`
		}
		in := map[string]string{"appKey": c.AppKey, "appSecret": c.AppSecret}
		if err := c.apiCall(ctx, http.MethodPost, "/v1.0/oauth2/accessToken", "", in, &out); err != nil {
			return "", 0, err
		}
		if out.AccessToken == "" || out.ExpireIn <= 0 {
			return "", 0, errors.New("answer without accessToken or expireIn")
		}
		return out.AccessToken, time.Duration(out.ExpireIn) * time.Second, nil
	})
	if err != nil {
		return "", fmt.Errorf("dingtalk: get access token: %w", err)
	}
	return tok, nil
}

// forget drops tok from the cache unless another call already replaced it.
func (c *Client) forget(ctx context.Context, tok string) { c.tokens.Forget(ctx, tok) }

// tokenRejected reports whether DingTalk refused the access token itself.
func tokenRejected(err error) bool {
	return hasCode(err, CodeInvalidAuthentication, codeOAPITokenBad, codeOAPITokenOld)
}

// withToken runs call with the app token, and once more with a fresh token
// if DingTalk rejects the first.
func (c *Client) withToken(ctx context.Context, call func(token string) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.appToken(ctx)
		if err != nil {
			return err
		}
		err = call(tok)
		if attempt == 0 && tokenRejected(err) {
			c.forget(ctx, tok)
			continue
		}
		return err
	}
}

// uniqueIDs drops empty and repeated ids, keeping order.
func uniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// SendToUsers sends a robot 1:1 message to members by userid
// (POST /v1.0/robot/oToMessages/batchSend), BatchSendMaxUsers per call.
// msgKey is a template (MsgKeyText, MsgKeyMarkdown, MsgKeyActionCard, ...)
// and msgParam its fields, e.g. {"title": "新工单", "text": "..."} for
// MsgKeyMarkdown; SendToUsers encodes msgParam as the JSON string DingTalk
// wants. Members DingTalk did not reach give *UndeliveredError. If a later
// batch fails, earlier batches have been delivered; the error says which
// batch.
func (c *Client) SendToUsers(ctx context.Context, userIDs []string, msgKey string, msgParam map[string]any) error {
	ids := uniqueIDs(userIDs)
	if len(ids) == 0 || msgKey == "" {
		return errors.New("dingtalk: send to users: no recipients or no msgKey")
	}
	param, err := json.Marshal(msgParam)
	if err != nil {
		return fmt.Errorf("dingtalk: send to users: encode msgParam: %w", err)
	}
	batches := (len(ids) + BatchSendMaxUsers - 1) / BatchSendMaxUsers
	var undelivered UndeliveredError
	for i := 0; i < batches; i++ {
		chunk := ids[i*BatchSendMaxUsers : min(len(ids), (i+1)*BatchSendMaxUsers)]
		in := map[string]any{"robotCode": c.robotCode(), "userIds": chunk, "msgKey": msgKey, "msgParam": string(param)}
		var out struct {
			ProcessQueryKey string   `json:"processQueryKey"`
			Invalid         []string `json:"invalidStaffIdList"`
			FlowControlled  []string `json:"flowControlledStaffIdList"`
			Filtered        []string `json:"filteredStaffIdList"`
		}
		err := c.withToken(ctx, func(tok string) error {
			return c.apiCall(ctx, http.MethodPost, "/v1.0/robot/oToMessages/batchSend", tok, in, &out)
		})
		if err != nil {
			return fmt.Errorf("dingtalk: send to users: batch %d of %d: %w", i+1, batches, err)
		}
		undelivered.Invalid = append(undelivered.Invalid, out.Invalid...)
		undelivered.FlowControlled = append(undelivered.FlowControlled, out.FlowControlled...)
		undelivered.Filtered = append(undelivered.Filtered, out.Filtered...)
	}
	if len(undelivered.Invalid) > 0 || len(undelivered.FlowControlled) > 0 || len(undelivered.Filtered) > 0 {
		return &undelivered
	}
	return nil
}

// SendGroup posts msg to a custom group robot: webhookURL is the robot's
// …/robot/send?access_token=… URL from config and secret its SEC… signing
// secret ("" for a robot secured by keywords or IP only). Each call is signed
// afresh with the client's clock. msg is the robot's JSON, e.g.
// {"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}} or
// {"msgtype": "actionCard", "actionCard": {"title", "text",
// "btnOrientation": "0", "btns": [{"title", "actionURL"}]}}. Past 20
// messages a minute IsRateLimited(err); a wrong secret, token, keyword or IP
// gives IsBadWebhook(err).
func (c *Client) SendGroup(ctx context.Context, webhookURL, secret string, msg map[string]any) error {
	target := webhookURL
	if secret != "" {
		var err error
		if target, err = SignWebhook(webhookURL, secret, c.now()); err != nil {
			return fmt.Errorf("dingtalk: send group message: %w", err)
		}
	}
	if err := postRobot(ctx, c.HTTP, target, msg); err != nil {
		return fmt.Errorf("dingtalk: send group message: %w", err)
	}
	return nil
}

// UserID exchanges a 免登 auth code, which an H5 page inside DingTalk gets
// from dd.runtime.permission.requestAuthCode, for the member's userid
// (POST OAPIBase/topapi/v2/user/getuserinfo). A code works once, for about 5
// minutes; otherwise DingTalk answers errcode 40078 (CodeInvalidAuthCode).
func (c *Client) UserID(ctx context.Context, authCode string) (string, error) {
	var out struct {
		Result struct {
			UserID string `json:"userid"`
		} `json:"result"`
	}
	err := c.withToken(ctx, func(tok string) error {
		body, err := json.Marshal(map[string]string{"code": authCode})
		if err != nil {
			return err
		}
		target := c.oapi("/topapi/v2/user/getuserinfo") + "?" + url.Values{"access_token": {tok}}.Encode()
		status, b, err := exchange(ctx, c.HTTP, http.MethodPost, target, nil, body)
		if err != nil {
			return err
		}
		return errcodeResult(status, b, &out)
	})
	if err != nil {
		return "", fmt.Errorf("dingtalk: user by auth code: %w", err)
	}
	if out.Result.UserID == "" {
		return "", errors.New("dingtalk: user by auth code: answer without userid")
	}
	return out.Result.UserID, nil
}

// UnionID exchanges an OAuth 2.0 authorization code from DingTalk's browser
// sign-in (login.dingtalk.com redirect) for the person's unionId: it gets a
// user access token (POST /v1.0/oauth2/userAccessToken) and reads
// GET /v1.0/contact/users/me with it. The unionId identifies the person
// across apps; it is not the userid the robot APIs take.
func (c *Client) UnionID(ctx context.Context, authCode string) (string, error) {
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	in := map[string]string{"clientId": c.AppKey, "clientSecret": c.AppSecret, "code": authCode, "grantType": "authorization_code"}
	if err := c.apiCall(ctx, http.MethodPost, "/v1.0/oauth2/userAccessToken", "", in, &tok); err != nil {
		return "", fmt.Errorf("dingtalk: user access token: %w", err)
	}
	if tok.AccessToken == "" {
		return "", errors.New("dingtalk: user access token: answer without accessToken")
	}
	var me struct {
		UnionID string `json:"unionId"`
	}
	if err := c.apiCall(ctx, http.MethodGet, "/v1.0/contact/users/me", tok.AccessToken, nil, &me); err != nil {
		return "", fmt.Errorf("dingtalk: contact users/me: %w", err)
	}
	if me.UnionID == "" {
		return "", errors.New("dingtalk: contact users/me: answer without unionId")
	}
	return me.UnionID, nil
}
