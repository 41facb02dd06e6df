package sandbox_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/bot/sandbox"
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
	appID, secret, token, aesKey := sandbox.Credentials()
	router := handlers.New(handlers.Deps{
		Store: s, Bot: b, Metrics: handlers.NewMetrics(s),
		Citizen: &mp.Inbound{AppID: appID, AppSecret: secret, Token: token, EncodingAESKey: aesKey,
			Window: 5 * time.Minute, MaxBody: 1 << 20},
		Mounts: []handlers.Mounter{sandbox.New(appID, secret, token, aesKey, nil)},
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
	for _, want := range []string{"民声", `id="text"`, `id="go"`, `id="mine"`, "/sandbox/api/citizen",
		`id="p1-chat"`, `id="p2-chat"`, "/sandbox/api/member", "/sandbox/api/dingtalk/member", "/sandbox/api/org/unit-platform", `id="groups"`} {
		if !strings.Contains(body, want) {
			t.Errorf("sandbox page lacks %q", want)
		}
	}
	// Nothing external: the sandbox must work with no network at all.
	if ext := externalRef.FindString(body); ext != "" {
		t.Errorf("sandbox page loads %q from elsewhere", ext)
	}
}

// externalRef finds a script, style, image or frame loaded from another host.
var externalRef = regexp.MustCompile(`(?i)(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//`)

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

	// The phone shows the same conversation after a reload: the citizen's
	// messages and the answers that came back at once, in order.
	_, raw, out = h.do(t, http.MethodGet, "/sandbox/api/citizen/inbox?citizen=sandbox-citizen-1", "", "")
	hist, _ := out["history"].([]any)
	var lines []string
	for _, x := range hist {
		m, _ := x.(map[string]any)
		lines = append(lines, fmt.Sprint(m["kind"], ":", m["text"]))
	}
	if len(lines) != 4 || lines[0] != "me:小区门口路灯坏了一周" || lines[1] != "them:"+reply || lines[2] != "me:我的" || !strings.HasPrefix(lines[3], "them:您反映的问题") {
		t.Errorf("inbox history = %q (%s); want both messages and both answers", lines, raw)
	}
	if _, _, other := h.do(t, http.MethodGet, "/sandbox/api/citizen/inbox?citizen=sandbox-citizen-2", "", ""); len(other["history"].([]any)) != 0 {
		t.Errorf("another citizen's inbox shows %v", other["history"])
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
	status, raw, out := h.do(t, http.MethodGet, sandbox.MPAPIPath+"/cgi-bin/token?"+q.Encode(), "", "")
	if status != http.StatusOK {
		t.Fatalf("token = %d %s; want 200", status, raw)
	}
	if tok, _ := out["access_token"].(string); tok == "" {
		t.Errorf("token answer = %s; want an access_token", raw)
	}
	q.Set("secret", "wrong")
	_, raw, out = h.do(t, http.MethodGet, sandbox.MPAPIPath+"/cgi-bin/token?"+q.Encode(), "", "")
	if tok, _ := out["access_token"].(string); tok != "" || out["errcode"] == nil {
		t.Errorf("token with a wrong secret = %s; want an errcode and no token", raw)
	}
}

// wecomInbox is /sandbox/api/member/inbox: what the fake WeCom app sent one
// member.
type wecomInbox struct {
	Messages []struct {
		Type    string `json:"type"`
		Content string `json:"content"`
		TaskID  string `json:"task_id"`
		Updated string `json:"updated"`
		Card    struct {
			Buttons []struct {
				Key  string `json:"key"`
				Text string `json:"text"`
			} `json:"button_list"`
		} `json:"card"`
	} `json:"messages"`
}

// cards returns the task ids of the cards carrying a button with key, and
// their labels after a press ("" while the buttons are live).
func (in wecomInbox) cards(key string) (tasks, labels []string) {
	for _, m := range in.Messages {
		for _, b := range m.Card.Buttons {
			if b.Key == key {
				tasks, labels = append(tasks, m.TaskID), append(labels, m.Updated)
			}
		}
	}
	return tasks, labels
}

// texts returns the text messages of the inbox.
func (in wecomInbox) texts() []string {
	var out []string
	for _, m := range in.Messages {
		if m.Type == "text" {
			out = append(out, m.Content)
		}
	}
	return out
}

func (h *sandboxOffice) wecomInbox(t *testing.T, user string) wecomInbox {
	t.Helper()
	var in wecomInbox
	h.get(t, "/sandbox/api/member/inbox?user="+user, &in)
	return in
}

// press presses the button key on the only card of user that carries it and
// returns the new label.
func (h *sandboxOffice) press(t *testing.T, user, key string) string {
	t.Helper()
	tasks, _ := h.wecomInbox(t, user).cards(key)
	if len(tasks) != 1 {
		t.Fatalf("%s has %d cards with button %s; want 1", user, len(tasks), key)
	}
	status, out := h.post(t, "/sandbox/api/member", map[string]string{"user": user, "task_id": tasks[0], "key": key})
	if status != http.StatusOK {
		t.Fatalf("%s presses %s = %d %v; want 200", user, key, status, out)
	}
	label, _ := out["button"].(string)
	return label
}

func (h *sandboxOffice) status(t *testing.T, no string) models.Status {
	t.Helper()
	k, err := h.store.CaseByNo(context.Background(), no)
	modeltest.Must(t, err, "case %s", no)
	return k.Status
}

// TestSandboxMemberButtons plays the officers' phones of the sandbox page
// through its endpoints: the dispatcher presses 交办 on the new-case card,
// the officer 签收 on the assignment card, types 答复, the head presses
// 同意, and the citizen has the answer. Each press changes the case, and the
// presser's card shows its new label.
func TestSandboxMemberButtons(t *testing.T) {
	h := newSandboxOffice(t, modeltest.Open(t, "sqlite"))
	const citizen = "sandbox-citizen-buttons"
	_, _, cit := h.do(t, http.MethodPost, "/sandbox/api/citizen", "application/json",
		`{"citizen":"`+citizen+`","type":"text","text":"幸福小区东门路灯坏了一周，晚上很黑"}`)
	m := caseNo.FindStringSubmatch(cit["reply"].(string))
	if m == nil {
		t.Fatalf("citizen reply %v has no case number", cit)
	}
	no := m[1]
	h.flush(t)

	// A press the member may not make leaves the case as it is.
	if label := h.press(t, "dispatcher1", "交办:"+no+":cg"); !strings.HasPrefix(label, "已交办") {
		t.Fatalf("交办 label = %q; want 已交办…", label)
	}
	if got := h.status(t, no); got != models.StatusAssigned {
		t.Errorf("after 交办 case is %s; want %s", got, models.StatusAssigned)
	}
	h.flush(t)
	if _, labels := h.wecomInbox(t, "dispatcher1").cards("交办:" + no + ":cg"); len(labels) != 1 || !strings.HasPrefix(labels[0], "已交办") {
		t.Errorf("dispatcher's card after the press = %q; want the label 已交办…", labels)
	}
	// Pressing again (a double tap) assigns nothing twice.
	h.press(t, "dispatcher1", "交办:"+no+":cg")
	h.flush(t)
	if tasks, _ := h.wecomInbox(t, "cg-officer1").cards("签收:" + no); len(tasks) != 1 {
		t.Errorf("officer has %d 签收 cards after a double tap; want 1", len(tasks))
	}

	if label := h.press(t, "cg-officer1", "签收:"+no); label != "已签收" {
		t.Errorf("签收 label = %q; want 已签收", label)
	}
	if got := h.status(t, no); got != models.StatusHandling {
		t.Errorf("after 签收 case is %s; want %s", got, models.StatusHandling)
	}
	h.flush(t)
	if _, labels := h.wecomInbox(t, "cg-head").cards("签收:" + no); len(labels) != 1 || !strings.Contains(labels[0], "李承办签收") {
		t.Errorf("head's 签收 card = %q; want it updated to say 李承办 accepted", labels)
	}
	if texts := h.wecomInbox(t, "cg-officer1").texts(); len(texts) != 1 || !strings.HasPrefix(texts[0], "已签收 "+no) {
		t.Errorf("officer's chat after 签收 = %q; want the answer to the press", texts)
	}

	status, out := h.post(t, "/sandbox/api/member", map[string]string{"user": "cg-officer1", "text": "答复 " + no + " 已安排维修人员更换东门路灯的灯泡和线路，现已恢复夜间照明。"})
	if reply, _ := out["reply"].(string); status != http.StatusOK || !strings.Contains(reply, "已提交") {
		t.Fatalf("答复 = %d %v; want the draft submitted", status, out)
	}
	h.flush(t)
	h.press(t, "cg-head", "同意:"+no)
	if got := h.status(t, no); got != models.StatusAnswered {
		t.Errorf("after 同意 case is %s; want %s", got, models.StatusAnswered)
	}
	h.flush(t)
	var inbox struct{ Messages []struct{ Text string } }
	h.get(t, "/sandbox/api/citizen/inbox?citizen="+citizen, &inbox)
	if n := len(inbox.Messages); n == 0 || !strings.Contains(inbox.Messages[n-1].Text, "恢复夜间照明") {
		t.Errorf("citizen's inbox = %+v; want the answer last", inbox.Messages)
	}

	// Nobody in a unit, nor any group, learns who reported.
	for _, path := range []string{"/sandbox/api/member/inbox?user=cg-officer1", "/sandbox/api/member/inbox?user=cg-head", "/sandbox/api/groups"} {
		if _, raw, _ := h.do(t, http.MethodGet, path, "", ""); strings.Contains(raw, citizen) {
			t.Errorf("%s carries the citizen's id: %s", path, raw)
		}
	}
}

func TestSandboxMemberRefusedPresses(t *testing.T) {
	h := newSandboxOffice(t, modeltest.Open(t, "sqlite"))
	_, _, cit := h.do(t, http.MethodPost, "/sandbox/api/citizen", "application/json",
		`{"citizen":"sandbox-citizen-refused","type":"text","text":"幸福小区东门路灯坏了一周，晚上很黑"}`)
	m := caseNo.FindStringSubmatch(cit["reply"].(string))
	if m == nil {
		t.Fatalf("citizen reply %v has no case number", cit)
	}
	no := m[1]
	h.flush(t)
	tasks, _ := h.wecomInbox(t, "dispatcher1").cards("交办:" + no + ":cg")
	if len(tasks) != 1 {
		t.Fatalf("dispatcher has %d new-case cards; want 1", len(tasks))
	}
	tests := []struct {
		name       string
		in         map[string]string
		wantStatus int
		wantLabel  string
	}{
		{"an officer may not assign", map[string]string{"user": "cg-officer1", "task_id": tasks[0], "key": "交办:" + no + ":cg"}, http.StatusOK, "无权操作"},
		{"no user", map[string]string{"task_id": tasks[0], "key": "交办:" + no + ":cg"}, http.StatusBadRequest, ""},
		{"neither a command nor a button", map[string]string{"user": "dispatcher1", "text": "  "}, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := h.post(t, "/sandbox/api/member", tt.in)
			if status != tt.wantStatus {
				t.Fatalf("POST %v = %d %v; want %d", tt.in, status, out, tt.wantStatus)
			}
			if label, _ := out["button"].(string); label != tt.wantLabel {
				t.Errorf("label = %q; want %q", label, tt.wantLabel)
			}
			if msg, _ := out["error"].(string); tt.wantStatus != http.StatusOK && !hasHan(msg) {
				t.Errorf("error = %q; want a message in Chinese", msg)
			}
		})
	}
	if got := h.status(t, no); got != models.StatusReceived {
		t.Errorf("case is %s after refused presses; want still %s", got, models.StatusReceived)
	}
}

