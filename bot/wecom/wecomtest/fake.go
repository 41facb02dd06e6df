package wecomtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"minsheng/bot/internal/fault"
	"minsheng/bot/internal/jsonq"
	"minsheng/bot/wecom"
)

// Limits and lifetimes of the real API that FakeServer enforces.
const (
	DefaultTokenTTL = 7200 * time.Second // access_token lifetime (expires_in)
	ResponseCodeTTL = 72 * time.Hour     // a template card response_code's lifetime
	OAuthCodeTTL    = 5 * time.Minute    // an OAuth code's lifetime
	GroupRateLimit  = 20                 // group robot messages per key per minute
	TaskIDMax       = 128                // a template card task_id's length, bytes
)

// taskIDExistsMsg is WeCom's errmsg for errcode 42014, which it answers for
// a task_id already used by this app, an empty one and one too long alike.
const taskIDExistsMsg = "taskid has existed or empty or exceed max len"

// FakeServer is an in-process fake of WeCom's API (qyapi.weixin.qq.com) for
// tests: an http.Handler for httptest.NewServer that answers under any path
// prefix ending in /cgi-bin/..., with WeCom's JSON bodies and error codes.
// It is safe for concurrent use. Set the exported fields before serving;
// NewFakeServer fills the defaults.
//
// Endpoints: GET /cgi-bin/gettoken, POST /cgi-bin/message/send,
// POST /cgi-bin/message/update_template_card, POST /cgi-bin/webhook/send,
// GET /cgi-bin/auth/getuserinfo, POST /cgi-bin/media/upload.
type FakeServer struct {
	CorpID     string
	Secret     string // the app's corpsecret
	AgentID    int64
	TokenTTL   time.Duration    // access_token lifetime; 0 means DefaultTokenTTL
	GroupLimit int              // group robot messages per key per minute; 0 means GroupRateLimit
	Now        func() time.Time // the clock for every lifetime and rate window; nil means time.Now

	mu            sync.Mutex
	tokens        map[string]time.Time // token → expiry
	current       string
	tokensIssued  int
	refused       int // calls refused for their access_token
	users         map[string]bool
	webhooks      map[string][]time.Time // key → send times in the last minute
	group         map[string][]GroupMessage
	app           []AppMessage
	updates       []CardUpdate
	responseCodes map[string]*issued
	taskIDs       map[string]bool
	oauth         map[string]*oauthCode
	recentApp     map[string]time.Time // duplicate check: message → when first accepted
	media         map[string]FakeMedia // media_id → uploaded file
	// NoMarkdownV2 makes group robots refuse markdown_v2 (errcode 40008), as
	// older private deployments do.
	NoMarkdownV2 bool
	// FailNext, RateLimitNext (errcode 45009), LoseReplyNext (counting API
	// calls, not token fetches) and SetDelay inject faults.
	fault.Injector
}

type issued struct {
	at   time.Time
	used bool
}

type oauthCode struct {
	userID string
	at     time.Time
	used   bool
}

// AppMessage is one app message FakeServer accepted on /cgi-bin/message/send.
type AppMessage struct {
	MsgID        string
	ToUser       string // as sent: "userid1|userid2" or "@all"
	MsgType      string // "text", "markdown", "textcard", "template_card"
	Text         string // text or markdown content, textcard description, template card main title
	CardType     string // template cards only
	TaskID       string // template cards only
	ResponseCode string // issued for interactive template cards
	At           time.Time
	Raw          map[string]any // the decoded request body (a fresh copy per call)
	raw          []byte
	MediaID      string // file and image messages
}

// GroupMessage is one group robot message FakeServer accepted on /cgi-bin/webhook/send.
type GroupMessage struct {
	Key     string
	MsgType string // "text", "markdown", "template_card", "file", ...
	Text    string // text or markdown content, template card main title
	At      time.Time
	Raw     map[string]any
	raw     []byte
	Image   []byte // image messages: the picture, decoded and checked against its md5
}

