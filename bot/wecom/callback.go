package wecom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// MaxBodySize is the largest callback body or plaintext this package accepts (1 MiB).
const MaxBodySize = 1 << 20

// ErrSignature reports a callback whose msg_signature is missing or wrong;
// the HTTP handler answers 403.
var ErrSignature = errors.New("wecom: bad msg_signature")

// ErrMalformed reports a callback, ciphertext or plaintext that is not what
// WeCom sends: too large, not XML, a DOCTYPE, a missing field, bad padding, a
// foreign receive id. The HTTP handler answers 400.
var ErrMalformed = errors.New("wecom: malformed callback")

// VerifyURL answers WeCom's URL verification (the GET sent when the callback
// URL is saved): it checks msg_signature over echostr with token, decrypts
// echostr for corpID and returns the plaintext, which the handler writes back
// verbatim. Errors wrap ErrSignature, ErrMalformed or ErrBadKey.
func VerifyURL(token, aesKey, corpID string, q url.Values) ([]byte, error) {
	sig, ts, nonce, echo := q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr")
	if echo == "" {
		return nil, fmt.Errorf("wecom: verify url: %w: no echostr", ErrMalformed)
	}
	if sig == "" || !signatureOK(sig, token, ts, nonce, echo) {
		return nil, fmt.Errorf("wecom: verify url: %w", ErrSignature)
	}
	plain, err := Decrypt(corpID, aesKey, echo)
	if err != nil {
		return nil, fmt.Errorf("wecom: verify url: %w", err)
	}
	return plain, nil
}

// envelope is the encrypted POST body WeCom sends to the callback.
type envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	AgentID    string   `xml:"AgentID"`
	Encrypt    string   `xml:"Encrypt"`
}

// checkXML rejects input that is too large or carries a DOCTYPE.
func checkXML(b []byte) error {
	if len(b) > MaxBodySize {
		return fmt.Errorf("%w: %d bytes is more than %d", ErrMalformed, len(b), MaxBodySize)
	}
	for rest := b; ; {
		i := bytes.Index(rest, []byte("<!"))
		if i < 0 {
			return nil
		}
		rest = rest[i+2:]
		if len(rest) >= 7 && bytes.EqualFold(rest[:7], []byte("DOCTYPE")) {
			return fmt.Errorf("%w: DOCTYPE is not allowed", ErrMalformed)
		}
	}
}

// OpenCallback opens an encrypted POST callback: it parses the
// <xml><ToUserName/><AgentID/><Encrypt/></xml> body, checks msg_signature
// (from q, with timestamp and nonce) over Encrypt, decrypts it for corpID and
// returns the plain XML for ParseEvent. Bodies over MaxBodySize and any
// DOCTYPE are rejected; read the body through http.MaxBytesReader so a large
// one is not buffered first. Errors wrap ErrSignature, ErrMalformed or
// ErrBadKey. The envelope's ToUserName and AgentID are not authenticated and
// not checked; the receive id inside the ciphertext is. Neither the timestamp's
// age nor replays are checked: WeCom retries, so deduplicate by MsgId.
func OpenCallback(token, aesKey, corpID string, q url.Values, body []byte) ([]byte, error) {
	if err := checkXML(body); err != nil {
		return nil, fmt.Errorf("wecom: open callback: %w", err)
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("wecom: open callback: %w: %v", ErrMalformed, err)
	}
	if env.Encrypt == "" {
		return nil, fmt.Errorf("wecom: open callback: %w: no Encrypt", ErrMalformed)
	}
	sig := q.Get("msg_signature")
	if sig == "" || !signatureOK(sig, token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) {
		return nil, fmt.Errorf("wecom: open callback: %w", ErrSignature)
	}
	plain, err := Decrypt(corpID, aesKey, env.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("wecom: open callback: %w", err)
	}
	return plain, nil
}

// Message types and events this package knows by name.
const (
	MsgTypeText           = "text"
	MsgTypeEvent          = "event"
	EventTemplateCard     = "template_card_event"
	CardButtonInteraction = "button_interaction"
	CardTextNotice        = "text_notice"
)

