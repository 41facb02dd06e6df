package handlers

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"minsheng/bot"
	"minsheng/models"
	"minsheng/reports"
)

// The dispatcher's dashboard (/admin): cases by status, the overdue list,
// the units' rates for a chosen period, a trend chart, CSV and Excel exports
// of the case list, the failed deliveries with a retry button, and the
// public board's withholdings. It never shows who reported a case.
//
// Sign-in: a configured account (admin.users, bcrypt), a dispatcher through
// WeCom OAuth (the flow of the case page, h5.go), or in the sandbox a
// clearly marked sandbox sign-in as the first dispatcher. With none of
// these /admin answers 403 and says how to open it. The session is a signed
// cookie (HMAC-SHA256, HttpOnly, SameSite=Lax, path /admin); every POST
// carries a CSRF token tied to it.

// AdminConfig is what the dashboard needs (admin.* in config.yaml).
type AdminConfig struct {
	// Accounts may sign in with a password.
	Accounts []AdminAccount
	// Secret signs the session cookie and the CSRF tokens.
	Secret     []byte
	SessionTTL time.Duration
	// OAuth, when set, lets dispatchers sign in through WeCom OAuth
	// (snsapi_base) at AuthorizeURL, coming back to PublicURL/admin/oauth.
	OAuth                                    OAuthClient
	AuthorizeURL, CorpID, AgentID, PublicURL string
	// Sandbox offers a marked sign-in as the first dispatcher, for trying
	// the product; never set it on a real deployment.
	Sandbox bool
	// LoginFailures wrong passwords from one client on one account are
	// free; past them each attempt waits twice as long as the last, up to
	// Lockout. Nobody can lock another client out (loginLimiter).
	LoginFailures int
	Lockout       time.Duration
	// OverdueList, TrendWeeks and FailedList size the dashboard's lists;
	// PageSize the case list's pages; ExportMaxDays caps a period.
	OverdueList, TrendWeeks, FailedList, PageSize, ExportMaxDays int
	// ReplyTarget and SatisfactionTarget mark units under target.
	ReplyTarget, SatisfactionTarget float64
	// FlagRule names a unit (提醒) when both rates are under target, or
	// either (reports.flag_rule; "" is both).
	FlagRule models.FlagRule
	// Weights score the units for the 考核 ranking (assessment.*); nil:
	// no ranking.
	Weights *reports.Weights
}

// AdminAccount is a dashboard account: a name and the bcrypt hash of its password.
type AdminAccount struct {
	Name         string
	PasswordHash []byte
}

// Cookie names of the dashboard, all with path /admin.
const (
	adminCookie      = "ms_admin"
	adminLoginCookie = "ms_admin_login"
	adminStateCookie = "ms_admin_oauth"
	adminFlashCookie = "ms_admin_flash"
)

var adminPages = template.Must(template.New("admin").Funcs(template.FuncMap{"pct": ratePercent}).ParseFS(webFS, "web/admin/*.html"))

type adminHandler struct {
	cfg   AdminConfig
	store *models.Store
	bot   *bot.Bot
	now   func() time.Time

	limits *loginLimiter
}

// adminUser is who is signed in.
type adminUser struct {
	Name  string
	Actor models.Actor
	nonce string
}

func newAdminHandler(cfg *AdminConfig, store *models.Store, b *bot.Bot, now func() time.Time) *adminHandler {
	h := &adminHandler{store: store, bot: b, now: now}
	if cfg != nil {
		h.cfg = *cfg
	}
	h.limits = newLoginLimiter(h.cfg.LoginFailures, h.cfg.Lockout)
	return h
}

// open reports whether anyone can sign in at all.
func (h *adminHandler) open() bool {
	return len(h.cfg.Secret) > 0 && (len(h.cfg.Accounts) > 0 || h.cfg.OAuth != nil || h.cfg.Sandbox)
}

func (h *adminHandler) headers(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	c.Next()
}

// closed answers every /admin request with 403 and how to open the
// dashboard while nobody can sign in.
func (h *adminHandler) closed(c *gin.Context) {
	if h.open() {
		c.Next()
		return
	}
	h.render(c, http.StatusForbidden, "closed.html", nil)
	c.Abort()
}

func (h *adminHandler) render(c *gin.Context, status int, name string, data any) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := adminPages.ExecuteTemplate(c.Writer, name, data); err != nil {
		logger(c).Error("render dashboard page", "page", name, "err", err)
	}
}

func (h *adminHandler) fail(c *gin.Context, status int, title, text string) {
	h.render(c, status, "error.html", h5Error{Title: title, Text: text})
	c.Abort()
}

func (h *adminHandler) secure() bool { return strings.HasPrefix(h.cfg.PublicURL, "https://") }