// CardUpdate is one accepted /cgi-bin/message/update_template_card call.
type CardUpdate struct {
	ResponseCode string
	UserIDs      []string
	ReplaceName  string // button.replace_name, for button updates
	CardType     string // template_card.card_type, for whole-card updates
	At           time.Time
	Raw          map[string]any
	raw          []byte
}

// NewFakeServer returns a FakeServer for one corp and one self-built app.
func NewFakeServer(corpID, secret string, agentID int64) *FakeServer {
	return &FakeServer{CorpID: corpID, Secret: secret, AgentID: agentID, TokenTTL: DefaultTokenTTL, GroupLimit: GroupRateLimit}
}

// ShownLiterally returns the lines of markdown content that WeCom's
// markdown (v1: headings, bold, links, inline code, quotes, font colours)
// does not render and shows as typed: horizontal rules (---, ***, ___).
func ShownLiterally(content string) []string {
	var out []string
	for _, line := range strings.Split(content, "\n") {
		l := strings.ReplaceAll(strings.TrimSpace(line), " ", "")
		if len(l) >= 3 && (strings.Trim(l, "-") == "" || strings.Trim(l, "*") == "" || strings.Trim(l, "_") == "") {
			out = append(out, line)
		}
	}
	return out
}

func (f *FakeServer) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// init allocates the maps; callers hold f.mu.
func (f *FakeServer) init() {
	if f.tokens == nil {
		f.tokens = map[string]time.Time{}
		f.users = map[string]bool{}
		f.webhooks = map[string][]time.Time{}
		f.group = map[string][]GroupMessage{}
		f.responseCodes = map[string]*issued{}
		f.taskIDs = map[string]bool{}
		f.oauth = map[string]*oauthCode{}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return hex.EncodeToString(b)
}

// AddUsers registers member userids. Once any are registered, app messages
// to others report them in invaliduser (errcode 81013 when none is valid);
// with none registered every userid is accepted.
func (f *FakeServer) AddUsers(userIDs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	for _, u := range userIDs {
		f.users[u] = true
	}
}

// AddWebhook registers a group robot key; other keys get errcode 93000.
func (f *FakeServer) AddWebhook(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if _, ok := f.webhooks[key]; !ok {
		f.webhooks[key] = nil
	}
}

// ExpireTokens makes every access_token issued so far expired (errcode 42001).
func (f *FakeServer) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	past := f.now().Add(-time.Second)
	for t := range f.tokens {
		f.tokens[t] = past
	}
	f.current = ""
}

// TokensIssued returns how many distinct access_tokens gettoken has issued.
func (f *FakeServer) TokensIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokensIssued
}

// TokenRefusals returns how many API calls were refused for their
// access_token: missing, unknown or expired.
func (f *FakeServer) TokenRefusals() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused
}

// IssueOAuthCode returns a fresh OAuth code for member userID, as WeCom puts
// in the redirect after the member opens an H5 page; it is single-use and
// lives OAuthCodeTTL.
func (f *FakeServer) IssueOAuthCode(userID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	code := randomHex(16)
	f.oauth[code] = &oauthCode{userID: userID, at: f.now()}
	return code
}

// IssueResponseCode returns a fresh response_code, as WeCom puts in a
// template_card_event; it is single-use and lives ResponseCodeTTL.
func (f *FakeServer) IssueResponseCode() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	return f.issueResponseCode()
}

func (f *FakeServer) issueResponseCode() string {
	code := randomHex(24)
	f.responseCodes[code] = &issued{at: f.now()}
	return code
}

// AppMessages returns copies of the app messages accepted so far, oldest first.
func (f *FakeServer) AppMessages() []AppMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]AppMessage, len(f.app))
	for i, m := range f.app {
		m.Raw = decodeRaw(m.raw)
		out[i] = m
	}
	return out
}

// GroupMessages returns copies of the group robot messages accepted for key, oldest first.
func (f *FakeServer) GroupMessages(key string) []GroupMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]GroupMessage, len(f.group[key]))
	for i, m := range f.group[key] {
		m.Raw = decodeRaw(m.raw)
		out[i] = m
	}
	return out
}

