package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/bot/dingtalk"
	"minsheng/bot/mp"
	"minsheng/bot/sandbox"
	"minsheng/bot/wecom"
	"minsheng/handlers"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// sandboxOffice is the sandbox as main.go builds it with no credentials at
// all: the Official Account, WeCom and DingTalk all simulated in process,
// reached over the server's own address, on the real clock.
type sandboxOffice struct {
	*sandboxServer
	deliver *jobs.Deliverer
}

func newSandboxOffice(t *testing.T, s *models.Store) *sandboxOffice {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	modeltest.Must(t, err, "listen")
	base := "http://" + ln.Addr().String()

	deps := []models.Department{
		{Code: "cg", Name: "县城市管理局", Keywords: "路灯,井盖", Platform: "wecom", WeComRobotKey: "sandbox-cg"},
		{Code: "zj", Name: "县住房和城乡建设局", Keywords: "物业,燃气", Platform: "wecom", WeComRobotKey: "sandbox-zj"},
	}
	members := []models.Member{
		{Name: "王问政", UserID: "dispatcher1", Platform: "wecom", Role: models.RoleDispatcher},
		{Name: "李承办", UserID: "cg-officer1", Platform: "wecom", Role: models.RoleOfficer},
		{Name: "赵局长", UserID: "cg-head", Platform: "wecom", Role: models.RoleHead},
		{Name: "孙承办", UserID: "zj-officer1", Platform: "wecom", Role: models.RoleOfficer},
		{Name: "陈县长", UserID: "leader1", Platform: "wecom", Role: models.RoleLeader},
	}
	modeltest.Must(t, s.SyncOrg(ctx, deps, members, []string{"", "cg", "cg", "zj", ""}), "sync org")

	appID, mpSecret, mpToken, mpKey := sandbox.Credentials()
	sb := sandbox.New(appID, mpSecret, mpToken, mpKey, nil)
	wcCorp, wcSec, wcTok, wcKey, wcAgent := sandbox.WeComCredentials()
	sb.WeCom = sandbox.NewWeCom(wcCorp, wcSec, wcTok, wcKey, wcAgent, nil)
	dtKey, dtSecret, dtRobotCode := sandbox.DingTalkCredentials()
	sdt := sandbox.NewDingTalk(dtKey, dtSecret, dtRobotCode, base, nil)
	for _, m := range members {
		sb.WeCom.Fake.AddUsers(m.UserID)
	}
	for _, d := range deps {
		sb.WeCom.Fake.AddWebhook(d.WeComRobotKey)
		sb.WeCom.Groups[d.Name] = d.WeComRobotKey
	}
	modeltest.Must(t, sdt.Prepare(ctx, s), "prepare sandbox dingtalk")

	cal, err := models.NewCalendar(nil)
	modeltest.Must(t, err, "calendar")
	hours, _ := models.ParseOfficeHours("09:00-17:30")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := &bot.Bot{Store: s, Calendar: cal, Logger: quiet, Settings: bot.Settings{
		MaxCasesPerHour: 10, DuplicateWindow: 24 * time.Hour, MinLength: 5, MaxLength: 2000,
		Acknowledge: 24 * time.Hour, Simple: 12 * time.Hour, GeneralWorkdays: 7, ComplexWorkdays: 15,
		ExtensionWorkdays: 5, ReportUpMajor: 2 * time.Hour, ReportUpCritical: time.Hour,
		DefaultKind: "一般", OfficeHours: hours, PublicURL: base,
	}}
	httpc := &http.Client{Timeout: 5 * time.Second}
	dtClient := &dingtalk.Client{APIBase: sdt.APIBase(), OAPIBase: sdt.APIBase(), AppKey: dtKey, AppSecret: dtSecret, RobotCode: dtRobotCode, HTTP: httpc}
	router := handlers.New(handlers.Deps{
		Store: s, Bot: b, Metrics: handlers.NewMetrics(s), Logger: quiet, Mounts: []handlers.Mounter{sb, sdt},
		Citizen: &mp.Inbound{AppID: appID, AppSecret: mpSecret, Token: mpToken, EncodingAESKey: mpKey, Window: 5 * time.Minute, MaxBody: 1 << 20},
		Inbound: []bot.Inbound{
			&wecom.Inbound{CorpID: wcCorp, Token: wcTok, EncodingAESKey: wcKey, Window: 5 * time.Minute, MaxBody: 1 << 20},
			&dingtalk.Inbound{AppSecret: dtSecret, MaxSkew: time.Hour, MaxBody: 1 << 20, ReplyTimeout: 3 * time.Second, SessionBases: []string{sdt.APIBase()}},
		},
	})
	srv := httptest.NewUnstartedServer(router)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	rt := &jobs.Router{Bot: b, Platforms: []bot.Platform{
		&mp.Platform{Client: &mp.Client{BaseURL: base + sandbox.MPAPIPath, AppID: appID, AppSecret: mpSecret, HTTP: httpc}},
		&wecom.Platform{Client: &wecom.Client{BaseURL: base + sandbox.WeComAPIPath, CorpID: wcCorp, Secret: wcSec, AgentID: wcAgent, HTTP: httpc}},
		&dingtalk.Platform{Client: dtClient},
	}}
	return &sandboxOffice{
		sandboxServer: &sandboxServer{store: s, srv: srv, appID: appID, secret: mpSecret},
		deliver: &jobs.Deliverer{Store: s, Senders: rt.Senders(), OnFailed: rt.OnFailed, Owner: "sandbox-test", Logger: quiet,
			Backoff: func(int) time.Duration { return time.Millisecond }},
	}
}