func (h *adminHandler) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/admin", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// startSession signs subject in: "m:<member id>" or "a:<account name>".
func (h *adminHandler) startSession(c *gin.Context, subject string) {
	sub := base64.RawURLEncoding.EncodeToString([]byte(subject))
	exp := strconv.FormatInt(h.now().Add(h.cfg.SessionTTL).Unix(), 10)
	nonce := randomToken(12)
	v := sub + "." + exp + "." + nonce + "." + h5MAC(h.cfg.Secret, "minsheng/admin-session", sub, exp, nonce)
	h.setCookie(c, adminCookie, v, int(h.cfg.SessionTTL/time.Second))
}

// session reads the session cookie: the subject, the nonce and when it
// expires, ok false when it is absent, forged, expired or signed out of
// (Store.SessionRevoked; a store error counts as signed out).
func (h *adminHandler) session(c *gin.Context) (subject, nonce string, exp time.Time, ok bool) {
	v, err := c.Cookie(adminCookie)
	if err != nil {
		return "", "", exp, false
	}
	p := strings.Split(v, ".")
	if len(p) != 4 || !hmac.Equal([]byte(p[3]), []byte(h5MAC(h.cfg.Secret, "minsheng/admin-session", p[0], p[1], p[2]))) {
		return "", "", exp, false
	}
	sub, err1 := base64.RawURLEncoding.DecodeString(p[0])
	unix, err2 := strconv.ParseInt(p[1], 10, 64)
	exp = time.Unix(unix, 0)
	if err1 != nil || err2 != nil || !h.now().Before(exp) {
		return "", "", exp, false
	}
	revoked, err := h.store.SessionRevoked(c.Request.Context(), p[2])
	if err != nil {
		logger(c).Error("dashboard session not checked", "err", err)
		return "", "", exp, false
	}
	if revoked {
		return "", "", exp, false
	}
	return string(sub), p[2], exp, true
}

// auth lets signed-in dispatchers and accounts through; the others go to
// the sign-in page (or get 401 for a POST).
func (h *adminHandler) auth(c *gin.Context) {
	u := h.user(c)
	if u == nil {
		h.setCookie(c, adminCookie, "", -1)
		if c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/admin/login")
			c.Abort()
			return
		}
		h.fail(c, http.StatusUnauthorized, "请先登录", "登录已过期，请重新登录。")
		return
	}
	c.Set("admin_user", u)
	c.Next()
}

// user is who the session names, still allowed in: an account still
// configured, or a member still an active dispatcher.
func (h *adminHandler) user(c *gin.Context) *adminUser {
	sub, nonce, _, ok := h.session(c)
	if !ok {
		return nil
	}
	kind, id, _ := strings.Cut(sub, ":")
	switch kind {
	case "a":
		if h.account(id) == nil {
			return nil
		}
		return &adminUser{Name: id, nonce: nonce, Actor: models.Actor{Kind: models.ActorAdmin, Name: id + "（管理员）", Platform: "web"}}
	case "m":
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return nil
		}
		m, err := h.bot.Viewer(c.Request.Context(), n)
		if err != nil || m.Role != models.RoleDispatcher {
			return nil
		}
		a := models.MemberActor(m)
		a.Platform = "web"
		return &adminUser{Name: m.Name, nonce: nonce, Actor: a}
	}
	return nil
}

func adminUserOf(c *gin.Context) *adminUser {
	u, _ := c.Get("admin_user")
	au, _ := u.(*adminUser)
	return au
}

// csrfToken is the token of the forms of a session.
func (h *adminHandler) csrfToken(u *adminUser) string {
	return h5MAC(h.cfg.Secret, "minsheng/admin-csrf", u.nonce)
}

func (h *adminHandler) csrf(c *gin.Context) {
	u := adminUserOf(c)
	if tok := c.PostForm("csrf"); u == nil || tok == "" || !hmac.Equal([]byte(tok), []byte(h.csrfToken(u))) {
		logger(c).Warn("dashboard form without a valid csrf token", "path", c.FullPath())
		h.fail(c, http.StatusForbidden, "操作未完成", "页面已过期，请刷新后重试。")
		return
	}
	c.Next()
}

func (h *adminHandler) account(name string) *AdminAccount {
	for i := range h.cfg.Accounts {
		if h.cfg.Accounts[i].Name == name {
			return &h.cfg.Accounts[i]
		}
	}
	return nil
}

// loginPage is the sign-in page: what this deployment offers.
type loginPage struct {
	Password, WeCom, Sandbox bool
	Token, Name, Err         string
}

