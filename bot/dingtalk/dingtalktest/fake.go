package dingtalktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"minsheng/bot/dingtalk"
	"minsheng/bot/internal/fault"
	"minsheng/bot/internal/jsonq"
)

// Limits and lifetimes of the real service that FakeServer enforces.
const (
	DefaultTokenTTL = 7200 * time.Second // app and user access tokens (expireIn)
	AuthCodeTTL     = 5 * time.Minute    // a 免登 or OAuth auth code
	GroupRateLimit  = 20                 // custom robot messages per webhook per minute
	maxMsgParam     = 15000              // bytes of msgParam
)

// FakeServer is an in-process fake of DingTalk for tests, serving both hosts
// and the robot webhooks from one http.Handler: mount it under any prefix
// (routes match on the path's end) and point Client.APIBase and
// Client.OAPIBase at it. It checks tokens, signatures, timestamps, robot codes
// and rate limits the way DingTalk does and answers with DingTalk's bodies,
// statuses and codes. It is safe for concurrent use; set the exported fields
// before serving (NewFakeServer fills the defaults).
//
// Routes:
//
//	POST …/v1.0/oauth2/accessToken            app token
//	POST …/v1.0/robot/oToMessages/batchSend   robot 1:1 messages
//	POST …/v1.0/oauth2/userAccessToken        OAuth code → user token
//	GET  …/v1.0/contact/users/me              user token → unionId
//	POST …/topapi/v2/user/getuserinfo         免登 code → userid (old API)
//	POST …/robot/send?access_token=…          custom group robot webhook
//	POST …/robot/sendBySession?session=…      session webhook (also …/session/<id>)
type FakeServer struct {
	AppKey       string
	AppSecret    string
	RobotCode    string
	URL          string           // where the fake is served, e.g. srv.URL+"/dt"; NewSession builds on it
	TokenTTL     time.Duration    // 0 means DefaultTokenTTL
	GroupLimit   int              // per webhook per minute; 0 means GroupRateLimit
	GroupPenalty time.Duration    // 0 means dingtalk.DefaultGroupPenalty
	SessionTTL   time.Duration    // 0 means dingtalk.DefaultSessionTTL
	Now          func() time.Time // the clock for every lifetime and window; nil means time.Now

	mu         sync.Mutex
	tokens     map[string]time.Time // app token → expiry
	current    string
	issued     int
	userTokens map[string]userToken
	users      map[string]bool
	filtered   map[string]bool
	hooks      map[string]*webhook
	sessions   map[string]time.Time // session id → expiry
	codes      map[string]*authCode
	robot      []RobotMessage
	group      map[string][]GroupMessage
	replies    []SessionReply
	// FailNext, RateLimitNext and SetDelay inject faults. Throttled, the
	// fake answers as DingTalk does: errcode 130101 on the robot webhooks,
	// errcode 90018 on the old API, and HTTP 403
	// Forbidden.AccessDenied.QpsLimitForAppkeyAndApi on the new API.
	fault.Injector
}

type userToken struct {
	userID  string
	expires time.Time
}

type webhook struct {
	secret  string
	sent    []time.Time // accepted in the last minute
	blocked time.Time   // rate-limited until
}

type authCode struct {
	userID string
	issued time.Time
	used   bool
}

// Button is one button of an actionCard.
type Button struct {
	Title string
	URL   string
}

// Posted is a message a robot webhook accepted, in the custom robot format.
type Posted struct {
	MsgType   string   // "text", "markdown", "actionCard", "link", "feedCard"
	Title     string   // markdown, actionCard and link title
	Text      string   // text content; markdown, actionCard and link text
	Buttons   []Button // actionCard: btns, or the single button
	AtUserIDs []string // at.atUserIds
	At        time.Time
	Raw       map[string]any // the decoded body, a fresh copy per call
	raw       []byte
}

// GroupMessage is one message a custom group robot webhook accepted.
type GroupMessage struct {
	Token string // the webhook's access_token
	Posted
}

