package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot"
	"minsheng/models"
)

// The mobile case page (H5): GET /case/<no> shows a case to a member, with
// the buttons they may press; POST /case/<no>/act presses one. The member is
// known by a signed link from a card (bot.LinkSettings), by WeCom OAuth, or
// by the session cookie either of them set. Forms carry a CSRF token tied to
// that session.

// OAuthClient exchanges the code of WeCom's OAuth redirect for the member's
// userid; wecom.Client is one.
type OAuthClient interface {
	UserID(ctx context.Context, code string) (string, error)
}

// H5Config is what the case page needs.
type H5Config struct {
	// Secret signs the session cookie and the forms' CSRF tokens.
	Secret []byte
	// SessionTTL is how long a session lasts once opened.
	SessionTTL time.Duration
	// OAuth, when set, identifies members who come without a valid link
	// through WeCom OAuth (snsapi_base).
	OAuth OAuthClient
	// AuthorizeURL is WeCom's OAuth page
	// (https://open.weixin.qq.com/connect/oauth2/authorize).
	AuthorizeURL    string
	CorpID, AgentID string
	// PublicURL is this server as members' phones reach it; OAuth returns there.
	PublicURL string
}

var h5Pages = template.Must(template.ParseFS(webFS, "web/h5/*.html"))

// Cookie names of the case page.
const (
	sessionCookie = "ms_h5"
	stateCookie   = "ms_oauth"
	flashCookie   = "ms_flash"
)

type h5Handler struct {
	cfg H5Config
	bot *bot.Bot
	now func() time.Time
}