func (h *adminHandler) loginForm(c *gin.Context, status int, name, msg string) {
	nonce := randomToken(12)
	h.setCookie(c, adminLoginCookie, nonce, 600)
	h.render(c, status, "login.html", loginPage{
		Password: len(h.cfg.Accounts) > 0, WeCom: h.cfg.OAuth != nil, Sandbox: h.cfg.Sandbox,
		Token: h5MAC(h.cfg.Secret, "minsheng/admin-login", nonce), Name: name, Err: msg,
	})
}

func (h *adminHandler) loginPage(c *gin.Context) {
	if h.user(c) != nil {
		c.Redirect(http.StatusSeeOther, "/admin")
		return
	}
	h.loginForm(c, http.StatusOK, "", "")
}

// loginToken checks the sign-in form's token against its cookie.
func (h *adminHandler) loginToken(c *gin.Context) bool {
	nonce, err := c.Cookie(adminLoginCookie)
	tok := c.PostForm("csrf")
	return err == nil && nonce != "" && tok != "" && hmac.Equal([]byte(tok), []byte(h5MAC(h.cfg.Secret, "minsheng/admin-login", nonce)))
}

// dummyHash is compared against when the account does not exist, so that a
// wrong name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	b, _ := bcrypt.GenerateFromPassword([]byte("minsheng-no-such-account"), bcrypt.DefaultCost)
	return b
})

func (h *adminHandler) login(c *gin.Context) {
	if !h.loginToken(c) {
		h.loginForm(c, http.StatusForbidden, "", "页面已过期，请重新输入。")
		return
	}
	name, password := strings.TrimSpace(c.PostForm("name")), c.PostForm("password")
	if len(h.cfg.Accounts) == 0 || name == "" || password == "" {
		h.loginForm(c, http.StatusUnauthorized, name, "请输入账号和密码。")
		return
	}
	if len(password) > 200 {
		password = password[:200]
	}
	// Behind a trusted proxy, the client it names (server.trusted_proxies).
	now, client := h.now(), c.ClientIP()
	acct := h.account(name)
	if wait := h.limits.Wait(now, client, name, acct != nil); wait > 0 {
		logger(c).Warn("dashboard sign-in refused: too many wrong passwords", "account_known", acct != nil, "wait", wait)
		secs := int((wait + time.Second - 1) / time.Second)
		h.loginForm(c, http.StatusTooManyRequests, name, fmt.Sprintf("密码错误次数过多，请 %d 秒后再试。", secs))
		return
	}
	hash := dummyHash()
	if acct != nil {
		hash = acct.PasswordHash
	}
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil || acct == nil {
		h.limits.Failed(now, client, name, acct != nil)
		logger(c).Warn("dashboard sign-in failed", "account_known", acct != nil)
		h.loginForm(c, http.StatusUnauthorized, name, "账号或密码不对。")
		return
	}
	h.limits.Succeeded(client, name)
	h.setCookie(c, adminLoginCookie, "", -1)
	h.startSession(c, "a:"+name)
	logger(c).Info("dashboard sign-in", "account", name)
	c.Redirect(http.StatusSeeOther, "/admin")
}

// sandboxLogin signs in as the first active dispatcher; sandbox only.
func (h *adminHandler) sandboxLogin(c *gin.Context) {
	if !h.cfg.Sandbox {
		h.fail(c, http.StatusNotFound, "没有此页面", "沙盒登录只在沙盒模式下提供。")
		return
	}
	if !h.loginToken(c) {
		h.loginForm(c, http.StatusForbidden, "", "页面已过期，请重试。")
		return
	}
	var m *models.Member
	err := h.store.Act(c.Request.Context(), func(tx *models.Tx) error {
		ds, err := tx.MembersWithRole(0, models.RoleDispatcher)
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return models.ErrNotFound
		}
		m = &ds[0]
		return nil
	})
	if err != nil {
		h.loginForm(c, http.StatusForbidden, "", "配置中没有问政办成员（org.members 中 role: dispatcher）。")
		return
	}
	h.setCookie(c, adminLoginCookie, "", -1)
	h.startSession(c, "m:"+strconv.FormatUint(m.ID, 10))
	c.Redirect(http.StatusSeeOther, "/admin")
}