// SessionReply is one message a session webhook accepted.
type SessionReply struct {
	Session string // the session id
	Posted
}

// RobotMessage is one accepted oToMessages/batchSend call.
type RobotMessage struct {
	ProcessQueryKey string
	RobotCode       string
	UserIDs         []string // the recipients reached
	MsgKey          string
	Param           map[string]any // msgParam, decoded (a fresh copy per call)
	At              time.Time
	param           string
}

// NewFakeServer returns a FakeServer for one app and its robot.
func NewFakeServer(appKey, appSecret, robotCode string) *FakeServer {
	return &FakeServer{
		AppKey: appKey, AppSecret: appSecret, RobotCode: robotCode,
		TokenTTL: DefaultTokenTTL, GroupLimit: GroupRateLimit,
		GroupPenalty: dingtalk.DefaultGroupPenalty, SessionTTL: dingtalk.DefaultSessionTTL,
	}
}

func (f *FakeServer) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// setup allocates the maps; callers hold f.mu.
func (f *FakeServer) setup() {
	if f.tokens != nil {
		return
	}
	f.tokens = map[string]time.Time{}
	f.userTokens = map[string]userToken{}
	f.users = map[string]bool{}
	f.filtered = map[string]bool{}
	f.hooks = map[string]*webhook{}
	f.sessions = map[string]time.Time{}
	f.codes = map[string]*authCode{}
	f.group = map[string][]GroupMessage{}
}

func (f *FakeServer) tokenTTL() time.Duration {
	if f.TokenTTL > 0 {
		return f.TokenTTL
	}
	return DefaultTokenTTL
}

func nonce(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

// AddUsers registers member userids. Once any are registered, batchSend
// lists others in invalidStaffIdList; with none, every userid is a member.
func (f *FakeServer) AddUsers(userIDs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	for _, u := range userIDs {
		f.users[u] = true
	}
}

// FilterUsers makes batchSend list the userids in filteredStaffIdList and
// not deliver to them, as DingTalk does for members it keeps from the
// robot's messages.
func (f *FakeServer) FilterUsers(userIDs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	for _, u := range userIDs {
		f.filtered[u] = true
	}
}

// AddWebhook registers a custom group robot by the access_token of its
// webhook URL. With a secret, every call must carry timestamp and sign
// (errcode 310000 otherwise); with "", none is checked. Other tokens get
// errcode 300005.
func (f *FakeServer) AddWebhook(token, secret string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	f.hooks[token] = &webhook{secret: secret}
}

// NewSession mints a session webhook URL, as DingTalk puts in a callback's
// sessionWebhook, valid for SessionTTL. It is URL + "/robot/sendBySession?session=<id>".
func (f *FakeServer) NewSession() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	ttl := f.SessionTTL
	if ttl <= 0 {
		ttl = dingtalk.DefaultSessionTTL
	}
	id := nonce(16)
	f.sessions[id] = f.now().Add(ttl)
	return strings.TrimRight(f.URL, "/") + "/robot/sendBySession?session=" + id
}

// IssueAuthCode returns a fresh auth code for member userID, single-use and
// valid AuthCodeTTL. It works once at either getuserinfo (→ userID) or
// userAccessToken (→ a user token whose users/me is UnionIDOf(userID)).
func (f *FakeServer) IssueAuthCode(userID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	code := nonce(16)
	f.codes[code] = &authCode{userID: userID, issued: f.now()}
	return code
}

// UnionIDOf returns the unionId the fake reports for member userID.
func (f *FakeServer) UnionIDOf(userID string) string {
	sum := sha256.Sum256([]byte("union\x00" + userID))
	return hex.EncodeToString(sum[:12])
}

// ExpireTokens makes every access token issued so far, app and user, expired.
func (f *FakeServer) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	past := f.now().Add(-time.Second)
	for t := range f.tokens {
		f.tokens[t] = past
	}
	for t, u := range f.userTokens {
		u.expires = past
		f.userTokens[t] = u
	}
	f.current = ""
}

// TokensIssued returns how many distinct app access tokens have been issued.
func (f *FakeServer) TokensIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued
}