// CardUpdates returns copies of the template card updates accepted so far, oldest first.
func (f *FakeServer) CardUpdates() []CardUpdate {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]CardUpdate, len(f.updates))
	for i, u := range f.updates {
		u.Raw = decodeRaw(u.raw)
		u.UserIDs = append([]string(nil), u.UserIDs...)
		out[i] = u
	}
	return out
}

func decodeRaw(b []byte) map[string]any {
	m, _ := decodeBody(b) // b decoded once already, when it was accepted
	return m
}

// fakeResult is an API answer: errcode, errmsg and extra fields.
type fakeResult map[string]any

func apiError(code int, msg string) fakeResult {
	return fakeResult{"errcode": code, "errmsg": fmt.Sprintf("%s, more info at https://open.work.weixin.qq.com/devtool/query?e=%d", msg, code)}
}

func success(extra fakeResult) fakeResult {
	r := fakeResult{"errcode": 0, "errmsg": "ok"}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// ServeHTTP implements http.Handler. Paths are matched from "/cgi-bin/" on,
// so the fake can be mounted under any prefix.
func (f *FakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := strings.Index(r.URL.Path, "/cgi-bin/")
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	type route struct {
		method string
		h      func(*http.Request, []byte) fakeResult
	}
	routes := map[string]route{
		"/cgi-bin/gettoken":                     {http.MethodGet, f.getToken},
		"/cgi-bin/message/send":                 {http.MethodPost, f.sendApp},
		"/cgi-bin/message/update_template_card": {http.MethodPost, f.updateCard},
		"/cgi-bin/webhook/send":                 {http.MethodPost, f.sendGroup},
		"/cgi-bin/auth/getuserinfo":             {http.MethodGet, f.getUserInfo},
		"/cgi-bin/media/upload":                 {http.MethodPost, f.uploadMedia},
	}
	rt, found := routes[r.URL.Path[i:]]
	if !found {
		http.NotFound(w, r)
		return
	}

	fail, limited, ok := f.Take(r.Context())
	if !ok {
		return
	}
	if fail {
		http.Error(w, "fake wecom: injected failure", http.StatusInternalServerError)
		return
	}

	var res fakeResult
	switch {
	case limited:
		res = apiError(wecom.CodeRateLimited, "api freq out of limit")
	case r.Method != rt.method && rt.method == http.MethodGet:
		res = apiError(43001, "require GET method")
	case r.Method != rt.method:
		res = apiError(43002, "require POST method")
	default:
		body, err := io.ReadAll(io.LimitReader(r.Body, 2*wecom.MaxBodySize+1))
		switch {
		case err != nil:
			res = apiError(-1, "system busy")
		case len(body) > 2*wecom.MaxBodySize:
			res = apiError(45002, "content size out of limit")
		default:
			res = rt.h(r, body)
		}
	}
	if r.URL.Path[i:] != "/cgi-bin/gettoken" && f.LoseReply() {
		fault.Drop(w)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(res)
}

func (f *FakeServer) getToken(r *http.Request, _ []byte) fakeResult {
	q := r.URL.Query()
	corp, secret := q.Get("corpid"), q.Get("corpsecret")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	switch {
	case corp == "":
		return apiError(41002, "corpid missing")
	case corp != f.CorpID:
		return apiError(wecom.CodeInvalidCorpID, "invalid corpid")
	case secret == "":
		return apiError(41004, "corpsecret missing")
	case secret != f.Secret:
		return apiError(wecom.CodeInvalidCredential, "invalid credential")
	}
	now := f.now()
	if exp, ok := f.tokens[f.current]; f.current == "" || !ok || !now.Before(exp) {
		ttl := f.TokenTTL
		if ttl <= 0 {
			ttl = DefaultTokenTTL
		}
		f.current = randomHex(32)
		f.tokens[f.current] = now.Add(ttl)
		f.tokensIssued++
	}
	left := int64(f.tokens[f.current].Sub(now) / time.Second)
	return success(fakeResult{"access_token": f.current, "expires_in": left})
}

// checkToken validates access_token; callers hold f.mu.
func (f *FakeServer) checkToken(r *http.Request) fakeResult {
	t := r.URL.Query().Get("access_token")
	if t == "" {
		f.refused++
		return apiError(41001, "access_token missing")
	}
	exp, found := f.tokens[t]
	if !found {
		f.refused++
		return apiError(wecom.CodeInvalidToken, "invalid access_token")
	}
	if !f.now().Before(exp) {
		f.refused++
		return apiError(wecom.CodeTokenExpired, "access_token expired")
	}
	return nil
}

// decodeBody decodes a JSON object with numbers kept as json.Number.
func decodeBody(body []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

// checkAgent validates agentid, which WeCom takes as a number or a numeric string.
func (f *FakeServer) checkAgent(m map[string]any) fakeResult {
	a := jsonq.Str(m, "agentid")
	if a == "" {
		return apiError(41011, "missing agentid")
	}
	if n, err := strconv.ParseInt(a, 10, 64); err != nil || n != f.AgentID {
		return apiError(wecom.CodeInvalidAgentID, "invalid agentid")
	}
	return nil
}

// cardText returns the main title of a template card.
func cardText(m map[string]any, key string) string {
	if t := jsonq.Str(m, key, "main_title", "title"); t != "" {
		return t
	}
	return jsonq.Str(m, key, "main_title", "desc")
}

// checkCard validates a template_card object the way the real API does for
// the fields this project uses.
func checkCard(m map[string]any, key string) fakeResult {
	card, isMap := m[key].(map[string]any)
	if !isMap {
		return apiError(wecom.CodeInvalidParam, "invalid template_card")
	}
	switch jsonq.Str(card, "card_type") {
	case wecom.CardButtonInteraction:
		if id := jsonq.Str(card, "task_id"); id == "" || len(id) > TaskIDMax {
			return apiError(wecom.CodeTaskIDExists, taskIDExistsMsg)
		}
		buttons, _ := card["button_list"].([]any)
		if len(buttons) < 1 || len(buttons) > 6 {
			return apiError(wecom.CodeInvalidParam, "invalid template_card: button_list must have 1 to 6 buttons")
		}
		for _, b := range buttons {
			bm, _ := b.(map[string]any)
			if jsonq.Str(bm, "text") == "" || (jsonq.Str(bm, "key") == "" && jsonq.Str(bm, "type") != "1") {
				return apiError(wecom.CodeInvalidParam, "invalid template_card: button needs text and key")
			}
		}
	case wecom.CardTextNotice:
		if jsonq.Str(card, "card_action", "type") == "" {
			return apiError(wecom.CodeInvalidParam, "invalid template_card: card_action missing")
		}
	case "news_notice":
	case "vote_interaction", "multiple_interaction":
		if id := jsonq.Str(card, "task_id"); id == "" || len(id) > TaskIDMax {
			return apiError(wecom.CodeTaskIDExists, taskIDExistsMsg)
		}
	default:
		return apiError(wecom.CodeInvalidParam, "invalid template_card: card_type")
	}
	if cardText(m, key) == "" {
		return apiError(wecom.CodeInvalidParam, "invalid template_card: main_title missing")
	}
	return nil
}

func interactive(cardType string) bool {
	return cardType == wecom.CardButtonInteraction || cardType == "vote_interaction" || cardType == "multiple_interaction"
}

func (f *FakeServer) sendApp(r *http.Request, body []byte) fakeResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if e := f.checkToken(r); e != nil {
		return e
	}
	m, err := decodeBody(body)
	if err != nil {
		return apiError(47001, "data format error")
	}
	if e := f.checkAgent(m); e != nil {
		return e
	}
	msg := AppMessage{ToUser: jsonq.Str(m, "touser"), MsgType: jsonq.Str(m, "msgtype"), At: f.now(), raw: body}
	switch msg.MsgType {
	case "text":
		msg.Text = jsonq.Str(m, "text", "content")
		if msg.Text == "" {
			return apiError(44004, "empty content")
		}
	case "markdown":
		msg.Text = jsonq.Str(m, "markdown", "content")
		if msg.Text == "" {
			return apiError(44004, "empty content")
		}
	case "textcard":
		msg.Text = jsonq.Str(m, "textcard", "description")
		switch {
		case jsonq.Str(m, "textcard", "title") == "":
			return apiError(41016, "missing title")
		case msg.Text == "":
			return apiError(41033, "missing description")
		case jsonq.Str(m, "textcard", "url") == "":
			return apiError(41010, "missing url")
		}
	case "template_card":
		if e := checkCard(m, "template_card"); e != nil {
			return e
		}
		msg.Text = cardText(m, "template_card")
		msg.CardType = jsonq.Str(m, "template_card", "card_type")
		msg.TaskID = jsonq.Str(m, "template_card", "task_id")
		if msg.TaskID != "" && f.taskIDs[msg.TaskID] {
			return apiError(wecom.CodeTaskIDExists, taskIDExistsMsg)
		}
	case "file", "image":
		if e := f.checkMedia(m, &msg); e != nil {
			return e
		}
	default:
		return apiError(40008, "invalid message type")
	}

	// enable_duplicate_check: the same message to the same people within the
	// interval is accepted and not delivered again, as WeCom does.
	if num(m, "enable_duplicate_check") == 1 {
		interval := time.Duration(num(m, "duplicate_check_interval")) * time.Second
		if interval <= 0 {
			interval = 1800 * time.Second
		}
		key := dupKey(m)
		if at, ok := f.recentApp[key]; ok && f.now().Sub(at) < interval {
			return success(fakeResult{"msgid": randomHex(24), "invaliduser": ""})
		}
		if f.recentApp == nil {
			f.recentApp = map[string]time.Time{}
		}
		f.recentApp[key] = f.now()
	}

	var valid, invalid []string
	if msg.ToUser == "@all" {
		valid = []string{"@all"}
	} else {
		for _, u := range strings.Split(msg.ToUser, "|") {
			if u == "" {
				continue
			}
			if len(f.users) > 0 && !f.users[u] {
				invalid = append(invalid, u)
				continue
			}
			valid = append(valid, u)
		}
	}
	if len(valid) == 0 && jsonq.Str(m, "toparty") == "" && jsonq.Str(m, "totag") == "" {
		return apiError(81013, "user & party & tag all invalid")
	}

	msg.MsgID = randomHex(24)
	if msg.TaskID != "" {
		f.taskIDs[msg.TaskID] = true
	}
	extra := fakeResult{"msgid": msg.MsgID, "invaliduser": strings.Join(invalid, "|")}
	if msg.MsgType == "template_card" && interactive(msg.CardType) {
		msg.ResponseCode = f.issueResponseCode()
		extra["response_code"] = msg.ResponseCode
	}
	f.app = append(f.app, msg)
	return success(extra)
}

func (f *FakeServer) updateCard(r *http.Request, body []byte) fakeResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if e := f.checkToken(r); e != nil {
		return e
	}
	m, err := decodeBody(body)
	if err != nil {
		return apiError(47001, "data format error")
	}
	if e := f.checkAgent(m); e != nil {
		return e
	}
	u := CardUpdate{ResponseCode: jsonq.Str(m, "response_code"), At: f.now(), raw: body}
	if u.ResponseCode == "" {
		return apiError(wecom.CodeInvalidResponseCode, "invalid response_code: missing")
	}
	rc, found := f.responseCodes[u.ResponseCode]
	switch {
	case !found:
		return apiError(wecom.CodeInvalidResponseCode, "invalid response_code")
	case rc.used:
		return apiError(wecom.CodeInvalidResponseCode, "invalid response_code: already used")
	case !u.At.Before(rc.at.Add(ResponseCodeTTL)):
		return apiError(wecom.CodeInvalidResponseCode, "invalid response_code: expired")
	}
	if ids, isList := m["userids"].([]any); isList {
		for _, id := range ids {
			if s, isStr := id.(string); isStr {
				u.UserIDs = append(u.UserIDs, s)
			}
		}
	}
	switch {
	case m["button"] != nil:
		u.ReplaceName = jsonq.Str(m, "button", "replace_name")
		if u.ReplaceName == "" {
			return apiError(wecom.CodeInvalidParam, "invalid button: replace_name missing")
		}
	case m["template_card"] != nil:
		if e := checkCard(m, "template_card"); e != nil {
			return e
		}
		u.CardType = jsonq.Str(m, "template_card", "card_type")
	default:
		return apiError(wecom.CodeInvalidParam, "invalid parameter: button or template_card required")
	}
	rc.used = true
	f.updates = append(f.updates, u)
	return success(fakeResult{"invaliduser": []string{}})
}

func (f *FakeServer) sendGroup(r *http.Request, body []byte) fakeResult {
	key := r.URL.Query().Get("key")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	sent, known := f.webhooks[key]
	if key == "" || !known {
		return apiError(wecom.CodeInvalidWebhook, "invalid webhook url")
	}
	m, err := decodeBody(body)
	if err != nil {
		return apiError(47001, "data format error")
	}
	now := f.now()
	recent := sent[:0]
	for _, t := range sent {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	f.webhooks[key] = recent
	limit := f.GroupLimit
	if limit <= 0 {
		limit = GroupRateLimit
	}
	if len(recent) >= limit {
		return apiError(wecom.CodeRateLimited, "api freq out of limit")
	}
	msg := GroupMessage{Key: key, MsgType: jsonq.Str(m, "msgtype"), At: now, raw: body}
	switch msg.MsgType {
	case "text":
		msg.Text = jsonq.Str(m, "text", "content")
		if msg.Text == "" {
			return apiError(44004, "empty content")
		}
		if len(msg.Text) > wecom.GroupTextMax {
			return apiError(wecom.CodeInvalidParam, fmt.Sprintf("invalid text: content exceed max length %d", wecom.GroupTextMax))
		}
	case "markdown":
		msg.Text = jsonq.Str(m, "markdown", "content")
		if msg.Text == "" {
			return apiError(44004, "empty content")
		}
		if len(msg.Text) > wecom.GroupMarkdownMax {
			return apiError(wecom.CodeInvalidParam, fmt.Sprintf("invalid markdown: content exceed max length %d", wecom.GroupMarkdownMax))
		}
	case "template_card":
		if e := checkCard(m, "template_card"); e != nil {
			return e
		}
		msg.Text = cardText(m, "template_card")
	case "file", "voice":
		if jsonq.Str(m, msg.MsgType, "media_id") == "" {
			return apiError(40007, "invalid media_id")
		}
	case "image":
		if e := checkGroupImage(m, &msg); e != nil {
			return e
		}
	case "markdown_v2":
		if e := f.checkMarkdownV2(m, &msg); e != nil {
			return e
		}
	case "news":
	default:
		return apiError(40008, "invalid message type")
	}
	f.webhooks[key] = append(recent, now)
	f.group[key] = append(f.group[key], msg)
	return success(nil)
}

func (f *FakeServer) getUserInfo(r *http.Request, _ []byte) fakeResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if e := f.checkToken(r); e != nil {
		return e
	}
	code := r.URL.Query().Get("code")
	if code == "" {
		return apiError(41008, "missing code")
	}
	c, found := f.oauth[code]
	if !found || c.used || !f.now().Before(c.at.Add(OAuthCodeTTL)) {
		return apiError(wecom.CodeInvalidCode, "invalid code")
	}
	c.used = true
	return success(fakeResult{"userid": c.userID, "user_ticket": randomHex(16)})
}

// num reads a JSON number field of m (0 when absent).
func num(m map[string]any, key string) int64 {
	switch v := m[key].(type) {
	case float64:
		return int64(v)
	case json.Number:
		n, _ := v.Int64()
		return n
	}
	return 0
}

// dupKey is what WeCom's duplicate check compares: the message less the
// check's own settings.
func dupKey(m map[string]any) string {
	c := map[string]any{}
	for k, v := range m {
		switch k {
		case "enable_duplicate_check", "duplicate_check_interval":
			continue
		}
		c[k] = v
	}
	b, _ := json.Marshal(c)
	return string(b)
}
