package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxBodySize is the largest callback body this package accepts (1 MiB).
// Read the body through http.MaxBytesReader so a larger one is not buffered.
const MaxBodySize = 1 << 20

// Conversation types, as DingTalk writes them in conversationType.
const (
	ConversationSingle = "1" // 1:1 with the robot
	ConversationGroup  = "2" // a group the robot was @-mentioned in
)

// MsgTypeText is the msgtype of a text message, the only kind the bot reads.
const MsgTypeText = "text"

// ErrMalformed reports a callback body that is not what DingTalk sends: too
// large, not a JSON object, or without msgId or a sender. The HTTP handler
// answers 400.
var ErrMalformed = errors.New("dingtalk: malformed callback")

// ErrSessionExpired reports a reply to a message whose sessionWebhook is
// missing or past sessionWebhookExpiredTime, or that DingTalk no longer knows.
// Answer through the app (Client.SendToUsers) or a group robot instead.
var ErrSessionExpired = errors.New("dingtalk: session webhook expired")

// TextBody is the text part of a message.
type TextBody struct {
	Content string `json:"content"`
}

// AtUser is one member @-mentioned in a group message.
type AtUser struct {
	DingtalkID string `json:"dingtalkId"`        // encrypted id
	StaffID    string `json:"staffId,omitempty"` // userid, for members of the corp
}

// Message is the JSON body of a robot callback: a member's message to the
// robot, 1:1 or with an @-mention in a group. It marshals back to the same
// JSON, which is how Driver builds callbacks.
type Message struct {
	MsgID             string   `json:"msgId"`   // encrypted; the key to deduplicate retries
	MsgType           string   `json:"msgtype"` // "text", "richText", "picture", ...
	Body              TextBody `json:"text"`    // text messages only; see Text
	CreateAt          int64    `json:"createAt"`
	ConversationType  string   `json:"conversationType"` // ConversationSingle or ConversationGroup
	ConversationID    string   `json:"conversationId"`
	ConversationTitle string   `json:"conversationTitle,omitempty"` // groups only

	// SenderStaffID is the sender's userid, the id every API takes. It is
	// empty for people outside the corp (external groups); SenderID is
	// always there but encrypted and good for nothing but comparison.
	SenderStaffID string `json:"senderStaffId,omitempty"`
	SenderID      string `json:"senderId,omitempty"`
	SenderNick    string `json:"senderNick,omitempty"`
	SenderCorpID  string `json:"senderCorpId,omitempty"`
	IsAdmin       bool   `json:"isAdmin,omitempty"`

	ChatbotUserID string   `json:"chatbotUserId,omitempty"`
	ChatbotCorpID string   `json:"chatbotCorpId,omitempty"`
	RobotCode     string   `json:"robotCode,omitempty"`
	IsInAtList    bool     `json:"isInAtList,omitempty"`
	AtUsers       []AtUser `json:"atUsers,omitempty"`

	// SessionWebhook answers this conversation without an access token
	// until SessionWebhookExpiredTime (Unix milliseconds; about 90 minutes).
	SessionWebhook            string `json:"sessionWebhook,omitempty"`
	SessionWebhookExpiredTime int64  `json:"sessionWebhookExpiredTime,omitempty"`
}

// wireMessage decodes a callback; createAt, sessionWebhookExpiredTime and
// conversationType arrive as numbers in practice and as strings in the
// documentation, so both are accepted.
type wireMessage struct {
	Message
	CreateAt                  json.RawMessage `json:"createAt"`
	ConversationType          json.RawMessage `json:"conversationType"`
	SessionWebhookExpiredTime json.RawMessage `json:"sessionWebhookExpiredTime"`
}

// scalar returns a JSON number or string as its text ("" for null or absent).
func scalar(name string, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
		}
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("%w: %s is neither a number nor a string", ErrMalformed, name)
	}
	return n.String(), nil
}

// millis parses an optional millisecond timestamp field.
func millis(name string, raw json.RawMessage) (int64, error) {
	s, err := scalar(name, raw)
	if err != nil || s == "" {
		return 0, err
	}
	n, ok := parseMillis(s)
	if !ok {
		return 0, fmt.Errorf("%w: %s %.40q is not milliseconds", ErrMalformed, name, s)
	}
	return n, nil
}