// decodeObject decodes a JSON object, keeping numbers as json.Number.
func decodeObject(b []byte) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

func (p Posted) clone() Posted {
	p.Raw, _ = decodeObject(p.raw) // decoded once already, when accepted
	p.Buttons = append([]Button(nil), p.Buttons...)
	p.AtUserIDs = append([]string(nil), p.AtUserIDs...)
	return p
}

// RobotMessages returns copies of the accepted batchSend calls, oldest first.
func (f *FakeServer) RobotMessages() []RobotMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]RobotMessage, len(f.robot))
	for i, m := range f.robot {
		m.Param, _ = decodeObject([]byte(m.param))
		m.UserIDs = append([]string(nil), m.UserIDs...)
		out[i] = m
	}
	return out
}

// GroupMessages returns copies of the messages the webhook with token
// accepted, oldest first.
func (f *FakeServer) GroupMessages(token string) []GroupMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]GroupMessage, len(f.group[token]))
	for i, m := range f.group[token] {
		out[i] = GroupMessage{Token: m.Token, Posted: m.Posted.clone()}
	}
	return out
}

// SessionReplies returns copies of the messages every session webhook
// accepted, oldest first.
func (f *FakeServer) SessionReplies() []SessionReply {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]SessionReply, len(f.replies))
	for i, r := range f.replies {
		out[i] = SessionReply{Session: r.Session, Posted: r.Posted.clone()}
	}
	return out
}

// answer is a response: an HTTP status and a JSON body.
type answer struct {
	status int
	body   map[string]any
}

// apiFail is a new-API error: an HTTP status and {"code", "message"}.
func apiFail(status int, code, msg string) answer {
	return answer{status, map[string]any{"code": code, "message": msg, "requestid": strings.ToUpper(nonce(8))}}
}

// errcodeFail is an old-API or webhook error: HTTP 200 and {"errcode", "errmsg"}.
func errcodeFail(code int, msg string) answer {
	return answer{http.StatusOK, map[string]any{"errcode": code, "errmsg": msg}}
}

// oapiAuthFail is the old API's wrapped authentication error (errcode 88).
func oapiAuthFail(sub, msg string) answer {
	return answer{http.StatusOK, map[string]any{
		"errcode": 88, "sub_code": sub, "sub_msg": msg,
		"errmsg": "ding talk error[subcode=" + sub + ",submsg=" + msg + "]", "request_id": nonce(6),
	}}
}

func okWith(body map[string]any) answer {
	if body == nil {
		body = map[string]any{"errcode": 0, "errmsg": "ok"}
	}
	return answer{http.StatusOK, body}
}

// family says which error style a route speaks.
type family int

const (
	newAPI   family = iota // api.dingtalk.com: HTTP status + code
	oldAPI                 // oapi.dingtalk.com/topapi: errcode
	robotAPI               // webhooks: errcode
)

type route struct {
	method string
	fam    family
	serve  func(*http.Request, []byte) answer
}

