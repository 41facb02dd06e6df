package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"

	"minsheng/bot/wecom"
	"minsheng/handlers"
	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

const (
	adminName     = "wenzhengban"
	adminPassword = "correct-horse-battery"
)

// testAdmin is config.yaml's admin.* with one account (a cheap bcrypt cost:
// tests need not be slow) and three wrong passwords to a lockout.
func testAdmin(t *testing.T) *handlers.AdminConfig {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(adminPassword), bcrypt.MinCost)
	modeltest.Must(t, err, "bcrypt")
	return &handlers.AdminConfig{
		Accounts: []handlers.AdminAccount{{Name: adminName, PasswordHash: hash}},
		Secret:   []byte("test-admin-secret-0123456789abcdef"), SessionTTL: 8 * time.Hour,
		LoginFailures: 3, Lockout: 15 * time.Minute,
		OverdueList: 20, TrendWeeks: 12, FailedList: 50, PageSize: 50, ExportMaxDays: 366,
		ReplyTarget: 0.9, SatisfactionTarget: 0.9,
		Weights: &reports.Weights{ReplyRate: 40, OnTimeRate: 20, SatisfactionRate: 40, Overdue: 1, Supervised: 0.5, LateReported: 1},
	}
}

var adminCSRFRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf is the first CSRF token of a page.
func csrfOf(t *testing.T, html string) string {
	t.Helper()
	m := adminCSRFRe.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("page has no csrf token: %.400s", html)
	}
	return m[1]
}

// signIn signs c in with the account and returns the dashboard's page.
func (st *site) signIn(t *testing.T, c *http.Client) string {
	t.Helper()
	_, login, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin/login", nil)
	code, body, hdr := fetch(t, c, http.MethodPost, st.pub.URL+"/admin/login",
		url.Values{"csrf": {csrfOf(t, login)}, "name": {adminName}, "password": {adminPassword}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/admin" {
		t.Fatalf("sign in = %d %s %.300s; want 303 to /admin", code, hdr.Get("Location"), body)
	}
	code, page, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin", nil)
	if code != http.StatusOK {
		t.Fatalf("dashboard after sign-in = %d", code)
	}
	return page
}

func TestAdminClosedByDefault(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	for name, cfg := range map[string]*handlers.AdminConfig{
		"no admin config":         nil,
		"no account and no OAuth": {Secret: []byte("x"), SessionTTL: time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			st := newSite(t, s, cfg)
			for _, req := range []struct{ method, path string }{
				{http.MethodGet, "/admin"}, {http.MethodGet, "/admin/login"}, {http.MethodPost, "/admin/login"},
				{http.MethodGet, "/admin/export.csv"}, {http.MethodPost, "/admin/login/sandbox"}, {http.MethodGet, "/admin/oauth"},
			} {
				code, body, _ := fetch(t, http.DefaultClient, req.method, st.pub.URL+req.path, url.Values{"name": {adminName}, "password": {adminPassword}})
				if code != http.StatusForbidden {
					t.Errorf("%s %s = %d; want 403", req.method, req.path, code)
				}
				for _, want := range []string{"工作台未开放", "admin.users", "hash-password", "MINSHENG_ADMIN_SECRET"} {
					if !strings.Contains(body, want) {
						t.Errorf("%s %s does not explain how to open it: lacks %q", req.method, req.path, want)
					}
				}
			}
		})
	}
}

