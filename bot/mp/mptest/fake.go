package mptest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"minsheng/bot/internal/fault"
	"minsheng/bot/mp"
)

var errMsgs = map[int]string{
	mp.CodeInvalidCredential: "invalid credential, access_token is invalid or not latest",
	mp.CodeInvalidGrantType:  "invalid grant_type",
	mp.CodeInvalidOpenID:     "invalid openid",
	mp.CodeInvalidMsgType:    "invalid message type",
	mp.CodeInvalidAppID:      "invalid appid",
	mp.CodeInvalidTemplateID: "invalid template_id",
	mp.CodeInvalidAppSecret:  "invalid appsecret",
	mp.CodeTokenMissing:      "access_token missing",
	mp.CodeTokenExpired:      "access_token expired",
	mp.CodeRequireGET:        "require GET method",
	mp.CodeRequirePOST:       "require POST method",
	mp.CodeEmptyPostData:     "empty post data",
	mp.CodeEmptyContent:      "empty content",
	mp.CodeRateLimited:       "api freq out of limit",
	mp.CodeOutOfWindow:       "response out of time limit or subscription is canceled",
	mp.CodeDataFormat:        "data format error",
	mp.CodeArgumentInvalid:   "argument invalid!",
}

// Kinds of SentMessage.
const (
	KindCustom   = "custom"   // 客服消息
	KindTemplate = "template" // 模板消息
)

// CustomWindow is how long after a citizen's last message the account may
// send customer-service messages.
const CustomWindow = 48 * time.Hour

// SentMessage is one message FakeAPI accepted.
type SentMessage struct {
	OpenID string
	Kind   string // KindCustom or KindTemplate
	// Text is the content of a customer-service text message.
	Text string
	// TemplateID, URL and Data (key → value) are a template message's.
	TemplateID, URL string
	Data            map[string]string
	// MsgID is the msgid returned for a template message.
	MsgID int64
	At    time.Time
}

// FakeAPI is an in-process fake of the Official Account HTTP API
// (api.weixin.qq.com) that speaks WeChat's JSON and error codes:
//
//	GET  /cgi-bin/token?grant_type=client_credential&appid=&secret=
//	POST /cgi-bin/stable_token
//	POST /cgi-bin/message/custom/send?access_token=
//	POST /cgi-bin/message/template/send?access_token=
//
// Serve it with httptest.NewServer, or mount it under a prefix with
// http.StripPrefix. Set the exported fields before serving; the methods are
// safe for concurrent use. Citizens are known to the fake only once Touch has
// been called for them, templates once AddTemplate has.
type FakeAPI struct {
	AppID, AppSecret string
	// TokenTTL is the access token lifetime; zero means WeChat's 7200s.
	TokenTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	tokens    map[string]time.Time // token → expiry
	stable    string               // current stable_token
	users     map[string]time.Time // openid → last message from the citizen
	templates map[string][]string  // id → its keys (none: any key)
	clientIDs map[string]sentID    // openid + client_msg_id → the first send
	sent      []SentMessage
	calls     map[string]int
	refused   int // calls refused for their access_token
	msgID     int64
	// FailNext, RateLimitNext (errcode 45009, api freq out of limit),
	// LoseReplyNext (counting sends, not token fetches) and SetDelay inject
	// faults.
	fault.Injector
}

// NewFakeAPI returns a FakeAPI for the account appID with secret appSecret.
func NewFakeAPI(appID, appSecret string) *FakeAPI {
	return &FakeAPI{AppID: appID, AppSecret: appSecret}
}

func (f *FakeAPI) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *FakeAPI) ttl() time.Duration {
	if f.TokenTTL > 0 {
		return f.TokenTTL
	}
	return 7200 * time.Second
}

// init allocates the maps; f.mu must be held.
func (f *FakeAPI) init() {
	if f.tokens == nil {
		f.tokens = map[string]time.Time{}
		f.users = map[string]time.Time{}
		f.templates = map[string][]string{}
		f.clientIDs = map[string]sentID{}
		f.calls = map[string]int{}
		f.msgID = 2000000000
	}
}

// Touch records that the citizen openid sent a message at the given time: it
// makes them a known follower and opens the 48-hour window for
// customer-service messages. Tests and the sandbox call it with each message.
func (f *FakeAPI) Touch(openid string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if at.After(f.users[openid]) {
		f.users[openid] = at
	}
}

