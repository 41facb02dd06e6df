package dingtalk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// DefaultSessionTTL is how long a sessionWebhook stays usable after the
// message that carried it: 90 minutes in DingTalk's own callbacks.
const DefaultSessionTTL = 90 * time.Minute

// Driver plays DingTalk's servers toward our robot callback URL in tests: it
// builds the JSON DingTalk builds, signs it with the app's AppSecret in the
// timestamp and sign headers, and posts it. The sessionWebhook it puts in
// each message is SessionURL (for example FakeServer.NewSession()), so the
// replies our handler sends can be captured. Zero HTTP, Now and SessionTTL
// mean http.DefaultClient, time.Now and DefaultSessionTTL.
type Driver struct {
	URL        string // our callback URL
	AppSecret  string
	RobotCode  string
	CorpID     string        // chatbotCorpId and senderCorpId; "" means "dingcorp0001"
	SessionURL string        // the sessionWebhook put in every message
	SessionTTL time.Duration // sessionWebhookExpiredTime = now + SessionTTL
	HTTP       *http.Client
	Now        func() time.Time
}

func (d *Driver) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Driver) corp() string {
	if d.CorpID != "" {
		return d.CorpID
	}
	return "dingcorp0001"
}

// opaqueID imitates DingTalk's encrypted ids ("$:LWCP_v1:$..."): stable for
// the same input, meaningless outside DingTalk.
func opaqueID(kind, s string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + s))
	return "$:LWCP_v1:$" + base64.StdEncoding.EncodeToString(sum[:18])
}

// randomID returns prefix followed by n random bytes in base64, the shape of
// DingTalk's msgId ("msg…==") and conversationId ("cid…==").
func randomID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return prefix + base64.StdEncoding.EncodeToString(b)
}

// TextMessage returns the callback DingTalk sends when member staffID (nick)
// writes text to the robot, 1:1 or, with group, @-mentioning it in a group
// (DingTalk then puts a space before the text). msgID "" draws a fresh one.
func (d *Driver) TextMessage(staffID, nick, text, msgID string, group bool) Message {
	now := d.now()
	ttl := d.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	if msgID == "" {
		msgID = randomID("msg", 16)
	}
	bot := opaqueID("bot", d.RobotCode)
	m := Message{
		MsgID:                     msgID,
		MsgType:                   MsgTypeText,
		Body:                      TextBody{Content: text},
		CreateAt:                  now.UnixMilli(),
		ConversationType:          ConversationSingle,
		ConversationID:            "cid" + opaqueID("1:1", staffID+"\x00"+d.RobotCode)[11:],
		SenderStaffID:             staffID,
		SenderID:                  opaqueID("user", staffID),
		SenderNick:                nick,
		SenderCorpID:              d.corp(),
		ChatbotUserID:             bot,
		ChatbotCorpID:             d.corp(),
		RobotCode:                 d.RobotCode,
		SessionWebhook:            d.SessionURL,
		SessionWebhookExpiredTime: now.Add(ttl).UnixMilli(),
	}
	if group {
		m.ConversationType = ConversationGroup
		m.ConversationID = "cid" + opaqueID("group", d.RobotCode)[11:]
		m.ConversationTitle = "测试群"
		m.Body.Content = " " + text
		m.IsInAtList = true
		m.AtUsers = []AtUser{{DingtalkID: bot}}
	}
	return m
}

// SendText delivers TextMessage(staffID, nick, text, msgID, group) to our
// callback, signed, and returns the answer's status and body. The error is
// set for transport failures and for any status but 200.
func (d *Driver) SendText(ctx context.Context, staffID, nick, text, msgID string, group bool) (status int, body []byte, err error) {
	return d.Send(ctx, d.TextMessage(staffID, nick, text, msgID, group))
}

// Send delivers m, as built by TextMessage and perhaps altered, to our
// callback with fresh timestamp and sign headers. Errors are as for SendText.
func (d *Driver) Send(ctx context.Context, m Message) (status int, body []byte, err error) {
	b, err := json.Marshal(m)
	if err != nil {
		return 0, nil, fmt.Errorf("dingtalk driver: encode message: %w", err)
	}
	status, body, err = d.SendRaw(ctx, d.SignedHeader(), b)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("dingtalk driver: callback answered %d: %.200s", status, body)
	}
	return status, body, err
}

// SignedHeader returns the headers DingTalk sends with a callback now:
// Content-Type, timestamp (milliseconds) and sign.
func (d *Driver) SignedHeader() http.Header {
	ms := d.now().UnixMilli()
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("timestamp", strconv.FormatInt(ms, 10))
	h.Set("sign", Sign(d.AppSecret, ms))
	return h
}

// SendRaw POSTs body to our callback with exactly the headers given (plus a
// JSON Content-Type if they have none), for tests of bad signatures and
// malformed bodies. It returns the status and
// body whatever they are; the error is for transport failures only.
func (d *Driver) SendRaw(ctx context.Context, headers http.Header, body []byte) (status int, respBody []byte, err error) {
	hc := d.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	status, respBody, err = exchange(ctx, hc, http.MethodPost, d.URL, headers.Clone(), body)
	if err != nil {
		return status, respBody, fmt.Errorf("dingtalk driver: post callback: %w", err)
	}
	return status, respBody, nil
}