func TestAdminSignIn(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, testAdmin(t))
		st.seed(t)
		c := browserClient(t)
		base := st.pub.URL

		if code, _, hdr := fetch(t, c, http.MethodGet, base+"/admin", nil); code != http.StatusSeeOther || hdr.Get("Location") != "/admin/login" {
			t.Fatalf("/admin signed out = %d %s; want 303 to /admin/login", code, hdr.Get("Location"))
		}
		if code, _, _ := fetch(t, c, http.MethodGet, base+"/admin/export.csv", nil); code != http.StatusSeeOther {
			t.Errorf("export signed out = %d; want a redirect to the sign-in", code)
		}
		_, login, _ := fetch(t, c, http.MethodGet, base+"/admin/login", nil)
		if !strings.Contains(login, `id="password-form"`) || strings.Contains(login, "sandbox-login") || strings.Contains(login, "wecom-login") {
			t.Errorf("sign-in page offers the wrong ways in: %.500s", login)
		}
		token := csrfOf(t, login)
		steps := []struct {
			name     string
			form     url.Values
			code     int
			contains string
		}{
			{"no token", url.Values{"name": {adminName}, "password": {adminPassword}}, http.StatusForbidden, "页面已过期"},
			{"wrong password", url.Values{"csrf": {token}, "name": {adminName}, "password": {"wrong"}}, http.StatusUnauthorized, "账号或密码不对"},
			{"unknown account", url.Values{"csrf": {token}, "name": {"nobody"}, "password": {adminPassword}}, http.StatusUnauthorized, "账号或密码不对"},
			{"empty", url.Values{"csrf": {token}}, http.StatusUnauthorized, "请输入账号和密码"},
		}
		for _, sp := range steps {
			_, page, _ := fetch(t, c, http.MethodGet, base+"/admin/login", nil)
			if sp.form.Get("csrf") != "" {
				sp.form.Set("csrf", csrfOf(t, page))
			}
			code, body, _ := fetch(t, c, http.MethodPost, base+"/admin/login", sp.form)
			if code != sp.code || !strings.Contains(body, sp.contains) {
				t.Errorf("%s: sign in = %d; want %d with %q", sp.name, code, sp.code, sp.contains)
			}
		}

		// The right password: a session cookie, HttpOnly, SameSite=Lax, for /admin only.
		_, page, _ := fetch(t, c, http.MethodGet, base+"/admin/login", nil)
		resp, err := c.PostForm(base+"/admin/login", url.Values{"csrf": {csrfOf(t, page)}, "name": {adminName}, "password": {adminPassword}})
		modeltest.Must(t, err, "sign in")
		resp.Body.Close()
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "ms_admin" && ck.Value != "" {
				session = ck
			}
		}
		if resp.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/admin" {
			t.Fatalf("sign in = %d, cookie %+v; want 303 and an HttpOnly SameSite=Lax cookie for /admin", resp.StatusCode, session)
		}
		code, dash, _ := fetch(t, c, http.MethodGet, base+"/admin", nil)
		if code != http.StatusOK {
			t.Fatalf("dashboard = %d", code)
		}
		for _, want := range []string{
			`id="who">` + adminName, `id="status"`, `data-status="answered"`, `id="trend"`, "<svg", `id="units"`, "县城市管理局",
			`id="overdue"`, `id="failed"`, `id="export-csv" href="/admin/export.csv?from=2026-11-01&amp;to=2026-11-23"`,
			// The rates as the regulations count them, with 未到期 beside them.
			"<th class=\"n opt\">未到期</th>", "<th class=\"n\">回复率</th>", "均不含未到期", "回复率和满意率均低于目标的单位",
			// The 考核 ranking of the period (assessment.*).
			`id="ranking"`, "考核排名", `data-rank="cg"`,
		} {
			if !strings.Contains(dash, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		// 3 answered, 1 answered then withheld (still answered), 1 assigned, 1 invalid.
		for status, n := range map[string]int{"answered": 4, "assigned": 1, "invalid": 1, "received": 0} {
			if want := fmt.Sprintf(`data-status="%s"><b>%d</b>`, status, n); !strings.Contains(dash, want) {
				t.Errorf("dashboard lacks the count %s", want)
			}
		}
		if l := st.leaks(dash); len(l) > 0 {
			t.Errorf("dashboard carries identities %q", l)
		}

		// A forged cookie and an expired one are no sessions.
		forged := browserClient(t)
		u, _ := url.Parse(base + "/admin")
		forged.Jar.SetCookies(u, []*http.Cookie{{Name: "ms_admin", Value: strings.Replace(session.Value, ".", "x.", 1), Path: "/admin"}})
		if code, _, _ := fetch(t, forged, http.MethodGet, base+"/admin", nil); code != http.StatusSeeOther {
			t.Errorf("forged session = %d; want a redirect to the sign-in", code)
		}
		st.clock.Add(9 * time.Hour)
		if code, _, _ := fetch(t, c, http.MethodGet, base+"/admin", nil); code != http.StatusSeeOther {
			t.Errorf("session after 9 hours = %d; want a redirect to the sign-in", code)
		}
	})
}