// h5MAC is HMAC-SHA256 over the parts with a purpose in front.
func h5MAC(secret []byte, purpose string, parts ...string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// h5Session is a member signed in on the case page.
type h5Session struct {
	member uint64
	nonce  string
}

func (h *h5Handler) secure() bool { return strings.HasPrefix(h.cfg.PublicURL, "https://") }

func (h *h5Handler) setCookie(c *gin.Context, name, value, path string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// startSession sets the session cookie for member m.
func (h *h5Handler) startSession(c *gin.Context, m *models.Member) {
	id := strconv.FormatUint(m.ID, 10)
	exp := strconv.FormatInt(h.now().Add(h.cfg.SessionTTL).Unix(), 10)
	nonce := randomToken(12)
	v := id + "." + exp + "." + nonce + "." + h5MAC(h.cfg.Secret, "minsheng/h5-session", id, exp, nonce)
	h.setCookie(c, sessionCookie, v, "/case/", int(h.cfg.SessionTTL/time.Second))
}

// session reads the session cookie; nil when absent, forged or expired.
func (h *h5Handler) session(c *gin.Context) *h5Session {
	v, err := c.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	p := strings.Split(v, ".")
	if len(p) != 4 || !hmac.Equal([]byte(p[3]), []byte(h5MAC(h.cfg.Secret, "minsheng/h5-session", p[0], p[1], p[2]))) {
		return nil
	}
	id, err1 := strconv.ParseUint(p[0], 10, 64)
	exp, err2 := strconv.ParseInt(p[1], 10, 64)
	if err1 != nil || err2 != nil || !h.now().Before(time.Unix(exp, 0)) {
		return nil
	}
	return &h5Session{member: id, nonce: p[2]}
}

// csrf is the token the forms of case no carry for session s.
func (h *h5Handler) csrf(s *h5Session, no string) string {
	return h5MAC(h.cfg.Secret, "minsheng/h5-csrf", s.nonce, no)
}

func (h *h5Handler) caseURL(no string) string {
	return strings.TrimRight(h.cfg.PublicURL, "/") + "/case/" + no
}

// oauth sends the browser to WeCom's OAuth page, which comes back to the
// case page with a code; the state cookie ties the answer to this browser.
func (h *h5Handler) oauth(c *gin.Context, no string) {
	state := randomToken(12)
	h.setCookie(c, stateCookie, state, "/case/", 600)
	q := url.Values{
		"appid": {h.cfg.CorpID}, "redirect_uri": {h.caseURL(no)}, "response_type": {"code"},
		"scope": {"snsapi_base"}, "state": {state}, "agentid": {h.cfg.AgentID},
	}
	c.Redirect(http.StatusFound, h.cfg.AuthorizeURL+"?"+q.Encode()+"#wechat_redirect")
}

// h5Error is the page of a refusal.
type h5Error struct {
	Title, Text string
}

func (h *h5Handler) fail(c *gin.Context, status int, title, text string) {
	h.headers(c)
	c.Status(status)
	if err := h5Pages.ExecuteTemplate(c.Writer, "error.html", h5Error{Title: title, Text: text}); err != nil {
		logger(c).Error("render case page error", "err", err)
	}
}

func (h *h5Handler) headers(c *gin.Context) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; base-uri 'none'")
}

// identify signs the member in from a link token or an OAuth code and sends
// the browser back to the bare page URL, so the token leaves the address
// bar. done is true when it has answered the request.
func (h *h5Handler) identify(c *gin.Context, no string) (done bool) {
	ctx := c.Request.Context()
	if t := c.Query(bot.LinkParam); t != "" {
		id, err := h.bot.Settings.Links.Verify(t, no, h.now())
		switch {
		case errors.Is(err, bot.ErrLinkExpired):
			if h.cfg.OAuth != nil {
				h.oauth(c, no)
				return true
			}
			h.fail(c, http.StatusForbidden, "链接已过期", "请在企业微信中重新打开消息，或在应用中发送“查 "+no+"”。")
			return true
		case err != nil:
			logger(c).Warn("case link rejected", "case_no", no, "err", err)
			h.fail(c, http.StatusForbidden, "链接无效", "此链接无效或已被改动。请从企业微信的消息卡片打开。")
			return true
		}
		m, err := h.bot.Viewer(ctx, id)
		if err != nil {
			h.fail(c, http.StatusForbidden, "无法打开", "您已不是本系统的成员。")
			return true
		}
		h.startSession(c, m)
		c.Redirect(http.StatusSeeOther, "/case/"+no+keepAction(c, no))
		return true
	}
	if code := c.Query("code"); code != "" && h.cfg.OAuth != nil {
		state, err := c.Cookie(stateCookie)
		if err != nil || state == "" || state != c.Query("state") {
			h.fail(c, http.StatusForbidden, "身份验证失败", "请从企业微信重新打开此页面。")
			return true
		}
		h.setCookie(c, stateCookie, "", "/case/", -1)
		uid, err := h.cfg.OAuth.UserID(ctx, code)
		if err != nil {
			logger(c).Warn("wecom oauth failed", "case_no", no, "err", err)
			h.fail(c, http.StatusForbidden, "身份验证失败", "企业微信未能确认您的身份，请重新打开此页面。")
			return true
		}
		m, err := h.bot.ViewerByUserID(ctx, models.PlatformWeCom, uid)
		if err != nil {
			h.fail(c, http.StatusForbidden, "无法打开", "您还不是本系统的成员，请联系问政办。")
			return true
		}
		h.startSession(c, m)
		c.Redirect(http.StatusSeeOther, "/case/"+no)
		return true
	}
	return false
}

// h5Action is a button of the page as the template draws it.
type h5Action struct {
	bot.PageAction
	ID string
	// Selected marks the action a card's button asked for (DingTalk cards
	// open the page with ?action=<verb>:<no>); it is shown open, never run:
	// acting takes the POST.
	Selected bool
}

// selectedVerb reads ?action=<verb>:<no>[:arg] for case no.
func selectedVerb(c *gin.Context, no string) bot.Verb {
	verb, rest, ok := strings.Cut(c.Query("action"), ":")
	if !ok {
		return ""
	}
	if n, _, _ := strings.Cut(rest, ":"); n != no {
		return ""
	}
	return bot.Verb(verb)
}

// keepAction carries a valid ?action= over the sign-in redirect.
func keepAction(c *gin.Context, no string) string {
	if selectedVerb(c, no) == "" {
		return ""
	}
	return "?action=" + url.QueryEscape(c.Query("action"))
}

// actionIDs give the page's buttons ASCII ids (for tests and styling).
var actionIDs = map[bot.Verb]string{
	bot.VerbApprove: "approve", bot.VerbRevise: "revise", bot.VerbExtApprove: "ext-approve", bot.VerbExtReject: "ext-reject",
	bot.VerbInstruct: "instruct", bot.VerbAck: "ack", bot.VerbAccept: "accept", bot.VerbProgress: "progress",
	bot.VerbAnswer: "answer", bot.VerbSupervise: "supervise",
}

// h5Page is what case.html draws.
type h5Page struct {
	V                  *bot.CaseView
	Actions            []h5Action
	CSRF, Nonce, Flash string
}

func (h *h5Handler) page(c *gin.Context) {
	no := c.Param("no")
	if !bot.ValidCaseNo(no) {
		h.fail(c, http.StatusNotFound, "没有这个编号", "请核对编号。")
		return
	}
	if h.identify(c, no) {
		return
	}
	s := h.session(c)
	if s == nil {
		if h.cfg.OAuth != nil {
			h.oauth(c, no)
			return
		}
		h.fail(c, http.StatusUnauthorized, "请从企业微信打开", "此页面需确认您的身份：请从企业微信的消息卡片打开。")
		return
	}
	ctx := c.Request.Context()
	m, err := h.bot.Viewer(ctx, s.member)
	if err != nil {
		h.setCookie(c, sessionCookie, "", "/case/", -1)
		h.fail(c, http.StatusForbidden, "无法打开", "您已不是本系统的成员。")
		return
	}
	v, err := h.bot.ViewCase(ctx, m, no)
	var r *bot.Refusal
	switch {
	case errors.As(err, &r):
		h.fail(c, http.StatusForbidden, "无权查看", r.Msg)
		return
	case errors.Is(err, models.ErrNotFound):
		h.fail(c, http.StatusNotFound, "没有这个编号", "没有编号为 "+no+" 的问题。")
		return
	case err != nil:
		logger(c).Error("case page", "case_no", no, "err", err)
		h.fail(c, http.StatusInternalServerError, "系统繁忙", "请稍后再试。")
		return
	}
	p := h5Page{V: v, CSRF: h.csrf(s, no), Nonce: randomToken(16)}
	sel := selectedVerb(c, no)
	for _, a := range v.Actions {
		p.Actions = append(p.Actions, h5Action{PageAction: a, ID: actionIDs[a.Verb], Selected: a.Verb == sel})
	}
	if f, err := c.Cookie(flashCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(f); err == nil {
			p.Flash = string(b)
		}
		h.setCookie(c, flashCookie, "", "/case/"+no, -1)
	}
	h.headers(c)
	if err := h5Pages.ExecuteTemplate(c.Writer, "case.html", p); err != nil {
		logger(c).Error("render case page", "case_no", no, "err", err)
	}
}

// flashMax keeps the reply cookie small.
const flashMax = 1500

func (h *h5Handler) act(c *gin.Context) {
	no := c.Param("no")
	s := h.session(c)
	if s == nil || !bot.ValidCaseNo(no) {
		h.fail(c, http.StatusUnauthorized, "请从企业微信打开", "您的登录已过期，请从企业微信的消息卡片重新打开。")
		return
	}
	if tok := c.PostForm("csrf"); tok == "" || !hmac.Equal([]byte(tok), []byte(h.csrf(s, no))) {
		logger(c).Warn("case page form without a valid csrf token", "case_no", no)
		h.fail(c, http.StatusForbidden, "操作未完成", "页面已过期，请刷新后重试。")
		return
	}
	ctx := c.Request.Context()
	m, err := h.bot.Viewer(ctx, s.member)
	if err != nil {
		h.fail(c, http.StatusForbidden, "无法操作", "您已不是本系统的成员。")
		return
	}
	reply, err := h.bot.PageAct(ctx, m, no, bot.Verb(c.PostForm("verb")), c.PostForm("text"), c.PostForm("nonce"))
	if err != nil {
		logger(c).Error("case page action", "case_no", no, "err", err)
		reply = memberBusy
	}
	if len(reply) > flashMax {
		reply = reply[:flashMax]
		reply = strings.ToValidUTF8(reply, "")
	}
	h.setCookie(c, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(reply)), "/case/"+no, 60)
	c.Redirect(http.StatusSeeOther, "/case/"+no)
}