// oauth sends the browser to WeCom's OAuth page, or takes its answer: the
// member must be an active dispatcher.
func (h *adminHandler) oauth(c *gin.Context) {
	if h.cfg.OAuth == nil {
		h.fail(c, http.StatusNotFound, "未启用企业微信登录", "请使用账号密码登录。")
		return
	}
	code := c.Query("code")
	if code == "" {
		state := randomToken(12)
		h.setCookie(c, adminStateCookie, state, 600)
		q := url.Values{
			"appid": {h.cfg.CorpID}, "redirect_uri": {strings.TrimRight(h.cfg.PublicURL, "/") + "/admin/oauth"}, "response_type": {"code"},
			"scope": {"snsapi_base"}, "state": {state}, "agentid": {h.cfg.AgentID},
		}
		c.Redirect(http.StatusFound, h.cfg.AuthorizeURL+"?"+q.Encode()+"#wechat_redirect")
		return
	}
	state, err := c.Cookie(adminStateCookie)
	if err != nil || state == "" || state != c.Query("state") {
		h.fail(c, http.StatusForbidden, "身份验证失败", "请重新从登录页进入。")
		return
	}
	h.setCookie(c, adminStateCookie, "", -1)
	ctx := c.Request.Context()
	uid, err := h.cfg.OAuth.UserID(ctx, code)
	if err != nil {
		logger(c).Warn("dashboard wecom oauth failed", "err", err)
		h.fail(c, http.StatusForbidden, "身份验证失败", "企业微信未能确认您的身份，请重试。")
		return
	}
	m, err := h.bot.ViewerByUserID(ctx, models.PlatformWeCom, uid)
	if err != nil || m.Role != models.RoleDispatcher {
		h.fail(c, http.StatusForbidden, "无权进入", "工作台只对问政办开放。")
		return
	}
	h.startSession(c, "m:"+strconv.FormatUint(m.ID, 10))
	logger(c).Info("dashboard sign-in through wecom", "member", m.ID)
	c.Redirect(http.StatusSeeOther, "/admin")
}

// logout ends the session on the server too: its nonce is revoked until
// the cookie would have expired, so a copy of the cookie no longer works.
func (h *adminHandler) logout(c *gin.Context) {
	if _, nonce, exp, ok := h.session(c); ok {
		if err := h.store.RevokeSession(c.Request.Context(), nonce, exp); err != nil {
			logger(c).Error("dashboard sign-out not recorded", "err", err)
			h.fail(c, http.StatusInternalServerError, "退出未完成", "系统繁忙，请稍后再试。")
			return
		}
	}
	h.setCookie(c, adminCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/admin/login")
}

// flash leaves a sentence for the next page.
func (h *adminHandler) flash(c *gin.Context, text string) {
	if len(text) > flashMax {
		text = strings.ToValidUTF8(text[:flashMax], "")
	}
	h.setCookie(c, adminFlashCookie, base64.RawURLEncoding.EncodeToString([]byte(text)), 60)
}

// takeFlash reads and clears the sentence.
func (h *adminHandler) takeFlash(c *gin.Context) string {
	f, err := c.Cookie(adminFlashCookie)
	if err != nil {
		return ""
	}
	h.setCookie(c, adminFlashCookie, "", -1)
	b, err := base64.RawURLEncoding.DecodeString(f)
	if err != nil {
		return ""
	}
	return string(b)
}

// back is where a form sends the browser after it: its "back" field when
// that is a dashboard page, else the dashboard.
func back(c *gin.Context) string {
	b := c.PostForm("back")
	if strings.HasPrefix(b, "/admin") && !strings.HasPrefix(b, "//") && !strings.ContainsAny(b, "\\\r\n") {
		return b
	}
	return "/admin"
}

func (h *adminHandler) retry(c *gin.Context) {
	u := adminUserOf(c)
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		h.fail(c, http.StatusNotFound, "没有这条消息", "请刷新页面。")
		return
	}
	err = h.store.RetryOutbox(c.Request.Context(), id)
	switch {
	case err == nil:
		logger(c).Info("failed delivery queued again", "outbox", id, "by_kind", u.Actor.Kind, "by", u.Actor.ID)
		if h.bot.Queued != nil {
			h.bot.Queued()
		}
		h.flash(c, "已重新投递消息 #"+strconv.FormatUint(id, 10)+"。")
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrConflict):
		h.flash(c, "消息 #"+strconv.FormatUint(id, 10)+" 已不在失败列表中（可能已被重试）。")
	default:
		logger(c).Error("retry failed delivery", "outbox", id, "err", err)
		h.flash(c, "系统繁忙，请稍后再试。")
	}
	c.Redirect(http.StatusSeeOther, back(c))
}

func (h *adminHandler) setPublic(c *gin.Context, public bool) {
	u := adminUserOf(c)
	no := c.Param("no")
	reply, err := h.bot.SetPublic(c.Request.Context(), u.Actor, no, public, c.PostForm("reason"))
	if err != nil {
		logger(c).Error("board withholding", "case_no", no, "err", err)
		reply = "系统繁忙，请稍后再试。"
	}
	h.flash(c, reply)
	c.Redirect(http.StatusSeeOther, back(c))
}

func (h *adminHandler) withhold(c *gin.Context) { h.setPublic(c, false) }
func (h *adminHandler) publish(c *gin.Context)  { h.setPublic(c, true) }
