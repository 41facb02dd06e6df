package sandbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot/dingtalk"
	"minsheng/bot/dingtalk/dingtalktest"
	"minsheng/models"
)

// DingTalkAPIPath is where the fake DingTalk is mounted: both API
// hosts, the custom group robots and the session webhooks.
const DingTalkAPIPath = "/sandbox/dingtalk-api"

// DingTalk is the sandbox's DingTalk: a fake of DingTalk's hosts that
// the delivery job and the robot's replies talk to over HTTP, and a driver
// that plays DingTalk toward /callback/dingtalk, signed like DingTalk, when a
// person types a command on one of the page's officer phones. Every unit on
// DingTalk gets a signed group robot on the fake; units can be moved between
// WeCom and DingTalk while the sandbox runs.
type DingTalk struct {
	Fake   *dingtalktest.FakeServer
	Driver *dingtalk.Driver
	// Base is how the server reaches itself (http://127.0.0.1:8080); the
	// fake's robots and sessions are URLs under it.
	Base string

	store    *models.Store // the org the page shows and moves (Prepare)
	secret   string        // the group robots' signing secret
	mu       sync.Mutex
	sessions map[string]string // session id → user of a 1:1 conversation
}

// DingTalkCredentials returns made-up DingTalk app credentials.
func DingTalkCredentials() (appKey, appSecret, robotCode string) {
	return "dingsandbox0000001", rand.Text(), "dingsandbox0000001"
}

// NewDingTalk returns the sandbox's DingTalk for these credentials,
// served under base + DingTalkAPIPath; now nil means time.Now.
func NewDingTalk(appKey, appSecret, robotCode, base string, now func() time.Time) *DingTalk {
	if now == nil {
		now = time.Now
	}
	base = strings.TrimRight(base, "/")
	fake := dingtalktest.NewFakeServer(appKey, appSecret, robotCode)
	fake.Now = now
	fake.URL = base + DingTalkAPIPath
	return &DingTalk{
		Fake: fake, Base: base, secret: "SEC" + rand.Text(), sessions: map[string]string{},
		Driver: &dingtalk.Driver{
			URL: "http://sandbox.internal/callback/dingtalk", AppSecret: appSecret, RobotCode: robotCode, Now: now,
		},
	}
}

// APIBase is the base URL of both of the fake's API hosts: the DingTalk
// client's APIBase and OAPIBase.
func (s *DingTalk) APIBase() string { return s.Base + DingTalkAPIPath }

// Webhook registers the sandbox group robot of unit code on the fake and
// returns its URL and signing secret.
func (s *DingTalk) Webhook(code string) (webhook, secret string) {
	token := "sandbox-dt-" + code
	s.Fake.AddWebhook(token, s.secret)
	return s.APIBase() + "/robot/send?access_token=" + url.QueryEscape(token), s.secret
}

// Prepare points every unit on DingTalk at its sandbox group robot, so that
// nothing the sandbox sends leaves the process, and registers every member
// on the fake; call it once the org is synced, before Mount. Members of
// those units move to DingTalk with them. The page's org endpoints show and
// move units and members in store.
func (s *DingTalk) Prepare(ctx context.Context, store *models.Store) error {
	s.store = store
	members, err := store.Members(ctx)
	if err != nil {
		return fmt.Errorf("sandbox dingtalk: %w", err)
	}
	for _, m := range members {
		s.Fake.AddUsers(m.UserID)
	}
	deps, err := store.Departments(ctx)
	if err != nil {
		return fmt.Errorf("sandbox dingtalk: %w", err)
	}
	for _, d := range deps {
		if d.Platform != models.PlatformDingTalk {
			continue
		}
		wh, secret := s.Webhook(d.Code)
		if _, err := store.SetUnitPlatform(ctx, d.Code, models.PlatformDingTalk, wh, secret); err != nil {
			return fmt.Errorf("sandbox dingtalk: %w", err)
		}
	}
	return nil
}

// Mount adds the fake DingTalk and the sandbox's DingTalk endpoints to r,
// the server's own router, which the driver posts its callbacks through. It
// implements handlers.Mounter.
func (s *DingTalk) Mount(r *gin.Engine) {
	store := s.store
	if s.Driver.HTTP == nil {
		s.Driver.HTTP = &http.Client{Transport: inProcess{r}, Timeout: 10 * time.Second}
	}
	r.Any(DingTalkAPIPath+"/*path", gin.WrapH(http.StripPrefix(DingTalkAPIPath, s.Fake)))
	r.POST("/sandbox/api/dingtalk/member", s.memberSend)
	r.GET("/sandbox/api/dingtalk/inbox", s.inbox)
	r.GET("/sandbox/api/dingtalk/groups", func(c *gin.Context) { s.groups(c, store) })
	r.GET("/sandbox/api/org", func(c *gin.Context) { sandboxOrg(c, store) })
	r.POST("/sandbox/api/org/unit-platform", func(c *gin.Context) { s.unitPlatform(c, store) })
	r.POST("/sandbox/api/org/member-platform", func(c *gin.Context) { sandboxMemberPlatform(c, store) })
}

