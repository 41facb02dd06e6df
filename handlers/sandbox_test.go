package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/handlers"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// sandboxServer is the router in sandbox mode, as main.go builds it when no
// Official Account is configured, served over a real socket.
type sandboxServer struct {
	store  *models.Store
	srv    *httptest.Server
	appID  string
	secret string
}

// newSandboxServer starts the sandbox on the real clock: the page's callback
// is signed with the sandbox's clock and checked against the handler's, so
// both must be the same clock.
func newSandboxServer(t testing.TB, s *models.Store) *sandboxServer {
	t.Helper()
	cal, err := models.NewCalendar(nil)
	modeltest.Must(t, err, "calendar")
	hours, err := models.ParseOfficeHours("09:00-17:30")
	modeltest.Must(t, err, "office hours")
	b := &bot.Bot{Store: s, Calendar: cal, Settings: bot.Settings{
		MaxCasesPerHour: 10, DuplicateWindow: 24 * time.Hour, MinLength: 5, MaxLength: 2000,
		Acknowledge: 24 * time.Hour, Simple: 12 * time.Hour, GeneralWorkdays: 7, ComplexWorkdays: 15,
		DefaultKind: "一般", OfficeHours: hours,
	}}
	appID, secret, token, aesKey := handlers.SandboxCredentials()
	router := handlers.New(handlers.Deps{
		Store: s, Bot: b, Metrics: handlers.NewMetrics(s),
		MP: handlers.MPConfig{AppID: appID, AppSecret: secret, Token: token, EncodingAESKey: aesKey,
			Window: 5 * time.Minute, MaxBody: 1 << 20},
		Sandbox: handlers.NewSandbox(appID, secret, token, aesKey, nil),
	})
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return &sandboxServer{store: s, srv: srv, appID: appID, secret: secret}
}

// do sends a request and decodes a JSON answer into a map.
func (h *sandboxServer) do(t *testing.T, method, path, contentType, body string) (int, string, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, h.srv.URL+path, strings.NewReader(body))
	modeltest.Must(t, err, "request %s %s", method, path)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := h.srv.Client().Do(req)
	modeltest.Must(t, err, "%s %s", method, path)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	modeltest.Must(t, err, "read %s %s", method, path)
	var out map[string]any
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return res.StatusCode, string(raw), out
}

func (h *sandboxServer) cases(t *testing.T) int64 {
	t.Helper()
	n, err := h.store.CountCases(context.Background())
	modeltest.Must(t, err, "count cases")
	return n
}

func TestSandboxPage(t *testing.T) {
	h := newSandboxServer(t, modeltest.Open(t, "sqlite"))
	status, body, _ := h.do(t, http.MethodGet, "/sandbox", "", "")
	if status != http.StatusOK {
		t.Fatalf("GET /sandbox = %d; want 200", status)
	}
	for _, want := range []string{"民声", `id="text"`, `id="go"`, `id="mine"`, "/sandbox/api/citizen"} {
		if !strings.Contains(body, want) {
			t.Errorf("sandbox page lacks %q", want)
		}
	}
}

func TestSandboxCitizenOpensCase(t *testing.T) {
	h := newSandboxServer(t, modeltest.Open(t, "sqlite"))
	status, raw, out := h.do(t, http.MethodPost, "/sandbox/api/citizen", "application/json",
		`{"citizen":"sandbox-citizen-1","type":"text","text":"小区门口路灯坏了一周"}`)
	if status != http.StatusOK {
		t.Fatalf("POST /sandbox/api/citizen = %d %s; want 200", status, raw)
	}
	reply, _ := out["reply"].(string)
	if !strings.Contains(reply, "编号：") || !strings.Contains(reply, bot.Acknowledgement) {
		t.Errorf("reply = %q; want the acknowledgement with a case number", reply)
	}
	if n := h.cases(t); n != 1 {
		t.Errorf("cases = %d; want 1", n)
	}
	wire, _ := out["raw"].(string)
	if !strings.Contains(wire, "<Encrypt>") {
		t.Errorf("raw = %q; want the encrypted envelope", wire)
	}
	if strings.Contains(wire, "编号") || strings.Contains(wire, bot.Acknowledgement) {
		t.Errorf("raw carries the reply in clear: %q", wire)
	}

	// Asking for one's own cases goes through the same path.
	status, raw, out = h.do(t, http.MethodPost, "/sandbox/api/citizen", "application/json",
		`{"citizen":"sandbox-citizen-1","type":"text","text":"我的"}`)
	if status != http.StatusOK {
		t.Fatalf("POST 我的 = %d %s; want 200", status, raw)
	}
	if n := h.cases(t); n != 1 {
		t.Errorf("cases after 我的 = %d; want still 1", n)
	}
	no := caseNo.FindStringSubmatch(reply)
	if mine, _ := out["reply"].(string); no == nil || !strings.Contains(mine, "您反映的问题") || !strings.Contains(mine, no[1]) {
		t.Errorf("我的 = %q; want the list with the case of %q", mine, reply)
	}
}

func TestSandboxCitizenRejectsBadInput(t *testing.T) {
	h := newSandboxServer(t, modeltest.Open(t, "sqlite"))
	for _, tc := range []struct{ name, contentType, body string }{
		{"not a sandbox citizen", "application/json", `{"citizen":"oRealOpenID","type":"text","text":"小区门口路灯坏了一周"}`},
		{"no citizen", "application/json", `{"type":"text","text":"小区门口路灯坏了一周"}`},
		{"unknown type", "application/json", `{"citizen":"sandbox-citizen-1","type":"video","text":"小区门口路灯坏了一周"}`},
		{"not JSON", "application/json", `citizen=sandbox-citizen-1&type=text`},
		{"truncated JSON", "application/json", `{"citizen":"sandbox-citizen-1",`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, raw, out := h.do(t, http.MethodPost, "/sandbox/api/citizen", tc.contentType, tc.body)
			if status != http.StatusBadRequest {
				t.Fatalf("status = %d %s; want 400", status, raw)
			}
			msg, _ := out["error"].(string)
			if !hasHan(msg) {
				t.Errorf("error = %q; want a message in Chinese", msg)
			}
		})
	}
	if n := h.cases(t); n != 0 {
		t.Errorf("cases = %d; want none from bad input", n)
	}
}

// caseNo finds the case number in a reply.
var caseNo = regexp.MustCompile(`编号：(\d{11})`)

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestSandboxMountsFakeMPAPI(t *testing.T) {
	h := newSandboxServer(t, modeltest.Open(t, "sqlite"))
	q := url.Values{"grant_type": {"client_credential"}, "appid": {h.appID}, "secret": {h.secret}}
	status, raw, out := h.do(t, http.MethodGet, handlers.SandboxMPAPIPath+"/cgi-bin/token?"+q.Encode(), "", "")
	if status != http.StatusOK {
		t.Fatalf("token = %d %s; want 200", status, raw)
	}
	if tok, _ := out["access_token"].(string); tok == "" {
		t.Errorf("token answer = %s; want an access_token", raw)
	}
	q.Set("secret", "wrong")
	_, raw, out = h.do(t, http.MethodGet, handlers.SandboxMPAPIPath+"/cgi-bin/token?"+q.Encode(), "", "")
	if tok, _ := out["access_token"].(string); tok != "" || out["errcode"] == nil {
		t.Errorf("token with a wrong secret = %s; want an errcode and no token", raw)
	}
}