// Event is a decrypted callback: a member's message to the app or an event.
// Fields a given MsgType does not carry are left empty.
type Event struct {
	ToUserName   string // the corp id
	FromUserName string // the member's userid
	CreateTime   int64  // Unix seconds
	MsgType      string // "text", "event", "image", ...
	AgentID      int64

	// text messages
	Content string
	MsgID   string // MsgId as sent (a 64-bit number); the key to deduplicate retries

	// events
	Event string // "template_card_event", "enter_agent", ...

	// template_card_event
	EventKey      string // the key of the button clicked
	TaskID        string // task_id the card was sent with
	CardType      string // "button_interaction", "vote_interaction", ...
	ResponseCode  string // single-use code for update_template_card, valid 72 hours
	SelectedItems []SelectedItem
}

// SelectedItem is one question answered on a vote or multiple-choice card.
type SelectedItem struct {
	QuestionKey string
	OptionIDs   []string
}

// plainEvent mirrors the decrypted XML.
type plainEvent struct {
	XMLName       xml.Name `xml:"xml"`
	ToUserName    string   `xml:"ToUserName"`
	FromUserName  string   `xml:"FromUserName"`
	CreateTime    string   `xml:"CreateTime"`
	MsgType       string   `xml:"MsgType"`
	Content       string   `xml:"Content"`
	MsgID         string   `xml:"MsgId"`
	AgentID       string   `xml:"AgentID"`
	Event         string   `xml:"Event"`
	EventKey      string   `xml:"EventKey"`
	TaskID        string   `xml:"TaskId"`
	CardType      string   `xml:"CardType"`
	ResponseCode  string   `xml:"ResponseCode"`
	SelectedItems struct {
		Items []struct {
			QuestionKey string   `xml:"QuestionKey"`
			OptionIDs   []string `xml:"OptionIds>OptionId"`
		} `xml:"SelectedItem"`
	} `xml:"SelectedItems"`
}

// optInt parses an optional decimal field; empty is 0.
func optInt(name, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q is not a number", ErrMalformed, name, s)
	}
	return n, nil
}

// ParseEvent parses the plain XML returned by OpenCallback. It requires the
// <xml> root, FromUserName and MsgType, and Event when MsgType is "event";
// other message types parse with their common fields only. Errors wrap
// ErrMalformed.
func ParseEvent(plain []byte) (Event, error) {
	if err := checkXML(plain); err != nil {
		return Event{}, fmt.Errorf("wecom: parse event: %w", err)
	}
	var p plainEvent
	if err := xml.Unmarshal(plain, &p); err != nil {
		return Event{}, fmt.Errorf("wecom: parse event: %w: %v", ErrMalformed, err)
	}
	if p.MsgType == "" {
		return Event{}, fmt.Errorf("wecom: parse event: %w: no MsgType", ErrMalformed)
	}
	if p.FromUserName == "" {
		return Event{}, fmt.Errorf("wecom: parse event: %w: no FromUserName", ErrMalformed)
	}
	if p.MsgType == MsgTypeEvent && p.Event == "" {
		return Event{}, fmt.Errorf("wecom: parse event: %w: event without Event", ErrMalformed)
	}
	created, err := optInt("CreateTime", p.CreateTime)
	if err != nil {
		return Event{}, fmt.Errorf("wecom: parse event: %w", err)
	}
	agent, err := optInt("AgentID", p.AgentID)
	if err != nil {
		return Event{}, fmt.Errorf("wecom: parse event: %w", err)
	}
	e := Event{
		ToUserName:   p.ToUserName,
		FromUserName: p.FromUserName,
		CreateTime:   created,
		MsgType:      p.MsgType,
		AgentID:      agent,
		Content:      p.Content,
		MsgID:        strings.TrimSpace(p.MsgID),
		Event:        p.Event,
		EventKey:     p.EventKey,
		TaskID:       p.TaskID,
		CardType:     p.CardType,
		ResponseCode: p.ResponseCode,
	}
	for _, it := range p.SelectedItems.Items {
		e.SelectedItems = append(e.SelectedItems, SelectedItem{QuestionKey: it.QuestionKey, OptionIDs: it.OptionIDs})
	}
	return e, nil
}