// AddTemplate makes template message ID id known, with its keys (keyword1,
// thing2, …): data with another key, or a value over TemplateValueMax
// characters, is refused with 47003 as WeChat does. Without keys any key
// is taken.
func (f *FakeAPI) AddTemplate(id string, keys ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	f.templates[id] = append([]string{}, keys...)
}

// TemplateValueMax is how many characters of a keyword the fake takes.
const TemplateValueMax = 20

// ClientMsgIDTTL is how long WeChat sends only one template message per
// openid and client_msg_id.
const ClientMsgIDTTL = 10 * time.Minute

type sentID struct {
	msgID int64
	at    time.Time
}

// ExpireTokens makes every access token issued so far expired at once: calls
// with them fail with 42001, and stable_token issues a new one.
func (f *FakeAPI) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	now := f.now()
	for t, exp := range f.tokens {
		if exp.After(now) {
			f.tokens[t] = now
		}
	}
}

// Sent returns a copy of every accepted message, oldest first.
func (f *FakeAPI) Sent() []SentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]SentMessage, len(f.sent))
	for i, m := range f.sent {
		m.Data = maps.Clone(m.Data)
		out[i] = m
	}
	return out
}

// SentTo returns the accepted messages to openid, oldest first.
func (f *FakeAPI) SentTo(openid string) []SentMessage {
	var out []SentMessage
	for _, m := range f.Sent() {
		if m.OpenID == openid {
			out = append(out, m)
		}
	}
	return out
}

// Calls returns how many requests reached path (such as "/cgi-bin/token"),
// failed ones included.
func (f *FakeAPI) Calls(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[path]
}

// TokenRefusals returns how many API calls were refused for their
// access_token: missing, unknown or expired.
func (f *FakeAPI) TokenRefusals() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused
}

// ServeHTTP implements http.Handler.
func (f *FakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.init()
	f.calls[r.URL.Path]++
	f.mu.Unlock()

	// Read the body first, so that the server notices a client that gives up
	// during the delay.
	body, err := io.ReadAll(io.LimitReader(r.Body, mp.MaxBody+1))
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	fail, limited, ok := f.Take(r.Context())
	if !ok {
		return
	}
	if fail {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}

	var route func(*http.Request) any
	method := http.MethodPost
	switch r.URL.Path {
	case "/cgi-bin/token":
		route, method = f.token, http.MethodGet
	case "/cgi-bin/stable_token":
		route = f.stableToken
	case "/cgi-bin/message/custom/send":
		route = f.customSend
	case "/cgi-bin/message/template/send":
		route = f.templateSend
	default:
		http.NotFound(w, r)
		return
	}
	switch {
	case r.Method != method && method == http.MethodGet:
		writeJSON(w, apiErr(mp.CodeRequireGET))
	case r.Method != method:
		writeJSON(w, apiErr(mp.CodeRequirePOST))
	case limited:
		writeJSON(w, apiErr(mp.CodeRateLimited))
	default:
		res := route(r)
		if r.URL.Path != "/cgi-bin/token" && r.URL.Path != "/cgi-bin/stable_token" && f.LoseReply() {
			fault.Drop(w)
			return
		}
		writeJSON(w, res)
	}
}

type fakeErr struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// apiErr returns WeChat's error body for code, with a request id appended to
// errmsg as WeChat does.
func apiErr(code int) fakeErr {
	return fakeErr{ErrCode: code, ErrMsg: fmt.Sprintf("%s rid: %s", errMsgs[code], randomHex(12))}
}

var okBody = fakeErr{ErrCode: mp.CodeOK, ErrMsg: "ok"}