// ParseMessage parses a robot callback body, after VerifyCallback. It
// requires a JSON object of at most MaxBodySize bytes with msgId and a sender
// (senderStaffId or senderId); createAt and sessionWebhookExpiredTime may be
// numbers or decimal strings. Errors wrap ErrMalformed.
func ParseMessage(body []byte) (Message, error) {
	if len(body) > MaxBodySize {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w: %d bytes is more than %d", ErrMalformed, len(body), MaxBodySize)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w: not a JSON object", ErrMalformed)
	}
	var w wireMessage
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w: %v", ErrMalformed, err)
	}
	m := w.Message
	var err error
	if m.CreateAt, err = millis("createAt", w.CreateAt); err != nil {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w", err)
	}
	if m.SessionWebhookExpiredTime, err = millis("sessionWebhookExpiredTime", w.SessionWebhookExpiredTime); err != nil {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w", err)
	}
	if m.ConversationType, err = scalar("conversationType", w.ConversationType); err != nil {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w", err)
	}
	m.MsgID = strings.TrimSpace(m.MsgID)
	if m.MsgID == "" {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w: no msgId", ErrMalformed)
	}
	if strings.TrimSpace(m.SenderStaffID) == "" && strings.TrimSpace(m.SenderID) == "" {
		return Message{}, fmt.Errorf("dingtalk: parse message: %w: no senderStaffId or senderId", ErrMalformed)
	}
	return m, nil
}

// Text returns the content of a text message with surrounding white space
// removed (DingTalk puts a space after the @-mention in groups); "" for other
// message types.
func (m Message) Text() string {
	if m.MsgType != "" && m.MsgType != MsgTypeText {
		return ""
	}
	return strings.TrimSpace(m.Body.Content)
}

// IsGroup reports whether the message came from a group conversation.
func (m Message) IsGroup() bool { return m.ConversationType == ConversationGroup }

// SessionValid reports whether the message's sessionWebhook may still be used
// at now: it is set and now is before sessionWebhookExpiredTime.
func (m Message) SessionValid(now time.Time) bool {
	return m.SessionWebhook != "" && m.SessionWebhookExpiredTime > 0 &&
		now.Before(time.UnixMilli(m.SessionWebhookExpiredTime))
}

// DefaultSessionBase is where DingTalk's session webhooks point
// (https://oapi.dingtalk.com/robot/sendBySession?session=…).
const DefaultSessionBase = "https://oapi.dingtalk.com"

// ErrForeignSession reports a sessionWebhook that is not on a DingTalk host
// this server knows. DingTalk signs a callback's timestamp, not its body, so
// a captured header pair can carry any sessionWebhook for an hour: replies
// go only to the configured hosts.
var ErrForeignSession = errors.New("dingtalk: session webhook not on a configured DingTalk host")

// SessionAllowed reports whether webhook may be answered: an absolute URL
// whose scheme and host are those of one of bases (DingTalk's API roots)
// and whose path ends in /robot/sendBySession, without user info.
func SessionAllowed(webhook string, bases []string) bool {
	u, err := url.Parse(webhook)
	if err != nil || u.User != nil || u.Host == "" || !strings.HasSuffix(u.Path, "/robot/sendBySession") {
		return false
	}
	for _, b := range bases {
		bu, err := url.Parse(b)
		if err == nil && bu.Host != "" && strings.EqualFold(bu.Scheme, u.Scheme) && strings.EqualFold(bu.Host, u.Host) {
			return true
		}
	}
	return false
}

// Reply posts body, a message in the custom robot format
// ({"msgtype": "text", "text": {"content": "..."}}, markdown, actionCard, ...),
// to msg's sessionWebhook, answering the conversation msg came from. A
// session past its expiry time gives ErrSessionExpired without a request; a
// session DingTalk has forgotten gives an error wrapping both
// ErrSessionExpired and the *APIError. hc nil means a client with a 10-second
// timeout.
func Reply(ctx context.Context, hc *http.Client, msg Message, body map[string]any, now time.Time) error {
	if !msg.SessionValid(now) {
		return fmt.Errorf("dingtalk: reply: %w", ErrSessionExpired)
	}
	if err := postRobot(ctx, hc, msg.SessionWebhook, body); err != nil {
		if sessionGone(err) {
			return fmt.Errorf("dingtalk: reply: %w: %w", ErrSessionExpired, err)
		}
		return fmt.Errorf("dingtalk: reply: %w", err)
	}
	return nil
}

// sessionGone reports whether a session webhook answered that it no longer
// knows the session (errcode 300001, which also means "param error").
func sessionGone(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == codeSessionGone && !strings.Contains(ae.Msg, "param")
}

// ReplyText answers msg's conversation with {"msgtype": "text", "text":
// {"content": text}} through its sessionWebhook. Errors are as for Reply.
func ReplyText(ctx context.Context, hc *http.Client, msg Message, text string, now time.Time) error {
	return Reply(ctx, hc, msg, map[string]any{
		"msgtype": "text",
		"text":    map[string]any{"content": text},
	}, now)
}

// ReplyMarkdown answers msg's conversation with a markdown message; title is
// what the conversation list shows. Errors are as for Reply.
func ReplyMarkdown(ctx context.Context, hc *http.Client, msg Message, title, text string, now time.Time) error {
	return Reply(ctx, hc, msg, map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]any{"title": title, "text": text},
	}, now)
}
