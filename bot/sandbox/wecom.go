package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
)

// WeComAPIPath is where the fake WeCom API is mounted.
const WeComAPIPath = "/sandbox/wecom-api"

// WeCom is the sandbox's WeCom: a fake WeCom API that the delivery
// job talks to over HTTP, and a driver that plays WeCom toward
// /callback/wecom when a person presses a button or types a command on one of
// the page's officer phones.
type WeCom struct {
	Fake   *wecomtest.FakeServer
	Driver *wecom.Driver
	// Groups lists the group robot keys to show, by group name.
	Groups map[string]string
	// presses keeps the label of each member's own button press
	// (sandbox_cards.go).
	presses cardPresses
}

// WeComCredentials returns made-up WeCom app credentials.
func WeComCredentials() (corpID, secret, token, aesKey string, agentID int64) {
	var k [32]byte
	rand.Read(k[:])
	var s [16]byte
	rand.Read(s[:])
	return "wwsandbox0000001", fmt.Sprintf("%x", s), "sandboxwecomtoken", strings.TrimSuffix(base64.StdEncoding.EncodeToString(k[:]), "="), 1000002
}

// NewWeCom returns the sandbox's WeCom for these credentials.
func NewWeCom(corpID, secret, token, aesKey string, agentID int64, now func() time.Time) *WeCom {
	fake := wecomtest.NewFakeServer(corpID, secret, agentID)
	fake.Now = now
	return &WeCom{
		Fake: fake,
		Driver: &wecom.Driver{
			URL: "http://sandbox.internal/callback/wecom", CorpID: corpID, AgentID: fmt.Sprint(agentID),
			Token: token, EncodingAESKey: aesKey, Now: now,
		},
		Groups: map[string]string{},
	}
}

func (s *Server) mountWeCom(r *gin.Engine) {
	w := s.WeCom
	if w.Driver.HTTP == nil {
		w.Driver.HTTP = &http.Client{Transport: inProcess{r}, Timeout: 5 * time.Second}
	}
	r.Any(WeComAPIPath+"/*path", gin.WrapH(http.StripPrefix(WeComAPIPath, w.Fake)))
	r.GET("/sandbox/api/member/inbox", s.memberInbox)
	r.GET("/sandbox/api/groups", s.groupInbox)
	r.GET(GroupImagePath, s.groupImage) // sandbox_groupimage.go
	r.POST("/sandbox/api/member", s.memberSend)
	r.GET(OAuthPath, s.oauthPage) // sandbox_oauth.go
}

// sandboxMemberSend is what the page posts for an officer: a command, or a
// button press (task_id and key).
type sandboxMemberSend struct {
	User   string `json:"user"`
	Text   string `json:"text"`
	TaskID string `json:"task_id"`
	Key    string `json:"key"`
}

func (s *Server) memberSend(c *gin.Context) {
	var in sandboxMemberSend
	if err := c.ShouldBindJSON(&in); err != nil || in.User == "" || len(in.User) > 64 {
		c.JSON(http.StatusBadRequest, gin.H{"error": "请求格式不对"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 5*time.Second)
	defer cancel()
	var (
		reply *wecom.Reply
		err   error
	)
	if in.Key != "" {
		reply, err = s.WeCom.Driver.ClickButton(ctx, in.User, in.TaskID, in.Key, s.WeCom.Fake.IssueResponseCode())
	} else {
		if strings.TrimSpace(in.Text) == "" {
			c.JSON(http.StatusBadRequest, gin.H{"error": "请输入命令"})
			return
		}
		n, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
		reply, err = s.WeCom.Driver.SendText(ctx, in.User, in.Text, n.Int64())
	}
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": "回调未成功：" + err.Error()})
		return
	}
	if in.Key != "" {
		s.WeCom.presses.set(in.User, in.TaskID, reply.ReplaceName)
	}
	c.JSON(http.StatusOK, gin.H{"reply": reply.Content, "button": reply.ReplaceName, "status": reply.Status})
}

// memberInbox lists what the app sent one member, with the cards' buttons.
func (s *Server) memberInbox(c *gin.Context) {
	user := c.Query("user")
	updated := map[string]string{}
	for _, u := range s.WeCom.Fake.CardUpdates() {
		for _, id := range u.UserIDs {
			if id == user {
				updated[u.ResponseCode] = u.ReplaceName
			}
		}
	}
	var out []gin.H
	for _, m := range s.WeCom.Fake.AppMessages() {
		if !addressedTo(m.ToUser, user) {
			continue
		}
		label := updated[m.ResponseCode]
		if own := s.WeCom.presses.get(user, m.TaskID); own != "" {
			label = own
		}
		out = append(out, gin.H{
			"type": m.MsgType, "text": m.Text, "task_id": m.TaskID, "at": m.At.Format(time.RFC3339),
			"card": m.Raw["template_card"], "content": appText(m), "updated": label,
		})
	}
	c.JSON(http.StatusOK, gin.H{"messages": out})
}

func addressedTo(toUser, user string) bool {
	for _, u := range strings.Split(toUser, "|") {
		if u == user || u == "@all" {
			return true
		}
	}
	return false
}

// appText is the readable body of an app message.
func appText(m wecomtest.AppMessage) string {
	switch m.MsgType {
	case "text":
		if t, ok := m.Raw["text"].(map[string]any); ok {
			s, _ := t["content"].(string)
			return s
		}
	case "markdown":
		if t, ok := m.Raw["markdown"].(map[string]any); ok {
			s, _ := t["content"].(string)
			return s
		}
	}
	return m.Text
}

func (s *Server) groupInbox(c *gin.Context) {
	out := gin.H{}
	for name, key := range s.WeCom.Groups {
		var msgs []gin.H
		for _, m := range s.WeCom.Fake.GroupMessages(key) {
			msgs = append(msgs, gin.H{"type": m.MsgType, "text": m.Text, "at": m.At.Format(time.RFC3339)})
		}
		out[name] = msgs
	}
	c.JSON(http.StatusOK, gin.H{"groups": out})
}