func TestAdminLockout(t *testing.T) {
	st := newSite(t, modeltest.Open(t, "sqlite"), testAdmin(t))
	c := browserClient(t)
	try := func(password string) (int, string) {
		_, page, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin/login", nil)
		code, body, _ := fetch(t, c, http.MethodPost, st.pub.URL+"/admin/login", url.Values{"csrf": {csrfOf(t, page)}, "name": {adminName}, "password": {password}})
		return code, body
	}
	for i := 0; i < 3; i++ {
		if code, _ := try("wrong"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d = %d; want 401", i+1, code)
		}
	}
	if code, body := try(adminPassword); code != http.StatusTooManyRequests || !strings.Contains(body, "错误次数过多") {
		t.Errorf("right password after 3 wrong ones = %d; want 429 and 错误次数过多", code)
	}
	st.clock.Add(16 * time.Minute)
	if code, _ := try(adminPassword); code != http.StatusSeeOther {
		t.Errorf("right password after the lockout = %d; want 303", code)
	}
}

// failedDelivery writes a message the delivery job gave up on, whose error
// text names the citizen as a platform might.
func failedDelivery(t *testing.T, s *models.Store, caseID uint64) uint64 {
	t.Helper()
	now := s.Now()
	o := models.Outbox{
		Platform: "mp", Target: "citizen:1", Kind: "answer", Payload: `{"kind":"text","text":"x"}`, CaseID: caseID,
		DedupKey: "test-failed-" + strconv.FormatInt(now.UnixNano(), 10), Status: models.OutboxFailed, Attempts: 8,
		NextAttemptAt: now, LastError: "errcode=40003 invalid openid oCitizenWang001 hint 13912345678",
		CreatedAt: now, UpdatedAt: now,
	}
	modeltest.Must(t, s.DB().Create(&o).Error, "failed outbox row")
	return o.ID
}

func TestAdminRetryNeedsCSRF(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, testAdmin(t))
		st.seed(t)
		k, err := s.CaseByNo(context.Background(), st.nos["oCitizenWang001"])
		modeltest.Must(t, err, "case")
		id := failedDelivery(t, s, k.ID)
		retry := fmt.Sprintf("%s/admin/outbox/%d/retry", st.pub.URL, id)
		status := func() models.OutboxStatus {
			var o models.Outbox
			modeltest.Must(t, s.DB().First(&o, id).Error, "outbox row")
			return o.Status
		}

		if code, _, _ := fetch(t, browserClient(t), http.MethodPost, retry, url.Values{}); code != http.StatusUnauthorized {
			t.Errorf("retry signed out = %d; want 401", code)
		}
		c := browserClient(t)
		dash := st.signIn(t, c)
		row := fmt.Sprintf(`id="outbox-%d"`, id)
		if !strings.Contains(dash, row) || !strings.Contains(dash, k.No) || !strings.Contains(dash, "[openid已隐去]") {
			t.Errorf("dashboard lacks the failed delivery %d of %s, its openid masked", id, k.No)
		}
		if l := st.leaks(dash); len(l) > 0 {
			t.Errorf("dashboard carries identities %q", l)
		}
		for name, form := range map[string]url.Values{"no token": {}, "wrong token": {"csrf": {"AAAA"}}} {
			if code, _, _ := fetch(t, c, http.MethodPost, retry, form); code != http.StatusForbidden {
				t.Errorf("retry with %s = %d; want 403", name, code)
			}
			if got := status(); got != models.OutboxFailed {
				t.Errorf("retry with %s moved the message to %s", name, got)
			}
		}
		// Another session's token is no good either.
		other := browserClient(t)
		otherToken := csrfOf(t, st.signIn(t, other))
		if code, _, _ := fetch(t, c, http.MethodPost, retry, url.Values{"csrf": {otherToken}}); code != http.StatusForbidden {
			t.Errorf("retry with another session's token = %d; want 403", code)
		}

		code, _, hdr := fetch(t, c, http.MethodPost, retry, url.Values{"csrf": {csrfOf(t, dash)}, "back": {"/admin#failed"}})
		if code != http.StatusSeeOther || hdr.Get("Location") != "/admin#failed" {
			t.Errorf("retry = %d %s; want 303 back to the list", code, hdr.Get("Location"))
		}
		if got := status(); got != models.OutboxPending {
			t.Errorf("after retry the message is %s; want pending", got)
		}
		_, dash, _ = fetch(t, c, http.MethodGet, st.pub.URL+"/admin", nil)
		if !strings.Contains(dash, fmt.Sprintf("已重新投递消息 #%d", id)) || strings.Contains(dash, row) {
			t.Errorf("dashboard after retry does not say so, or still lists the message")
		}
		fetch(t, c, http.MethodPost, retry, url.Values{"csrf": {csrfOf(t, dash)}})
		if _, dash, _ = fetch(t, c, http.MethodGet, st.pub.URL+"/admin", nil); !strings.Contains(dash, "已不在失败列表") {
			t.Errorf("a second retry is not explained")
		}
		// A back field elsewhere is not followed.
		_, _, hdr = fetch(t, c, http.MethodPost, retry, url.Values{"csrf": {csrfOf(t, dash)}, "back": {"//evil.example/admin"}})
		if hdr.Get("Location") != "/admin" {
			t.Errorf("retry with back=//evil.example → %s; want /admin", hdr.Get("Location"))
		}
	})
}