// ServeHTTP implements http.Handler.
func (f *FakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	routes := []struct {
		suffix string
		route
	}{
		{"/v1.0/oauth2/accessToken", route{http.MethodPost, newAPI, f.appToken}},
		{"/v1.0/oauth2/userAccessToken", route{http.MethodPost, newAPI, f.userAccessToken}},
		{"/v1.0/contact/users/me", route{http.MethodGet, newAPI, f.usersMe}},
		{"/v1.0/robot/oToMessages/batchSend", route{http.MethodPost, newAPI, f.batchSend}},
		{"/topapi/v2/user/getuserinfo", route{http.MethodPost, oldAPI, f.getUserInfo}},
		{"/robot/send", route{http.MethodPost, robotAPI, f.robotSend}},
		{"/robot/sendBySession", route{http.MethodPost, robotAPI, f.sessionSend}},
	}
	var rt *route
	for i := range routes {
		if strings.HasSuffix(r.URL.Path, routes[i].suffix) {
			rt = &routes[i].route
			break
		}
	}
	if rt == nil {
		if i := strings.LastIndex(r.URL.Path, "/session/"); i >= 0 && !strings.Contains(r.URL.Path[i+len("/session/"):], "/") {
			rt = &route{http.MethodPost, robotAPI, f.sessionSend}
		} else {
			http.NotFound(w, r)
			return
		}
	}

	fail, limited, ok := f.Take(r.Context())
	if !ok {
		return
	}

	var a answer
	switch {
	case fail && rt.fam == newAPI:
		a = apiFail(http.StatusInternalServerError, "unknownError", "未知错误")
	case fail:
		http.Error(w, "fake dingtalk: injected failure", http.StatusInternalServerError)
		return
	case limited && rt.fam == newAPI:
		a = apiFail(http.StatusForbidden, dingtalk.CodeQPSLimitApp, "应用调用该接口的QPS超过限制")
	case limited && rt.fam == oldAPI:
		a = errcodeFail(90018, "您的企业调用该接口频率过高")
	case limited:
		a = errcodeFail(130101, "send too fast, exceed 20 times per minute")
	case r.Method != rt.method && rt.fam == newAPI:
		a = apiFail(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	case r.Method != rt.method:
		a = errcodeFail(43002, "需要POST请求")
	default:
		body, err := io.ReadAll(io.LimitReader(r.Body, 2*dingtalk.MaxBodySize+1))
		if err != nil || len(body) > 2*dingtalk.MaxBodySize {
			http.Error(w, "fake dingtalk: body too large", http.StatusRequestEntityTooLarge)
			return
		}
		a = rt.serve(r, body)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(a.body)
}

func (f *FakeServer) appToken(_ *http.Request, body []byte) answer {
	var in struct {
		AppKey    string `json:"appKey"`
		AppSecret string `json:"appSecret"`
	}
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &in) != nil {
		return apiFail(http.StatusBadRequest, "MissingBody", "body is mandatory for this action.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	if in.AppKey != f.AppKey || in.AppSecret != f.AppSecret || in.AppKey == "" {
		return apiFail(http.StatusBadRequest, dingtalk.CodeInvalidClient, "无效的clientId或者clientSecret")
	}
	now, ttl := f.now(), f.tokenTTL()
	if exp, ok := f.tokens[f.current]; !ok || !now.Before(exp) {
		f.current = nonce(16)
		f.issued++
	}
	// Within its lifetime the same token comes back, renewed.
	f.tokens[f.current] = now.Add(ttl)
	return okWith(map[string]any{"accessToken": f.current, "expireIn": int64(ttl / time.Second)})
}

// checkAppToken validates the new API's token header; callers hold f.mu.
func (f *FakeServer) checkAppToken(r *http.Request) (answer, bool) {
	tok := r.Header.Get("x-acs-dingtalk-access-token")
	if tok == "" {
		return apiFail(http.StatusBadRequest, dingtalk.CodeMissingToken, "缺少参数：x-acs-dingtalk-access-token"), false
	}
	if exp, ok := f.tokens[tok]; !ok || !f.now().Before(exp) {
		return apiFail(http.StatusBadRequest, dingtalk.CodeInvalidAuthentication, "不合法的access_token"), false
	}
	return answer{}, true
}

// paramFields lists the msgParam fields each robot template requires.
var paramFields = map[string][]string{
	"sampleText":        {"content"},
	"sampleMarkdown":    {"title", "text"},
	"sampleActionCard":  {"title", "text", "singleTitle", "singleURL"},
	"sampleActionCard2": {"title", "text", "actionTitle1", "actionURL1", "actionTitle2", "actionURL2"},
	"sampleActionCard3": {"title", "text", "actionTitle1", "actionURL1", "actionTitle2", "actionURL2", "actionTitle3", "actionURL3"},
	"sampleActionCard4": {"title", "text", "actionTitle1", "actionURL1", "actionTitle4", "actionURL4"},
	"sampleActionCard5": {"title", "text", "actionTitle1", "actionURL1", "actionTitle5", "actionURL5"},
	"sampleActionCard6": {"title", "text", "buttonTitle1", "buttonUrl1", "buttonTitle2", "buttonUrl2"},
	"sampleImageMsg":    {"photoURL"},
	"sampleLink":        {"text", "title", "messageUrl"},
	"sampleAudio":       {"mediaId", "duration"},
	"sampleFile":        {"mediaId", "fileName", "fileType"},
	"sampleVideo":       {"duration", "videoMediaId", "videoType"},
}

func (f *FakeServer) batchSend(r *http.Request, body []byte) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	if a, ok := f.checkAppToken(r); !ok {
		return a
	}
	var in struct {
		RobotCode string   `json:"robotCode"`
		UserIDs   []string `json:"userIds"`
		MsgKey    string   `json:"msgKey"`
		MsgParam  string   `json:"msgParam"`
	}
	if json.Unmarshal(body, &in) != nil {
		return apiFail(http.StatusBadRequest, "invalidParameter", "请求参数格式错误")
	}
	if in.RobotCode != f.RobotCode {
		return apiFail(http.StatusBadRequest, dingtalk.CodeRobotCodeMismatch, "robotCode与应用不匹配")
	}
	if len(in.UserIDs) == 0 || len(in.UserIDs) > dingtalk.BatchSendMaxUsers {
		return apiFail(http.StatusBadRequest, "invalidParameter.userIds.invalid", "userIds不能为空且不能超过20个")
	}
	need, known := paramFields[in.MsgKey]
	if !known {
		return apiFail(http.StatusBadRequest, "invalidParameter.msgKey.invalid", "msgKey无效")
	}
	param, isObject := decodeObject([]byte(in.MsgParam))
	if !isObject || len(in.MsgParam) > maxMsgParam {
		return apiFail(http.StatusBadRequest, "invalidParameter.msgParam.invalid", "msgParam必须是json格式")
	}
	for _, k := range need {
		if jsonq.Str(param, k) == "" {
			return apiFail(http.StatusBadRequest, "invalidParameter.msgParam.invalid", "msgParam缺少"+k)
		}
	}
	valid, invalid, filtered := []string{}, []string{}, []string{}
	for _, u := range in.UserIDs {
		switch {
		case len(f.users) > 0 && !f.users[u]:
			invalid = append(invalid, u)
		case f.filtered[u]:
			filtered = append(filtered, u)
		default:
			valid = append(valid, u)
		}
	}
	key := nonce(16)
	if len(valid) > 0 {
		f.robot = append(f.robot, RobotMessage{
			ProcessQueryKey: key, RobotCode: in.RobotCode, UserIDs: valid,
			MsgKey: in.MsgKey, At: f.now(), param: in.MsgParam,
		})
	}
	return okWith(map[string]any{"processQueryKey": key, "invalidStaffIdList": invalid,
		"flowControlledStaffIdList": []string{}, "filteredStaffIdList": filtered})
}

// takeCode consumes an auth code; callers hold f.mu.
func (f *FakeServer) takeCode(code string) (string, bool) {
	c, ok := f.codes[code]
	if !ok || c.used || !f.now().Before(c.issued.Add(AuthCodeTTL)) {
		return "", false
	}
	c.used = true
	return c.userID, true
}

func (f *FakeServer) userAccessToken(_ *http.Request, body []byte) answer {
	var in struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
		Code         string `json:"code"`
		GrantType    string `json:"grantType"`
	}
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &in) != nil {
		return apiFail(http.StatusBadRequest, "MissingBody", "body is mandatory for this action.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	switch {
	case in.ClientID != f.AppKey || in.ClientSecret != f.AppSecret || in.ClientID == "":
		return apiFail(http.StatusBadRequest, dingtalk.CodeInvalidClient, "无效的clientId或者clientSecret")
	case in.GrantType != "authorization_code":
		return apiFail(http.StatusBadRequest, "invalidParameter.grantType", "不支持的grantType")
	}
	userID, ok := f.takeCode(in.Code)
	if !ok {
		return apiFail(http.StatusBadRequest, "invalidAuthCode", "不合法的临时授权码")
	}
	tok, ttl := nonce(16), f.tokenTTL()
	f.userTokens[tok] = userToken{userID: userID, expires: f.now().Add(ttl)}
	return okWith(map[string]any{"accessToken": tok, "refreshToken": nonce(16), "expireIn": int64(ttl / time.Second), "corpId": "dingcorp0001"})
}

