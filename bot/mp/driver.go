package mp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Driver plays WeChat's servers toward our callback URL: it signs, encrypts
// and posts citizens' messages exactly as WeChat does, and checks and decrypts
// the passive replies. Tests, the sandbox page and load tests use it.
type Driver struct {
	// URL is the callback URL configured in the Official Account console.
	URL string
	// AppID, Token and EncodingAESKey are the account's callback settings.
	AppID, Token, EncodingAESKey string
	// Safe selects safe mode (安全模式): bodies and replies are encrypted.
	Safe bool
	// HTTP is the client to post with; nil means one with WeChat's 5-second
	// timeout.
	HTTP *http.Client
	// Now is the clock for timestamps and CreateTime; nil means time.Now.
	Now func() time.Time
}

// Message is what a citizen sends: one callback of the Official Account.
// MsgType is text, image, voice, location or event.
type Message struct {
	FromUser, ToUser string
	MsgType          string
	Content          string
	MsgID            int64
	CreateTime       int64
	// PicURL and MediaID are set for image messages, MediaID, Format and
	// Recognition for voice messages.
	PicURL, MediaID, Format, Recognition string
	// LocationX (latitude), LocationY (longitude), Scale and Label are set
	// for location messages.
	LocationX, LocationY float64
	Scale                float64 // the map's zoom level; WeChat documents a number
	Label                string
	// Event and EventKey are set for event pushes (subscribe, CLICK, ...).
	Event, EventKey string
}

// Reply is our server's answer to one callback as the Driver saw it.
type Reply struct {
	// Status is the HTTP status code.
	Status int
	// Raw is the body as received; Plain is the reply XML, decrypted in safe
	// mode.
	Raw, Plain []byte
	// ToUser, FromUser, MsgType, Content and CreateTime are the passive
	// reply's fields.
	ToUser, FromUser, MsgType, Content string
	CreateTime                         int64
	// Success is true when the body (in safe mode, or its decryption) was
	// "success" or empty: WeChat's "no reply".
	Success bool
}

var defaultDriverHTTP = &http.Client{Timeout: 5 * time.Second}

func (d *Driver) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Driver) client() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	return defaultDriverHTTP
}

// XML returns the message's callback XML byte for byte as WeChat builds it:
// string fields in CDATA, in WeChat's element order. It adds nothing: a zero
// MsgID or CreateTime is written as 0 (see Driver.Fill).
func (m Message) XML() []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	cdataElem(&b, "ToUserName", m.ToUser)
	cdataElem(&b, "FromUserName", m.FromUser)
	textElem(&b, "CreateTime", strconv.FormatInt(m.CreateTime, 10))
	cdataElem(&b, "MsgType", m.MsgType)
	msgID := func() { textElem(&b, "MsgId", strconv.FormatInt(m.MsgID, 10)) }
	switch m.MsgType {
	case "text":
		cdataElem(&b, "Content", m.Content)
		msgID()
	case "image":
		cdataElem(&b, "PicUrl", m.PicURL)
		cdataElem(&b, "MediaId", m.MediaID)
		msgID()
	case "voice":
		cdataElem(&b, "MediaId", m.MediaID)
		cdataElem(&b, "Format", m.Format)
		if m.Recognition != "" {
			cdataElem(&b, "Recognition", m.Recognition)
		}
		msgID()
	case "location":
		textElem(&b, "Location_X", strconv.FormatFloat(m.LocationX, 'f', -1, 64))
		textElem(&b, "Location_Y", strconv.FormatFloat(m.LocationY, 'f', -1, 64))
		textElem(&b, "Scale", strconv.FormatFloat(m.Scale, 'f', -1, 64))
		cdataElem(&b, "Label", m.Label)
		msgID()
	case "event":
		cdataElem(&b, "Event", m.Event)
		if m.EventKey != "" {
			cdataElem(&b, "EventKey", m.EventKey)
		}
	default:
		if m.Content != "" {
			cdataElem(&b, "Content", m.Content)
		}
		if m.PicURL != "" {
			cdataElem(&b, "PicUrl", m.PicURL)
		}
		if m.MediaID != "" {
			cdataElem(&b, "MediaId", m.MediaID)
		}
		msgID()
	}
	b.WriteString("</xml>")
	return b.Bytes()
}

// Fill returns m with a zero CreateTime set from the Driver's clock and, for
// messages other than events, a zero MsgID set to a fresh random one, as
// WeChat always sends both. Send calls it; to make byte-identical retries, Fill
// once and send the result twice, or set both fields yourself.
func (d *Driver) Fill(m Message) Message {
	if m.CreateTime == 0 {
		m.CreateTime = d.now().Unix()
	}
	if m.MsgID == 0 && m.MsgType != "event" {
		m.MsgID = randomMsgID()
	}
	return m
}

// Prepare returns the query and body WeChat would post for m, exactly as is
// (no Fill): signature, timestamp, nonce and openid, plus in safe mode
// encrypt_type=aes and msg_signature over the <xml><ToUserName/><Encrypt/></xml>
// envelope. Negative tests alter them and post with SendRaw.
func (d *Driver) Prepare(m Message) (url.Values, []byte, error) {
	ts := strconv.FormatInt(d.now().Unix(), 10)
	nonce := randomNonce()
	q := url.Values{}
	q.Set("signature", Signature(d.Token, ts, nonce))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("openid", m.FromUser)
	body := m.XML()
	if d.Safe {
		enc, err := Encrypt(d.AppID, d.EncodingAESKey, nil, body)
		if err != nil {
			return nil, nil, fmt.Errorf("mp: driver prepare: %w", err)
		}
		var b bytes.Buffer
		b.WriteString("<xml>")
		cdataElem(&b, "ToUserName", m.ToUser)
		cdataElem(&b, "Encrypt", enc)
		b.WriteString("</xml>")
		body = b.Bytes()
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", Signature(d.Token, ts, nonce, enc))
	}
	return q, body, nil
}