// sandboxDingTalkSend is what the page posts for an officer on DingTalk: a
// command to the robot, 1:1 or @-mentioning it in the unit's group. MsgID,
// when set, is the message's msgId: sending one twice plays DingTalk
// retrying a callback.
type sandboxDingTalkSend struct {
	User  string `json:"user"`
	Text  string `json:"text"`
	Group bool   `json:"group"`
	MsgID string `json:"msg_id"`
}

func (s *DingTalk) memberSend(c *gin.Context) {
	var in sandboxDingTalkSend
	if err := c.ShouldBindJSON(&in); err != nil || in.User == "" || len(in.User) > 64 || len(in.MsgID) > 64 {
		c.JSON(http.StatusBadRequest, gin.H{"error": "请求格式不对"})
		return
	}
	if strings.TrimSpace(in.Text) == "" || len(in.Text) > 8000 {
		c.JSON(http.StatusBadRequest, gin.H{"error": "请输入命令"})
		return
	}
	d := *s.Driver // each message carries its own session webhook
	d.SessionURL = s.Fake.NewSession()
	session := sessionOf(d.SessionURL)
	if !in.Group {
		s.mu.Lock()
		s.sessions[session] = in.User
		s.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 10*time.Second)
	defer cancel()
	status, _, err := d.SendText(ctx, in.User, in.User, in.Text, in.MsgID, in.Group)
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": "回调未成功：" + err.Error(), "status": status})
		return
	}
	var replies []string
	for _, r := range s.Fake.SessionReplies() {
		if r.Session == session {
			replies = append(replies, r.Text)
		}
	}
	c.JSON(http.StatusOK, gin.H{"reply": strings.Join(replies, "\n"), "status": status})
}

// sessionOf is the session id of a fake session webhook URL.
func sessionOf(webhook string) string {
	u, err := url.Parse(webhook)
	if err != nil {
		return ""
	}
	return u.Query().Get("session")
}

// sandboxButton is a card button as the page shows it: DingTalk opens URL;
// Command is what the member can send the robot instead.
type sandboxButton struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	Action  string `json:"action"`
	Command string `json:"command"`
}

func button(title, link string) sandboxButton {
	b := sandboxButton{Title: title, URL: link}
	if u, err := url.Parse(link); err == nil {
		b.Action = u.Query().Get("action")
	}
	// The bot's button keys are commands written verb:case[:arg].
	b.Command = strings.ReplaceAll(b.Action, ":", " ")
	return b
}

type sandboxDingTalkMessage struct {
	Kind    string          `json:"kind"` // robot (1:1 push) or reply (answer to a command)
	Type    string          `json:"type"` // DingTalk's msgKey or msgtype
	Title   string          `json:"title,omitempty"`
	Text    string          `json:"text"`
	Buttons []sandboxButton `json:"buttons,omitempty"`
	At      time.Time       `json:"at"`
}