func (f *FakeServer) usersMe(r *http.Request, _ []byte) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	tok := r.Header.Get("x-acs-dingtalk-access-token")
	if tok == "" {
		return apiFail(http.StatusBadRequest, dingtalk.CodeMissingToken, "缺少参数：x-acs-dingtalk-access-token")
	}
	u, ok := f.userTokens[tok]
	if !ok || !f.now().Before(u.expires) {
		return apiFail(http.StatusBadRequest, dingtalk.CodeInvalidAuthentication, "不合法的access_token")
	}
	return okWith(map[string]any{"nick": u.userID, "unionId": f.UnionIDOf(u.userID), "openId": "open-" + f.UnionIDOf(u.userID), "avatarUrl": "", "stateCode": "86"})
}

func (f *FakeServer) getUserInfo(r *http.Request, body []byte) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		return oapiAuthFail("40000", "access_token is blank")
	}
	exp, ok := f.tokens[tok]
	if !ok {
		return oapiAuthFail(oapiTokenBad, "不合法的access_token")
	}
	if !f.now().Before(exp) {
		return oapiAuthFail(oapiTokenOld, "access_token超时")
	}
	in, isObject := decodeObject(body)
	if !isObject || jsonq.Str(in, "code") == "" {
		return errcodeFail(40035, "缺少参数 code")
	}
	userID, valid := f.takeCode(jsonq.Str(in, "code"))
	if !valid {
		return errcodeFail(40078, "不存在的临时授权码")
	}
	return okWith(map[string]any{
		"errcode": 0, "errmsg": "ok", "request_id": nonce(6),
		"result": map[string]any{
			"userid": userID, "unionid": f.UnionIDOf(userID), "associated_unionid": "",
			"name": userID, "device_id": nonce(8), "sys": false, "sys_level": 0,
		},
	})
}