// cdata writes s as CDATA, splitting any "]]>" so that s round-trips.
func cdata(b *bytes.Buffer, s string) {
	b.WriteString("<![CDATA[")
	b.WriteString(strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]>")
}

// element writes <name><![CDATA[value]]></name>.
func element(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">")
	cdata(b, value)
	b.WriteString("</" + name + ">")
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PassiveReply encrypts plain (for example UpdateButtonReply's output) and
// builds the body our callback answers with:
// <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>.
// timestamp must be decimal digits and nonce non-empty; random16 is as for
// Encrypt (nil draws from crypto/rand).
func PassiveReply(token, aesKey, corpID string, plain []byte, timestamp, nonce string, random16 []byte) ([]byte, error) {
	if !isDigits(timestamp) {
		return nil, fmt.Errorf("wecom: passive reply: timestamp %q is not decimal digits", timestamp)
	}
	if nonce == "" {
		return nil, errors.New("wecom: passive reply: empty nonce")
	}
	enc, err := Encrypt(corpID, aesKey, random16, plain)
	if err != nil {
		return nil, fmt.Errorf("wecom: passive reply: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("<xml>")
	element(&b, "Encrypt", enc)
	element(&b, "MsgSignature", Signature(token, timestamp, nonce, enc))
	b.WriteString("<TimeStamp>" + timestamp + "</TimeStamp>")
	element(&b, "Nonce", nonce)
	b.WriteString("</xml>")
	return b.Bytes(), nil
}

// replyEnvelope is the encrypted passive reply.
type replyEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        string   `xml:"Nonce"`
}

// OpenPassiveReply is what WeCom does with our callback's answer: it parses
// the envelope PassiveReply builds, checks MsgSignature against its own
// TimeStamp and Nonce, and decrypts it for corpID. Errors wrap ErrSignature,
// ErrMalformed or ErrBadKey.
func OpenPassiveReply(token, aesKey, corpID string, body []byte) ([]byte, error) {
	if err := checkXML(body); err != nil {
		return nil, fmt.Errorf("wecom: open passive reply: %w", err)
	}
	var env replyEnvelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("wecom: open passive reply: %w: %v", ErrMalformed, err)
	}
	if env.Encrypt == "" || !isDigits(strings.TrimSpace(env.TimeStamp)) || env.Nonce == "" {
		return nil, fmt.Errorf("wecom: open passive reply: %w: missing Encrypt, TimeStamp or Nonce", ErrMalformed)
	}
	if env.MsgSignature == "" || !signatureOK(env.MsgSignature, token, strings.TrimSpace(env.TimeStamp), env.Nonce, env.Encrypt) {
		return nil, fmt.Errorf("wecom: open passive reply: %w", ErrSignature)
	}
	plain, err := Decrypt(corpID, aesKey, env.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("wecom: open passive reply: %w", err)
	}
	return plain, nil
}

// UpdateButtonReply returns the plain XML of the update_button passive reply
// to a template_card_event: it replaces the clicked card's buttons, for the
// member who clicked, with one disabled button reading replaceName.
// toUser is the member's userid (the event's FromUserName), fromCorp the corp
// id. Encrypt it with PassiveReply.
func UpdateButtonReply(toUser, fromCorp string, createTime int64, replaceName string) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	element(&b, "ToUserName", toUser)
	element(&b, "FromUserName", fromCorp)
	b.WriteString("<CreateTime>" + strconv.FormatInt(createTime, 10) + "</CreateTime>")
	element(&b, "MsgType", "update_button")
	b.WriteString("<Button>")
	element(&b, "ReplaceName", replaceName)
	b.WriteString("</Button></xml>")
	return b.Bytes()
}