// TestSandboxGroupImage: a picture a group robot posted (the weekly chart)
// can be seen on the page, and nothing else is served in its place.
func TestSandboxGroupImage(t *testing.T) {
	h := newSandboxOffice(t, modeltest.Open(t, "sqlite"))
	var buf bytes.Buffer
	modeltest.Must(t, png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 3))), "encode png")
	pic := buf.Bytes()
	sum := md5.Sum(pic)
	status, out := h.post(t, sandbox.WeComAPIPath+"/cgi-bin/webhook/send?key=sandbox-cg", map[string]any{
		"msgtype": "image", "image": map[string]string{"base64": base64.StdEncoding.EncodeToString(pic), "md5": hex.EncodeToString(sum[:])},
	})
	if status != http.StatusOK || out["errcode"] != float64(0) {
		t.Fatalf("post a picture to the group = %d %v", status, out)
	}
	tests := []struct {
		name, query string
		want        int
	}{
		{"the picture", "group=" + url.QueryEscape("县城市管理局") + "&i=0", http.StatusOK},
		{"past the end", "group=" + url.QueryEscape("县城市管理局") + "&i=1", http.StatusNotFound},
		{"negative index", "group=" + url.QueryEscape("县城市管理局") + "&i=-1", http.StatusNotFound},
		{"not a number", "group=" + url.QueryEscape("县城市管理局") + "&i=x", http.StatusNotFound},
		{"a group with no picture", "group=" + url.QueryEscape("县住房和城乡建设局") + "&i=0", http.StatusNotFound},
		{"no such group", "group=nope&i=0", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, raw, _ := h.do(t, http.MethodGet, sandbox.GroupImagePath+"?"+tt.query, "", "")
			if status != tt.want {
				t.Fatalf("GET %s = %d; want %d", tt.query, status, tt.want)
			}
			if tt.want == http.StatusOK && raw != string(pic) {
				t.Errorf("GET %s = %d bytes; want the %d bytes posted", tt.query, len(raw), len(pic))
			}
		})
	}
}