// parsePosted validates a custom-robot-format message as the webhooks do.
func parsePosted(r *http.Request, body []byte, now time.Time) (Posted, answer, bool) {
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json") {
		return Posted{}, errcodeFail(43004, "无效的HTTP HEADER Content-Type"), false
	}
	m, isObject := decodeObject(body)
	if !isObject {
		return Posted{}, errcodeFail(400002, "invalid parameter: body is not a JSON object"), false
	}
	p := Posted{MsgType: jsonq.Str(m, "msgtype"), At: now, raw: body}
	missing := func(what string) (Posted, answer, bool) {
		return Posted{}, errcodeFail(400002, "invalid parameter: "+what), false
	}
	switch p.MsgType {
	case "text":
		if p.Text = jsonq.Str(m, "text", "content"); p.Text == "" {
			return missing("text.content")
		}
	case "markdown":
		p.Title, p.Text = jsonq.Str(m, "markdown", "title"), jsonq.Str(m, "markdown", "text")
		if p.Title == "" || p.Text == "" {
			return missing("markdown.title and markdown.text")
		}
	case "actionCard":
		p.Title, p.Text = jsonq.Str(m, "actionCard", "title"), jsonq.Str(m, "actionCard", "text")
		if p.Title == "" || p.Text == "" {
			return missing("actionCard.title and actionCard.text")
		}
		if t := jsonq.Str(m, "actionCard", "singleTitle"); t != "" {
			p.Buttons = []Button{{Title: t, URL: jsonq.Str(m, "actionCard", "singleURL")}}
		} else {
			card, _ := m["actionCard"].(map[string]any)
			btns, _ := card["btns"].([]any)
			for _, b := range btns {
				bm, _ := b.(map[string]any)
				p.Buttons = append(p.Buttons, Button{Title: jsonq.Str(bm, "title"), URL: jsonq.Str(bm, "actionURL")})
			}
		}
		if len(p.Buttons) == 0 {
			return missing("actionCard needs singleTitle and singleURL, or btns")
		}
		for _, b := range p.Buttons {
			if b.Title == "" || b.URL == "" {
				return missing("actionCard button needs a title and a URL")
			}
		}
	case "link":
		p.Title, p.Text = jsonq.Str(m, "link", "title"), jsonq.Str(m, "link", "text")
		if p.Title == "" || p.Text == "" || jsonq.Str(m, "link", "messageUrl") == "" {
			return missing("link.title, link.text and link.messageUrl")
		}
	case "feedCard":
		if links, _ := m["feedCard"].(map[string]any)["links"].([]any); len(links) == 0 {
			return missing("feedCard.links")
		}
	default:
		return Posted{}, errcodeFail(400105, "不支持的消息类型"), false
	}
	if at, isMap := m["at"].(map[string]any); isMap {
		ids, _ := at["atUserIds"].([]any)
		for _, id := range ids {
			if s, isStr := id.(string); isStr {
				p.AtUserIDs = append(p.AtUserIDs, s)
			}
		}
	}
	return p, answer{}, true
}

