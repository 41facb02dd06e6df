package wecom

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Driver plays WeCom's servers toward our callback URL in tests: it builds
// the XML WeCom builds, encrypts and signs it with the app's Token and
// EncodingAESKey, sends it, checks the HTTP status, and opens and verifies
// any encrypted passive reply. Its zero HTTP and Now mean
// http.DefaultClient and time.Now.
type Driver struct {
	URL            string // our callback URL; may carry query parameters of its own
	CorpID         string
	AgentID        string
	Token          string
	EncodingAESKey string
	HTTP           *http.Client
	Now            func() time.Time
}

// Reply is our callback's answer to one Driver request.
type Reply struct {
	Status int
	Body   []byte // as received
	// Plain is the decrypted passive reply XML; nil when the callback
	// answered with an empty body or "success" (WeCom's "no reply").
	Plain       []byte
	MsgType     string // of the passive reply: "text", "update_button", ...
	Content     string // a text reply's content
	ReplaceName string // an update_button reply's new button label
}

func (d *Driver) client() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	return http.DefaultClient
}

func (d *Driver) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// randomDigits returns n random decimal digits, the shape of WeCom's nonces
// and echostr plaintexts.
func randomDigits(n int) string {
	var b strings.Builder
	for range n {
		v, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			v = big.NewInt(7)
		}
		b.WriteByte(byte('0' + v.Int64()))
	}
	s := b.String()
	if s[0] == '0' {
		s = "1" + s[1:]
	}
	return s
}

// target returns d.URL with q added to its own query.
func (d *Driver) target(q url.Values) (string, error) {
	u, err := url.Parse(d.URL)
	if err != nil {
		return "", fmt.Errorf("wecom driver: callback url: %w", err)
	}
	all := u.Query()
	for k, vs := range q {
		for _, v := range vs {
			all.Add(k, v)
		}
	}
	u.RawQuery = all.Encode()
	return u.String(), nil
}