// WriteError answers w with WeChat's error body for code, as FakeAPI does;
// for a test that wraps FakeAPI to refuse some requests.
func WriteError(w http.ResponseWriter, code int) { writeJSON(w, apiErr(code)) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

type tokenBody struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (f *FakeAPI) checkApp(grantType, appID, secret string) (fakeErr, bool) {
	switch {
	case grantType != "client_credential":
		return apiErr(mp.CodeInvalidGrantType), false
	case appID != f.AppID:
		return apiErr(mp.CodeInvalidAppID), false
	case secret != f.AppSecret:
		return apiErr(mp.CodeInvalidAppSecret), false
	}
	return fakeErr{}, true
}

// issue mints a token; f.mu must be held.
func (f *FakeAPI) issue() tokenBody {
	t := randomHex(48)
	f.tokens[t] = f.now().Add(f.ttl())
	return tokenBody{AccessToken: t, ExpiresIn: int64(f.ttl() / time.Second)}
}

func (f *FakeAPI) token(r *http.Request) any {
	q := r.URL.Query()
	if e, ok := f.checkApp(q.Get("grant_type"), q.Get("appid"), q.Get("secret")); !ok {
		return e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issue()
}

func (f *FakeAPI) stableToken(r *http.Request) any {
	var in struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if e, ok := decodeBody(r, &in); !ok {
		return e
	}
	if e, ok := f.checkApp(in.GrantType, in.AppID, in.Secret); !ok {
		return e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if exp, ok := f.tokens[f.stable]; ok && !in.ForceRefresh && exp.After(now) {
		return tokenBody{AccessToken: f.stable, ExpiresIn: int64(exp.Sub(now) / time.Second)}
	}
	tb := f.issue()
	f.stable = tb.AccessToken
	return tb
}

// checkToken validates the access_token query parameter.
func (f *FakeAPI) checkToken(r *http.Request) (fakeErr, bool) {
	t := r.URL.Query().Get("access_token")
	if t == "" {
		f.mu.Lock()
		f.refused++
		f.mu.Unlock()
		return apiErr(mp.CodeTokenMissing), false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	exp, ok := f.tokens[t]
	switch {
	case !ok:
		f.refused++
		return apiErr(mp.CodeInvalidCredential), false
	case !f.now().Before(exp):
		f.refused++
		return apiErr(mp.CodeTokenExpired), false
	}
	return fakeErr{}, true
}

func decodeBody(r *http.Request, v any) (fakeErr, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, mp.MaxBody+1))
	if err != nil || len(b) > mp.MaxBody {
		return apiErr(mp.CodeDataFormat), false
	}
	if len(b) == 0 {
		return apiErr(mp.CodeEmptyPostData), false
	}
	if err := json.Unmarshal(b, v); err != nil {
		return apiErr(mp.CodeDataFormat), false
	}
	return fakeErr{}, true
}

func (f *FakeAPI) customSend(r *http.Request) any {
	if e, ok := f.checkToken(r); !ok {
		return e
	}
	var in struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if e, ok := decodeBody(r, &in); !ok {
		return e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	last, known := f.users[in.ToUser]
	switch {
	case !known:
		return apiErr(mp.CodeInvalidOpenID)
	case in.MsgType != "text":
		return apiErr(mp.CodeInvalidMsgType)
	case in.Text.Content == "":
		return apiErr(mp.CodeEmptyContent)
	case now.Sub(last) > CustomWindow:
		return apiErr(mp.CodeOutOfWindow)
	}
	f.sent = append(f.sent, SentMessage{OpenID: in.ToUser, Kind: KindCustom, Text: in.Text.Content, At: now})
	return okBody
}

func (f *FakeAPI) templateSend(r *http.Request) any {
	if e, ok := f.checkToken(r); !ok {
		return e
	}
	var in struct {
		ToUser      string `json:"touser"`
		TemplateID  string `json:"template_id"`
		URL         string `json:"url"`
		ClientMsgID string `json:"client_msg_id"`
		Data        map[string]struct {
			Value string `json:"value"`
		} `json:"data"`
	}
	if e, ok := decodeBody(r, &in); !ok {
		return e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, known := f.users[in.ToUser]; !known {
		return apiErr(mp.CodeInvalidOpenID)
	}
	keys, found := f.templates[in.TemplateID]
	if !found {
		return apiErr(mp.CodeInvalidTemplateID)
	}
	data := make(map[string]string, len(in.Data))
	for k, v := range in.Data {
		if len(keys) > 0 && !slices.Contains(keys, k) || utf8.RuneCountInString(v.Value) > TemplateValueMax {
			return apiErr(mp.CodeArgumentInvalid)
		}
		data[k] = v.Value
	}
	type answer struct {
		fakeErr
		MsgID int64 `json:"msgid"`
	}
	dup := in.ToUser + "\x00" + in.ClientMsgID
	if s, seen := f.clientIDs[dup]; in.ClientMsgID != "" && seen && f.now().Sub(s.at) < ClientMsgIDTTL {
		return answer{okBody, s.msgID} // sent already: not again
	}
	f.msgID++
	if in.ClientMsgID != "" {
		f.clientIDs[dup] = sentID{f.msgID, f.now()}
	}
	f.sent = append(f.sent, SentMessage{
		OpenID: in.ToUser, Kind: KindTemplate, TemplateID: in.TemplateID,
		URL: in.URL, Data: data, MsgID: f.msgID, At: f.now(),
	})
	return answer{okBody, f.msgID}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)[:n]
}