func (f *FakeServer) robotSend(r *http.Request, body []byte) answer {
	q := r.URL.Query()
	token := q.Get("access_token")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	h, known := f.hooks[token]
	if token == "" || !known {
		return errcodeFail(300005, "token is not exist")
	}
	now := f.now()
	if h.secret != "" {
		ts := q.Get("timestamp")
		ms, ok := millis(ts)
		if !ok || now.Sub(time.UnixMilli(ms)).Abs() > dingtalk.DefaultMaxSkew {
			return errcodeFail(310000, "invalid timestamp")
		}
		if !hmac.Equal([]byte(q.Get("sign")), []byte(sign(h.secret, ts))) {
			return errcodeFail(310000, "sign not match")
		}
	}
	if now.Before(h.blocked) {
		return errcodeFail(130101, "send too fast, exceed 20 times per minute")
	}
	recent := h.sent[:0]
	for _, t := range h.sent {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	h.sent = recent
	limit, penalty := f.GroupLimit, f.GroupPenalty
	if limit <= 0 {
		limit = GroupRateLimit
	}
	if penalty <= 0 {
		penalty = dingtalk.DefaultGroupPenalty
	}
	if len(recent) >= limit {
		h.blocked = now.Add(penalty)
		return errcodeFail(130101, "send too fast, exceed 20 times per minute")
	}
	p, fail, ok := parsePosted(r, body, now)
	if !ok {
		return fail
	}
	h.sent = append(h.sent, now)
	f.group[token] = append(f.group[token], GroupMessage{Token: token, Posted: p})
	return okWith(nil)
}

func (f *FakeServer) sessionSend(r *http.Request, body []byte) answer {
	id := r.URL.Query().Get("session")
	if i := strings.LastIndex(r.URL.Path, "/session/"); i >= 0 {
		id = r.URL.Path[i+len("/session/"):]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setup()
	now := f.now()
	if exp, ok := f.sessions[id]; id == "" || !ok || !now.Before(exp) {
		return errcodeFail(300001, "session 不存在")
	}
	p, fail, ok := parsePosted(r, body, now)
	if !ok {
		return fail
	}
	f.replies = append(f.replies, SessionReply{Session: id, Posted: p})
	return okWith(nil)
}

// Old-API sub_codes for a bad and an expired access token.
const (
	oapiTokenBad = "40014"
	oapiTokenOld = "42001"
)

// sign is DingTalk's signature over the timestamp as the caller wrote it:
// base64(HmacSHA256(key=secret, msg=ts+"\n"+secret)).
func sign(secret, ts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// millis reads a millisecond timestamp as DingTalk takes it: 1 to 19 ASCII
// digits.
func millis(s string) (int64, bool) {
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