func TestAdminWithholdFromDashboard(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, testAdmin(t))
		st.seed(t)
		li := st.nos["oCitizenLi002"]
		c := browserClient(t)
		st.signIn(t, c)
		_, list, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin/cases?from=2026-11-01&to=2026-11-30", nil)
		if !strings.Contains(list, `id="case-`+li+`"`) || !strings.Contains(list, "涉及邻里纠纷") {
			t.Fatalf("case list lacks %s or the withheld case's reason", li)
		}
		if l := st.leaks(list); len(l) > 0 {
			t.Errorf("case list carries identities %q", l)
		}
		token := csrfOf(t, list)
		withhold := st.pub.URL + "/admin/cases/" + li + "/withhold"
		if code, _, _ := fetch(t, c, http.MethodPost, withhold, url.Values{"reason": {"涉及个人隐私"}}); code != http.StatusForbidden {
			t.Errorf("withhold without a token = %d; want 403", code)
		}
		fetch(t, c, http.MethodPost, withhold, url.Values{"csrf": {token}, "reason": {"  "}})
		_, list, _ = fetch(t, c, http.MethodGet, st.pub.URL+"/admin/cases", nil)
		if !strings.Contains(list, "请写明不公开的理由") {
			t.Errorf("withhold without a reason is not refused with a reason")
		}
		code, _, hdr := fetch(t, c, http.MethodPost, withhold, url.Values{"csrf": {token}, "reason": {"涉及个人隐私"}, "back": {"/admin/cases"}})
		if code != http.StatusSeeOther || hdr.Get("Location") != "/admin/cases" {
			t.Errorf("withhold = %d %s", code, hdr.Get("Location"))
		}
		if _, board, _ := st.get(t, "/board"); strings.Contains(board, li) {
			t.Errorf("case withheld on the dashboard is still on the board")
		}
		k, _ := s.CaseByNo(context.Background(), li)
		var ev models.CaseEvent
		modeltest.Must(t, s.DB().Where("case_id = ? AND kind = ?", k.ID, models.EventWithheld).First(&ev).Error, "withheld event")
		if ev.ActorKind != models.ActorAdmin || ev.ActorName != adminName+"（管理员）" || ev.Platform != "web" || ev.Body != "涉及个人隐私" {
			t.Errorf("withheld event = %+v; want by the admin account from the web, with the reason", ev)
		}
		fetch(t, c, http.MethodPost, st.pub.URL+"/admin/cases/"+li+"/publish", url.Values{"csrf": {token}})
		if _, board, _ := st.get(t, "/board"); !strings.Contains(board, `id="case-`+li+`"`) {
			t.Errorf("case put back on the dashboard is not on the board")
		}
	})
}