// Verify performs the URL verification WeCom does when the callback URL is
// saved: a GET with a freshly encrypted, signed echostr. It returns our
// answer's status and body, and an error unless the status is 200 and the
// body is exactly the echostr plaintext.
func (d *Driver) Verify(ctx context.Context) (status int, body string, err error) {
	plain := randomDigits(19)
	echo, err := Encrypt(d.CorpID, d.EncodingAESKey, nil, []byte(plain))
	if err != nil {
		return 0, "", fmt.Errorf("wecom driver: verify: %w", err)
	}
	ts, nonce := strconv.FormatInt(d.now().Unix(), 10), randomDigits(10)
	target, err := d.target(url.Values{
		"msg_signature": {Signature(d.Token, ts, nonce, echo)},
		"timestamp":     {ts},
		"nonce":         {nonce},
		"echostr":       {echo},
	})
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, "", fmt.Errorf("wecom driver: verify: %w", err)
	}
	resp, err := d.client().Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("wecom driver: verify: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize+1))
	if err != nil {
		return resp.StatusCode, "", fmt.Errorf("wecom driver: verify: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, string(b), fmt.Errorf("wecom driver: verify: callback answered %d", resp.StatusCode)
	}
	if string(b) != plain {
		return resp.StatusCode, string(b), fmt.Errorf("wecom driver: verify: callback answered %q, want the echostr plaintext %q", b, plain)
	}
	return resp.StatusCode, string(b), nil
}

// SendText delivers a text message from member fromUser to the app, as WeCom
// does, and returns our callback's answer. It returns an error (with the
// Reply) when the status is not 200 or a passive reply does not open.
func (d *Driver) SendText(ctx context.Context, fromUser, content string, msgID int64) (*Reply, error) {
	now := d.now().Unix()
	var b bytes.Buffer
	b.WriteString("<xml>")
	element(&b, "ToUserName", d.CorpID)
	element(&b, "FromUserName", fromUser)
	b.WriteString("<CreateTime>" + strconv.FormatInt(now, 10) + "</CreateTime>")
	element(&b, "MsgType", MsgTypeText)
	element(&b, "Content", content)
	b.WriteString("<MsgId>" + strconv.FormatInt(msgID, 10) + "</MsgId>")
	b.WriteString("<AgentID>")
	_ = xml.EscapeText(&b, []byte(d.AgentID)) // a bytes.Buffer does not fail
	b.WriteString("</AgentID>")
	b.WriteString("</xml>")
	r, err := d.post(ctx, b.Bytes())
	if err != nil {
		return r, fmt.Errorf("wecom driver: send text: %w", err)
	}
	return r, nil
}

// ClickButton delivers the template_card_event WeCom sends when member
// fromUser clicks the button eventKey on the button_interaction card sent
// with taskID; responseCode is the code the event carries for
// update_template_card. Errors are as for SendText.
func (d *Driver) ClickButton(ctx context.Context, fromUser, taskID, eventKey, responseCode string) (*Reply, error) {
	now := d.now().Unix()
	var b bytes.Buffer
	b.WriteString("<xml>")
	element(&b, "ToUserName", d.CorpID)
	element(&b, "FromUserName", fromUser)
	b.WriteString("<CreateTime>" + strconv.FormatInt(now, 10) + "</CreateTime>")
	element(&b, "MsgType", MsgTypeEvent)
	element(&b, "Event", EventTemplateCard)
	element(&b, "EventKey", eventKey)
	element(&b, "TaskId", taskID)
	element(&b, "CardType", CardButtonInteraction)
	element(&b, "ResponseCode", responseCode)
	b.WriteString("<AgentID>")
	_ = xml.EscapeText(&b, []byte(d.AgentID)) // a bytes.Buffer does not fail
	b.WriteString("</AgentID>")
	b.WriteString("</xml>")
	r, err := d.post(ctx, b.Bytes())
	if err != nil {
		return r, fmt.Errorf("wecom driver: click button: %w", err)
	}
	return r, nil
}

// post encrypts plain into WeCom's envelope, signs it and sends it.
func (d *Driver) post(ctx context.Context, plain []byte) (*Reply, error) {
	enc, err := Encrypt(d.CorpID, d.EncodingAESKey, nil, plain)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("<xml>")
	element(&b, "ToUserName", d.CorpID)
	element(&b, "Encrypt", enc)
	element(&b, "AgentID", d.AgentID)
	b.WriteString("</xml>")
	ts, nonce := strconv.FormatInt(d.now().Unix(), 10), randomDigits(10)
	q := url.Values{
		"msg_signature": {Signature(d.Token, ts, nonce, enc)},
		"timestamp":     {ts},
		"nonce":         {nonce},
	}
	r, err := d.SendRaw(ctx, q, b.Bytes())
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusOK {
		return r, fmt.Errorf("callback answered %d: %.200s", r.Status, r.Body)
	}
	body := bytes.TrimSpace(r.Body)
	if len(body) == 0 || string(body) == "success" {
		return r, nil
	}
	p, err := OpenPassiveReply(d.Token, d.EncodingAESKey, d.CorpID, body)
	if err != nil {
		return r, err
	}
	var x struct {
		XMLName     xml.Name `xml:"xml"`
		MsgType     string   `xml:"MsgType"`
		Content     string   `xml:"Content"`
		ReplaceName string   `xml:"Button>ReplaceName"`
	}
	if err := xml.Unmarshal(p, &x); err != nil {
		return r, fmt.Errorf("passive reply: %w: %v", ErrMalformed, err)
	}
	if x.MsgType == "" {
		return r, fmt.Errorf("passive reply: %w: no MsgType", ErrMalformed)
	}
	r.Plain, r.MsgType, r.Content, r.ReplaceName = p, x.MsgType, x.Content, x.ReplaceName
	return r, nil
}

// SendRaw POSTs body to the callback URL with q added to its query, exactly
// as given, for tests of bad signatures and malformed bodies. It returns the
// status and body whatever they are; the error is for transport failures only.
func (d *Driver) SendRaw(ctx context.Context, q url.Values, body []byte) (*Reply, error) {
	target, err := d.target(q)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("wecom driver: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	resp, err := d.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("wecom driver: post callback: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize+1))
	if err != nil {
		return nil, fmt.Errorf("wecom driver: read callback answer: %w", err)
	}
	return &Reply{Status: resp.StatusCode, Body: b}, nil
}