// inbox lists what one member received from the robot 1:1: the pushes of
// the delivery job and the answers to their commands, oldest first.
func (s *DingTalk) inbox(c *gin.Context) {
	user := c.Query("user")
	out := []sandboxDingTalkMessage{}
	for _, m := range s.Fake.RobotMessages() {
		if !containsString(m.UserIDs, user) {
			continue
		}
		out = append(out, robotMessage(m))
	}
	s.mu.Lock()
	for _, r := range s.Fake.SessionReplies() {
		if s.sessions[r.Session] == user {
			out = append(out, sandboxDingTalkMessage{Kind: "reply", Type: r.MsgType, Title: r.Title, Text: r.Text, At: r.At})
		}
	}
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	c.JSON(http.StatusOK, gin.H{"messages": out})
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// robotMessage reads a robot 1:1 message's template parameters.
func robotMessage(m dingtalktest.RobotMessage) sandboxDingTalkMessage {
	p := func(k string) string {
		s, _ := m.Param[k].(string)
		return s
	}
	out := sandboxDingTalkMessage{Kind: "robot", Type: m.MsgKey, Title: p("title"), Text: p("text"), At: m.At}
	if m.MsgKey == dingtalk.MsgKeyText {
		out.Text = p("content")
	}
	if t := p("singleTitle"); t != "" {
		out.Buttons = append(out.Buttons, button(t, p("singleURL")))
	}
	for i := 1; i <= 5; i++ {
		if t := p(fmt.Sprintf("actionTitle%d", i)); t != "" {
			out.Buttons = append(out.Buttons, button(t, p(fmt.Sprintf("actionURL%d", i))))
		}
	}
	return out
}

// groups lists what each unit's DingTalk group robot posted, by unit name.
func (s *DingTalk) groups(c *gin.Context, store *models.Store) {
	deps, err := store.Departments(c.Request.Context())
	if err != nil {
		slog.ErrorContext(c.Request.Context(), "sandbox: list units", "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "读取单位失败"})
		return
	}
	out := gin.H{}
	for _, d := range deps {
		token := "sandbox-dt-" + d.Code
		if !strings.Contains(d.DingTalkWebhook, "access_token="+url.QueryEscape(token)) {
			continue
		}
		msgs := []sandboxDingTalkMessage{}
		for _, m := range s.Fake.GroupMessages(token) {
			g := sandboxDingTalkMessage{Kind: "group", Type: m.MsgType, Title: m.Title, Text: m.Text, At: m.At}
			for _, b := range m.Buttons {
				g.Buttons = append(g.Buttons, button(b.Title, b.URL))
			}
			msgs = append(msgs, g)
		}
		out[d.Name] = msgs
	}
	c.JSON(http.StatusOK, gin.H{"groups": out})
}

type sandboxPerson struct {
	User     string          `json:"user"`
	Name     string          `json:"name"`
	Role     string          `json:"role"`
	Platform models.Platform `json:"platform"`
}

type sandboxUnit struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	Platform models.Platform `json:"platform"`
	Members  []sandboxPerson `json:"members"`
}

// sandboxOrg lists the units with their platform and members, and the
// people of no unit (dispatchers, leaders).
func sandboxOrg(c *gin.Context, store *models.Store) {
	ctx := c.Request.Context()
	deps, err := store.Departments(ctx)
	if err != nil {
		slog.ErrorContext(c.Request.Context(), "sandbox: list units", "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "读取单位失败"})
		return
	}
	members, err := store.Members(ctx)
	if err != nil {
		slog.ErrorContext(c.Request.Context(), "sandbox: list members", "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "读取成员失败"})
		return
	}
	units := make([]sandboxUnit, len(deps))
	index := map[uint64]int{}
	for i, d := range deps {
		units[i] = sandboxUnit{Code: d.Code, Name: d.Name, Platform: d.Platform, Members: []sandboxPerson{}}
		index[d.ID] = i
	}
	others := []sandboxPerson{}
	for _, m := range members {
		p := sandboxPerson{User: m.UserID, Name: m.Name, Role: string(m.Role), Platform: m.Platform}
		if m.DepartmentID != nil {
			if i, ok := index[*m.DepartmentID]; ok {
				units[i].Members = append(units[i].Members, p)
				continue
			}
		}
		others = append(others, p)
	}
	c.JSON(http.StatusOK, gin.H{"units": units, "others": others})
}

// sandboxPlatformSwitch is what the page posts to move a unit (Code) or a
// person of no unit (User) to another platform.
type sandboxPlatformSwitch struct {
	Code     string          `json:"code"`
	User     string          `json:"user"`
	Platform models.Platform `json:"platform"`
}

// unitPlatform moves a unit and its members to WeCom or DingTalk; on
// DingTalk its group is the sandbox robot.
func (s *DingTalk) unitPlatform(c *gin.Context, store *models.Store) {
	var in sandboxPlatformSwitch
	if err := c.ShouldBindJSON(&in); err != nil || in.Code == "" || !models.ValidPlatform(in.Platform) {
		c.JSON(http.StatusBadRequest, gin.H{"error": "请求格式不对：需要 code 和 platform（wecom 或 dingtalk）"})
		return
	}
	var webhook, secret string
	if in.Platform == models.PlatformDingTalk {
		webhook, secret = s.Webhook(in.Code)
	}
	moved, err := store.SetUnitPlatform(c.Request.Context(), in.Code, in.Platform, webhook, secret)
	if err != nil {
		platformSwitchError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"code": in.Code, "platform": in.Platform, "members_moved": moved})
}

// sandboxMemberPlatform moves one person (a dispatcher or leader, say) to
// WeCom or DingTalk.
func sandboxMemberPlatform(c *gin.Context, store *models.Store) {
	var in sandboxPlatformSwitch
	if err := c.ShouldBindJSON(&in); err != nil || in.User == "" || !models.ValidPlatform(in.Platform) {
		c.JSON(http.StatusBadRequest, gin.H{"error": "请求格式不对：需要 user 和 platform（wecom 或 dingtalk）"})
		return
	}
	if err := store.SetMemberPlatform(c.Request.Context(), in.User, in.Platform); err != nil {
		platformSwitchError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": in.User, "platform": in.Platform})
}

func platformSwitchError(c *gin.Context, err error) {
	switch {
	case errors.Is(err, models.ErrNotFound):
		c.JSON(http.StatusNotFound, gin.H{"error": "没有这个单位或成员"})
	case errors.Is(err, models.ErrDuplicate):
		c.JSON(http.StatusConflict, gin.H{"error": "该成员在两个平台上都已配置，不能切换"})
	default:
		slog.ErrorContext(c.Request.Context(), "sandbox: switch platform", "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "切换失败"})
	}
}