func TestAdminExportsCarryNoIdentity(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, testAdmin(t))
		st.seed(t)
		c := browserClient(t)
		st.signIn(t, c)
		period := "?from=2026-11-01&to=2026-11-30"

		code, body, hdr := fetch(t, c, http.MethodGet, st.pub.URL+"/admin/export.csv"+period, nil)
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !strings.Contains(hdr.Get("Content-Disposition"), "cases-20261101-20261130.csv") {
			t.Fatalf("export.csv = %d %s %s", code, hdr.Get("Content-Type"), hdr.Get("Content-Disposition"))
		}
		if !strings.HasPrefix(body, "\ufeff") {
			t.Errorf("CSV has no BOM: Excel would misread it")
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		modeltest.Must(t, err, "read CSV")
		if len(rows) != 1+len(reporters) || rows[0][0] != "编号" || rows[0][len(rows[0])-1] != "问题（已隐去个人信息）" {
			t.Fatalf("CSV has %d rows, header %v; want the header and %d cases", len(rows), rows[0], len(reporters))
		}
		board := map[string]string{}
		for _, r := range rows[1:] {
			board[r[0]] = r[11]
		}
		if board[st.nos["oCitizenChen004"]] != "不公开" || board[st.nos["oCitizenLi002"]] != "公开" || board[st.nos["oCitizenSun005"]] != "" {
			t.Errorf("CSV board column = %v", board)
		}
		if l := st.leaks(body); len(l) > 0 {
			t.Errorf("CSV carries identities %q", l)
		}

		code, body, hdr = fetch(t, c, http.MethodGet, st.pub.URL+"/admin/export.xlsx"+period, nil)
		if code != http.StatusOK || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export.xlsx = %d %s", code, hdr.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		modeltest.Must(t, err, "open workbook")
		defer f.Close()
		xrows, err := f.GetRows("案件清单")
		modeltest.Must(t, err, "rows")
		if len(xrows) != 2+len(reporters) || xrows[1][0] != "编号" {
			t.Fatalf("workbook has %d rows; want title, header and %d cases", len(xrows), len(reporters))
		}
		var all strings.Builder
		for _, sheet := range f.GetSheetList() {
			rs, _ := f.GetRows(sheet)
			for _, r := range rs {
				all.WriteString(strings.Join(r, "\t") + "\n")
			}
		}
		if !strings.Contains(all.String(), "幸福小区[门牌已隐去]") {
			t.Errorf("workbook lacks the masked problem text")
		}
		if l := st.leaks(all.String()); len(l) > 0 {
			t.Errorf("workbook carries identities %q", l)
		}

		for _, bad := range []string{"?from=2026-11-30&to=2026-11-01", "?from=2025-01-01&to=2026-11-30", "?from=yesterday"} {
			if code, body, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin/export.csv"+bad, nil); code != http.StatusBadRequest || !strings.Contains(body, "无法导出") {
				t.Errorf("export.csv%s = %d; want 400 with the reason", bad, code)
			}
		}
	})
}

func TestAdminWeComOAuth(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	o := newOffice(t, s)
	wcAPI := httptest.NewServer(o.wc)
	t.Cleanup(wcAPI.Close)
	cfg := testAdmin(t)
	cfg.Accounts = nil
	cfg.OAuth = &wecom.Client{BaseURL: wcAPI.URL, CorpID: corpID, Secret: wcSecret, AgentID: wcAgentID, Now: o.clock.Now}
	cfg.AuthorizeURL, cfg.CorpID, cfg.AgentID = "https://open.weixin.qq.com/connect/oauth2/authorize", corpID, fmt.Sprint(wcAgentID)
	var router http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { router.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	cfg.PublicURL = srv.URL
	router = handlers.New(handlers.Deps{Store: s, Bot: o.bot, Metrics: handlers.NewMetrics(s), Now: o.clock.Now, Admin: cfg})

	signIn := func(c *http.Client, user, state string) (int, string) {
		code, _, hdr := fetch(t, c, http.MethodGet, srv.URL+"/admin/oauth", nil)
		loc, _ := url.Parse(hdr.Get("Location"))
		q := loc.Query()
		if code != http.StatusFound || !strings.HasPrefix(hdr.Get("Location"), cfg.AuthorizeURL) || q.Get("redirect_uri") != srv.URL+"/admin/oauth" ||
			q.Get("appid") != corpID || q.Get("state") == "" {
			t.Fatalf("/admin/oauth = %d %s; want WeCom's OAuth page coming back to /admin/oauth", code, hdr.Get("Location"))
		}
		if state == "" {
			state = q.Get("state")
		}
		code, body, _ := fetch(t, c, http.MethodGet, srv.URL+"/admin/oauth?code="+o.wc.IssueOAuthCode(user)+"&state="+state, nil)
		return code, body
	}
	c := browserClient(t)
	_, login, _ := fetch(t, c, http.MethodGet, srv.URL+"/admin/login", nil)
	if !strings.Contains(login, "wecom-login") || strings.Contains(login, "password-form") {
		t.Errorf("sign-in page without accounts should offer WeCom only")
	}
	if code, _ := signIn(c, "dispatcher1", ""); code != http.StatusSeeOther {
		t.Fatalf("dispatcher through OAuth = %d; want 303 to /admin", code)
	}
	if code, page, _ := fetch(t, c, http.MethodGet, srv.URL+"/admin", nil); code != http.StatusOK || !strings.Contains(page, `id="who">王问政`) {
		t.Errorf("dashboard after OAuth = %d; want it for 王问政", code)
	}
	if code, body := signIn(browserClient(t), "cg-officer1", ""); code != http.StatusForbidden || !strings.Contains(body, "只对问政办开放") {
		t.Errorf("officer through OAuth = %d; want 403", code)
	}
	if code, _ := signIn(browserClient(t), "dispatcher1", "forged"); code != http.StatusForbidden {
		t.Errorf("OAuth with a forged state = %d; want 403", code)
	}
}

func TestAdminSandboxSignIn(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	cfg := testAdmin(t)
	cfg.Accounts = nil
	st := newSite(t, s, cfg)
	if code, _, _ := fetch(t, browserClient(t), http.MethodPost, st.pub.URL+"/admin/login/sandbox", url.Values{}); code != http.StatusForbidden {
		t.Errorf("sandbox sign-in outside the sandbox = %d; want 403 (closed)", code)
	}
	cfg.Sandbox = true
	st = newSite(t, s, cfg)
	c := browserClient(t)
	_, login, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin/login", nil)
	if !strings.Contains(login, "sandbox-login") || !strings.Contains(login, "沙盒模式") {
		t.Fatalf("sandbox sign-in page lacks its marked button")
	}
	if code, _, _ := fetch(t, c, http.MethodPost, st.pub.URL+"/admin/login/sandbox", url.Values{}); code != http.StatusForbidden {
		t.Errorf("sandbox sign-in without a token = %d; want 403", code)
	}
	_, login, _ = fetch(t, c, http.MethodGet, st.pub.URL+"/admin/login", nil) // each form has its own token
	code, _, _ := fetch(t, c, http.MethodPost, st.pub.URL+"/admin/login/sandbox", url.Values{"csrf": {csrfOf(t, login)}})
	if code != http.StatusSeeOther {
		t.Fatalf("sandbox sign-in = %d; want 303", code)
	}
	if _, page, _ := fetch(t, c, http.MethodGet, st.pub.URL+"/admin", nil); !strings.Contains(page, `id="who">王问政`) || !strings.Contains(page, "沙盒模式") {
		t.Errorf("sandbox dashboard is not 王问政's, or not marked as the sandbox")
	}
}

// forwardedFor is a client behind a reverse proxy: every request carries
// the X-Forwarded-For the proxy would add.
type forwardedFor struct{ ip string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.ip)
	return http.DefaultTransport.RoundTrip(r)
}