// Verify performs the GET that WeChat sends when the callback URL is saved in
// the console (always plaintext, also in safe mode) and returns the body and
// status; a correct server answers 200 with echostr. The error is only for
// transport failures.
func (d *Driver) Verify(ctx context.Context, echostr string) (string, int, error) {
	ts := strconv.FormatInt(d.now().Unix(), 10)
	nonce := randomNonce()
	q := url.Values{}
	q.Set("signature", Signature(d.Token, ts, nonce))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("echostr", echostr)
	u, err := d.urlWith(q)
	if err != nil {
		return "", 0, fmt.Errorf("mp: driver verify: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, fmt.Errorf("mp: driver verify: %w", err)
	}
	resp, body, err := d.do(req)
	if err != nil {
		return "", 0, fmt.Errorf("mp: driver verify: %w", err)
	}
	return string(body), resp.StatusCode, nil
}

// Send fills m (see Fill), posts it to the callback URL with Content-Type
// text/xml as WeChat does, and returns the passive reply. A status other than
// 200 is an error, returned with the Reply. In safe mode the reply must be
// encrypted with a valid MsgSignature; any reply that is not "success" or
// empty must be well-formed, have a MsgType and be addressed to m.FromUser.
func (d *Driver) Send(ctx context.Context, m Message) (*Reply, error) {
	m = d.Fill(m)
	q, body, err := d.Prepare(m)
	if err != nil {
		return nil, fmt.Errorf("mp: driver send: %w", err)
	}
	return d.Replay(ctx, m, q, body)
}

// Replay posts a callback that Prepare made for m exactly as it is, and
// checks the reply as Send does. Posting the same query and body again is a
// byte-identical retry, as WeChat sends when our answer is slow.
func (d *Driver) Replay(ctx context.Context, m Message, q url.Values, body []byte) (*Reply, error) {
	resp, raw, err := d.SendRaw(ctx, q, body, "text/xml")
	if err != nil {
		return nil, fmt.Errorf("mp: driver send: %w", err)
	}
	return d.Check(m, resp.StatusCode, raw)
}

// Check checks the answer (HTTP status and body) to a callback for m as
// Send does, and returns it as a Reply. Load tests post with SendRaw and
// check afterwards, so that the checking is not timed.
func (d *Driver) Check(m Message, status int, raw []byte) (*Reply, error) {
	rep := &Reply{Status: status, Raw: raw}
	if status != http.StatusOK {
		return rep, fmt.Errorf("mp: driver send: callback answered HTTP %d", status)
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "success" {
		rep.Success = true
		return rep, nil
	}
	rep.Plain = raw
	if d.Safe {
		env, err := parseReply(raw)
		if err != nil {
			return rep, fmt.Errorf("mp: driver send: encrypted reply: %w", err)
		}
		if env.Encrypt == "" {
			return rep, errors.New("mp: driver send: safe mode reply is not encrypted")
		}
		if !ValidSignature(env.MsgSignature, d.Token, env.TimeStamp, env.Nonce, env.Encrypt) {
			return rep, errors.New("mp: driver send: reply MsgSignature mismatch")
		}
		plain, err := Decrypt(d.AppID, d.EncodingAESKey, env.Encrypt)
		if err != nil {
			return rep, fmt.Errorf("mp: driver send: reply: %w", err)
		}
		rep.Plain = plain
		if t := bytes.TrimSpace(plain); len(t) == 0 || string(t) == "success" {
			rep.Success = true
			return rep, nil
		}
	}
	r, err := parseReply(rep.Plain)
	if err != nil {
		return rep, fmt.Errorf("mp: driver send: reply: %w", err)
	}
	rep.ToUser, rep.FromUser, rep.MsgType, rep.Content = r.ToUserName, r.FromUserName, r.MsgType, r.Content
	if rep.CreateTime, err = parseInt("CreateTime", r.CreateTime, 64); err != nil {
		return rep, fmt.Errorf("mp: driver send: reply: %w", err)
	}
	if rep.MsgType == "" {
		return rep, errors.New("mp: driver send: reply has no MsgType")
	}
	if rep.ToUser != m.FromUser {
		return rep, errors.New("mp: driver send: reply ToUserName is not the sender")
	}
	return rep, nil
}

// SendRaw posts body with the given query (added to those of URL) and
// Content-Type, for negative tests and retries. It returns the response, whose
// body is already read (at most MaxBody bytes) and closed, and that body.
func (d *Driver) SendRaw(ctx context.Context, query url.Values, body []byte, contentType string) (*http.Response, []byte, error) {
	u, err := d.urlWith(query)
	if err != nil {
		return nil, nil, fmt.Errorf("mp: driver post: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("mp: driver post: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, b, err := d.do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("mp: driver post: %w", err)
	}
	return resp, b, nil
}

func (d *Driver) urlWith(query url.Values) (string, error) {
	u, err := url.Parse(d.URL)
	if err != nil {
		return "", fmt.Errorf("bad callback URL: %w", err)
	}
	q := u.Query()
	for k, v := range query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (d *Driver) do(req *http.Request) (*http.Response, []byte, error) {
	resp, err := d.client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read response: %w", err)
	}
	if len(b) > MaxBody {
		return nil, nil, fmt.Errorf("response exceeds %d bytes", MaxBody)
	}
	return resp, b, nil
}

// randomNonce returns a decimal nonce like WeChat's ("1320562132").
func randomNonce() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10)
}

// randomMsgID returns a positive 63-bit message ID.
func randomMsgID() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) | 1
}
