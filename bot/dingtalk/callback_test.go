package dingtalk

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// sampleGroupBody is the callback of DingTalk's documentation (robot receive
// message), with its numbers as numbers.
const sampleGroupBody = `{
    "conversationId": "xxx",
    "atUsers": [{"dingtalkId": "xxx", "staffId": "xxx"}],
    "chatbotCorpId": "dinge8a565xxxx",
    "chatbotUserId": "$:LWCP_v1:$Cxxxxx",
    "msgId": "msg0xxxxx",
    "senderNick": "杨xx",
    "isAdmin": true,
    "senderStaffId": "user123",
    "sessionWebhookExpiredTime": 1613635652738,
    "createAt": 1613630252678,
    "senderCorpId": "dinge8a565xxxx",
    "conversationType": "2",
    "senderId": "$:LWCP_v1:$Ff09GIxxxxx",
    "conversationTitle": "机器人测试-TEST",
    "isInAtList": true,
    "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=xxxxx",
    "text": {"content": " 你好"},
    "msgtype": "text"
}`

// sampleSingleBody is a 1:1 callback as DingTalk sends it to an app robot,
// with createAt as the documentation's String.
const sampleSingleBody = `{"conversationId":"cidw1M9XtXqUwbkQeXnFbDw2m/4PVEPTSsRBgvJjwby6dg=","chatbotCorpId":"dingba6d4de2","chatbotUserId":"$:LWCP_v1:$e0Rhhrf+yDZk","msgId":"msgAMVBzPulTJGBbGXvR5v4sQ==","senderNick":"头皮发麻","isAdmin":true,"senderStaffId":"2246663532780303","sessionWebhookExpiredTime":1683267349125,"createAt":"1683261948877","senderCorpId":"dingba6d4de2","conversationType":"1","senderId":"$:LWCP_v1:$JyL/YRce38B7","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=f41dd76d","text":{"content":"你是什么"},"robotCode":"dingwjbmfyoxjs27qbwo","msgtype":"text"}`

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr bool
		check   func(t *testing.T, m Message)
	}{
		{name: "documented group message", body: sampleGroupBody, check: func(t *testing.T, m Message) {
			if m.MsgID != "msg0xxxxx" || m.SenderStaffID != "user123" || !m.IsGroup() || m.CreateAt != 1613630252678 ||
				m.SessionWebhookExpiredTime != 1613635652738 || len(m.AtUsers) != 1 || !m.IsInAtList || m.ConversationTitle != "机器人测试-TEST" {
				t.Errorf("ParseMessage = %+v", m)
			}
			if got, want := m.Text(), "你好"; got != want {
				t.Errorf("Text() = %q; want %q", got, want)
			}
		}},
		{name: "1:1 message with string createAt", body: sampleSingleBody, check: func(t *testing.T, m Message) {
			if m.IsGroup() || m.ConversationType != ConversationSingle || m.CreateAt != 1683261948877 || m.RobotCode != "dingwjbmfyoxjs27qbwo" {
				t.Errorf("ParseMessage = %+v", m)
			}
		}},
		{name: "numeric conversationType", body: `{"msgId":"m","senderId":"s","conversationType":2}`, check: func(t *testing.T, m Message) {
			if !m.IsGroup() {
				t.Errorf("IsGroup() = false for conversationType 2")
			}
		}},
		{name: "external member without staff id", body: `{"msgId":"m","senderId":"$:LWCP_v1:$x","msgtype":"text","text":{"content":"hi"}}`, check: func(t *testing.T, m Message) {
			if m.SenderStaffID != "" || m.Text() != "hi" {
				t.Errorf("ParseMessage = %+v", m)
			}
		}},
		{name: "picture has no text", body: `{"msgId":"m","senderStaffId":"u","msgtype":"picture","content":{"downloadCode":"x"}}`, check: func(t *testing.T, m Message) {
			if m.Text() != "" {
				t.Errorf("Text() = %q for a picture", m.Text())
			}
		}},
		{name: "too large", body: `{"msgId":"m","senderStaffId":"u","text":{"content":"` + strings.Repeat("长", MaxBodySize/3+1) + `"}}`, wantErr: true},
		{name: "not JSON", body: `<xml/>`, wantErr: true},
		{name: "empty", body: ``, wantErr: true},
		{name: "null", body: `null`, wantErr: true},
		{name: "array", body: `[{"msgId":"m","senderStaffId":"u"}]`, wantErr: true},
		{name: "trailing garbage", body: `{"msgId":"m","senderStaffId":"u"} x`, wantErr: true},
		{name: "missing msgId", body: `{"senderStaffId":"u","text":{"content":"hi"}}`, wantErr: true},
		{name: "blank msgId", body: `{"msgId":"  ","senderStaffId":"u"}`, wantErr: true},
		{name: "missing sender", body: `{"msgId":"m","text":{"content":"hi"}}`, wantErr: true},
		{name: "createAt not a number", body: `{"msgId":"m","senderStaffId":"u","createAt":"yesterday"}`, wantErr: true},
		{name: "createAt an object", body: `{"msgId":"m","senderStaffId":"u","createAt":{}}`, wantErr: true},
		{name: "negative expiry", body: `{"msgId":"m","senderStaffId":"u","sessionWebhookExpiredTime":-1}`, wantErr: true},
		{name: "text not an object", body: `{"msgId":"m","senderStaffId":"u","text":"hi"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tt.body))
			if tt.wantErr {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("ParseMessage = %+v, %v; want ErrMalformed", m, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMessage: %v", err)
			}
			tt.check(t, m)
		})
	}
}

func TestSessionValid(t *testing.T) {
	exp := time.UnixMilli(1613635652738)
	m := Message{SessionWebhook: "https://oapi.dingtalk.com/robot/sendBySession?session=x", SessionWebhookExpiredTime: exp.UnixMilli()}
	tests := []struct {
		name string
		m    Message
		now  time.Time
		want bool
	}{
		{"before expiry", m, exp.Add(-time.Millisecond), true},
		{"at expiry", m, exp, false},
		{"after expiry", m, exp.Add(time.Hour), false},
		{"no webhook", Message{SessionWebhookExpiredTime: exp.UnixMilli()}, exp.Add(-time.Hour), false},
		{"no expiry", Message{SessionWebhook: m.SessionWebhook}, exp.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.SessionValid(tt.now); got != tt.want {
				t.Errorf("SessionValid(%v) = %v; want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestSessionAllowed(t *testing.T) {
	bases := []string{"https://api.dingtalk.com", "https://oapi.dingtalk.com", "http://127.0.0.1:9000"}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://oapi.dingtalk.com/robot/sendBySession?session=abc", true},
		{"http://127.0.0.1:9000/robot/sendBySession?session=abc", true},
		{"https://OAPI.dingtalk.com/robot/sendBySession?session=abc", true},
		{"http://oapi.dingtalk.com/robot/sendBySession?session=abc", false},
		{"http://127.0.0.1:18490/robot/sendBySession?session=abc", false},
		{"https://oapi.dingtalk.com.evil.example/robot/sendBySession", false},
		{"https://user@oapi.dingtalk.com/robot/sendBySession", false},
		{"https://oapi.dingtalk.com/robot/send?access_token=x", false},
		{"/robot/sendBySession", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := SessionAllowed(tt.url, bases); got != tt.want {
			t.Errorf("SessionAllowed(%q) = %v; want %v", tt.url, got, tt.want)
		}
	}
}