// TestAdminLockoutBehindProxy: behind a proxy named in
// server.trusted_proxies the sign-in limits count per client the proxy
// names, so that one client guessing does not lock out every dispatcher
// coming through the same proxy; without it the header is not believed, so
// that a guesser cannot escape the limit by making one up.
func TestAdminLockoutBehindProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		want    int // the other client's right password
	}{
		{"trusted proxy", []string{"127.0.0.1", "::1"}, http.StatusSeeOther},
		{"no trusted proxy", nil, http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newOffice(t, modeltest.Open(t, "sqlite"))
			srv := httptest.NewServer(handlers.New(handlers.Deps{Store: o.store, Bot: o.bot, Metrics: handlers.NewMetrics(o.store), Now: o.clock.Now,
				Admin: testAdmin(t), TrustedProxies: tc.proxies, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
			t.Cleanup(srv.Close)
			client := func(ip string) func(password string) (int, string) {
				c := browserClient(t)
				c.Transport = forwardedFor{ip}
				return func(password string) (int, string) {
					_, page, _ := fetch(t, c, http.MethodGet, srv.URL+"/admin/login", nil)
					code, body, _ := fetch(t, c, http.MethodPost, srv.URL+"/admin/login", url.Values{"csrf": {csrfOf(t, page)}, "name": {adminName}, "password": {password}})
					return code, body
				}
			}
			guesser, dispatcher := client("203.0.113.5"), client("198.51.100.7")
			for i := 0; i < 3; i++ {
				if code, _ := guesser("wrong"); code != http.StatusUnauthorized {
					t.Fatalf("wrong password %d = %d; want 401", i+1, code)
				}
			}
			if code, _ := guesser(adminPassword); code != http.StatusTooManyRequests {
				t.Errorf("the guesser's right password = %d; want 429", code)
			}
			if code, _ := dispatcher(adminPassword); code != tc.want {
				t.Errorf("another client's right password = %d; want %d", code, tc.want)
			}
		})
	}
}