// post sends JSON and decodes the answer.
func (h *sandboxOffice) post(t *testing.T, path string, in any) (int, map[string]any) {
	t.Helper()
	status, _, out := h.do(t, http.MethodPost, path, "application/json", string(mustJSON(in)))
	return status, out
}

// get decodes a JSON answer into out.
func (h *sandboxOffice) get(t *testing.T, path string, out any) {
	t.Helper()
	status, raw, _ := h.do(t, http.MethodGet, path, "", "")
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, status, raw)
	}
	modeltest.Must(t, json.Unmarshal([]byte(raw), out), "decode %s", path)
}

func (h *sandboxOffice) flush(t *testing.T) {
	t.Helper()
	for range 5 {
		sent, retried, _, err := h.deliver.RunOnce(context.Background())
		modeltest.Must(t, err, "deliver")
		if sent == 0 && retried == 0 {
			return
		}
	}
}

type orgView struct {
	Units []struct {
		Code, Name, Platform string
		Members              []struct{ User, Name, Role, Platform string }
	}
	Others []struct{ User, Name, Role, Platform string }
}

type dtInbox struct {
	Messages []struct {
		Kind, Type, Title, Text string
		Buttons                 []struct{ Title, URL, Action, Command string }
	}
}

// TestSandboxSwitchesUnitToDingTalk: in the sandbox a person moves a unit to
// DingTalk, assigns it a case from WeCom, sees the card in the unit's
// DingTalk group and on an officer's DingTalk, accepts by command, and moves
// the unit back to WeCom.
func TestSandboxSwitchesUnitToDingTalk(t *testing.T) {
	h := newSandboxOffice(t, modeltest.Open(t, "sqlite"))
	status, out := h.post(t, "/sandbox/api/org/unit-platform", map[string]string{"code": "cg", "platform": "dingtalk"})
	if status != http.StatusOK || out["members_moved"] != float64(2) {
		t.Fatalf("switch cg = %d %v; want 200 and 2 members moved", status, out)
	}
	var org orgView
	h.get(t, "/sandbox/api/org", &org)
	for _, u := range org.Units {
		want := "wecom"
		if u.Code == "cg" {
			want = "dingtalk"
		}
		if u.Platform != want || len(u.Members) == 0 || u.Members[0].Platform != want {
			t.Errorf("unit %s: %+v; want it and its members on %s", u.Code, u, want)
		}
	}
	if len(org.Others) != 2 {
		t.Errorf("people of no unit = %+v; want the dispatcher and the leader", org.Others)
	}

	_, _, cit := h.do(t, http.MethodPost, "/sandbox/api/citizen", "application/json",
		`{"citizen":"sandbox-citizen-dt","type":"text","text":"幸福小区东门路灯坏了一周"}`)
	no := caseNo.FindStringSubmatch(cit["reply"].(string))
	if no == nil {
		t.Fatalf("citizen reply %v has no case number", cit)
	}
	if status, out := h.post(t, "/sandbox/api/member", map[string]string{"user": "dispatcher1", "text": "交办 " + no[1] + " cg"}); status != http.StatusOK {
		t.Fatalf("dispatcher 交办 = %d %v", status, out)
	}
	h.flush(t)

	var groups struct {
		Groups map[string][]struct {
			Type, Title, Text string
			Buttons           []struct{ Title, URL, Action, Command string }
		}
	}
	h.get(t, "/sandbox/api/dingtalk/groups", &groups)
	g := groups.Groups["县城市管理局"]
	if len(g) != 1 || !strings.Contains(g[0].Text, no[1]) {
		t.Fatalf("cg DingTalk group = %+v; want the assignment card", groups)
	}
	var inbox dtInbox
	h.get(t, "/sandbox/api/dingtalk/inbox?user=cg-officer1", &inbox)
	if len(inbox.Messages) != 1 || inbox.Messages[0].Kind != "robot" || len(inbox.Messages[0].Buttons) == 0 {
		t.Fatalf("cg-officer1 DingTalk inbox = %+v; want one card with buttons", inbox)
	}
	btn := inbox.Messages[0].Buttons[0]
	if btn.Command != "签收 "+no[1] || !strings.Contains(btn.URL, "/case/"+no[1]+"?action=") {
		t.Errorf("first button = %+v; want 签收 opening the case page", btn)
	}

	status, out = h.post(t, "/sandbox/api/dingtalk/member", map[string]string{"user": "cg-officer1", "text": btn.Command})
	if reply, _ := out["reply"].(string); status != http.StatusOK || !strings.HasPrefix(reply, "已签收 "+no[1]) {
		t.Errorf("DingTalk 签收 = %d %v; want 已签收", status, out)
	}
	h.get(t, "/sandbox/api/dingtalk/inbox?user=cg-officer1", &inbox)
	if n := len(inbox.Messages); n != 2 || inbox.Messages[1].Kind != "reply" {
		t.Errorf("inbox after 签收 = %+v; want the card and the answer", inbox)
	}
	// The same member is not in WeCom any more.
	if _, out := h.post(t, "/sandbox/api/member", map[string]string{"user": "cg-officer1", "text": "待办"}); !strings.Contains(out["reply"].(string), "还不是本系统的成员") {
		t.Errorf("WeCom 待办 of a DingTalk member = %v; want not a member", out)
	}

	// Back to WeCom.
	if status, out := h.post(t, "/sandbox/api/org/unit-platform", map[string]string{"code": "cg", "platform": "wecom"}); status != http.StatusOK {
		t.Fatalf("switch back = %d %v", status, out)
	}
	if _, out := h.post(t, "/sandbox/api/member", map[string]string{"user": "cg-officer1", "text": "待办"}); !strings.Contains(out["reply"].(string), no[1]) {
		t.Errorf("WeCom 待办 after moving back = %v; want the case", out)
	}
	// A leader moves alone.
	if status, out := h.post(t, "/sandbox/api/org/member-platform", map[string]string{"user": "leader1", "platform": "dingtalk"}); status != http.StatusOK {
		t.Errorf("move leader = %d %v", status, out)
	}
	if status, out := h.post(t, "/sandbox/api/dingtalk/member", map[string]string{"user": "leader1", "text": "帮助"}); status != http.StatusOK || !strings.Contains(out["reply"].(string), "领导") {
		t.Errorf("leader on DingTalk 帮助 = %d %v; want the leader's commands", status, out)
	}
}

func TestSandboxDingTalkRejectsBadInput(t *testing.T) {
	h := newSandboxOffice(t, modeltest.Open(t, "sqlite"))
	tests := []struct {
		name, path string
		in         map[string]string
		want       int
	}{
		{"unknown unit", "/sandbox/api/org/unit-platform", map[string]string{"code": "nope", "platform": "dingtalk"}, http.StatusNotFound},
		{"unknown platform", "/sandbox/api/org/unit-platform", map[string]string{"code": "cg", "platform": "feishu"}, http.StatusBadRequest},
		{"no code", "/sandbox/api/org/unit-platform", map[string]string{"platform": "dingtalk"}, http.StatusBadRequest},
		{"unknown member", "/sandbox/api/org/member-platform", map[string]string{"user": "nobody", "platform": "dingtalk"}, http.StatusNotFound},
		{"no user", "/sandbox/api/dingtalk/member", map[string]string{"text": "帮助"}, http.StatusBadRequest},
		{"no text", "/sandbox/api/dingtalk/member", map[string]string{"user": "cg-officer1", "text": " "}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, out := h.post(t, tt.path, tt.in); status != tt.want {
				t.Errorf("POST %s %v = %d %v; want %d", tt.path, tt.in, status, out, tt.want)
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
