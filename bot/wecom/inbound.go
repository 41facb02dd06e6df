package wecom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"minsheng/bot"
	"minsheng/bot/wxcrypto"
	"minsheng/models"
)

// Inbound reads the WeCom app's callbacks (接收消息): a member's text or a
// press of a template card's button, each answered in the response with an
// encrypted passive reply (the text, or the pressed button's new label). It
// implements bot.Inbound and bot.Verifier.
type Inbound struct {
	CorpID, Token, EncodingAESKey string
	// Window is how far a callback's timestamp may be from now.
	Window time.Duration
	// MaxBody caps a callback body.
	MaxBody int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Name returns the platform's name.
func (in *Inbound) Name() models.Platform { return models.PlatformWeCom }

func (in *Inbound) now() time.Time {
	if in.Now == nil {
		return time.Now()
	}
	return in.Now()
}

// fresh checks the callback's timestamp against the window.
func (in *Inbound) fresh(r *http.Request) bool {
	sec, err := strconv.ParseInt(r.URL.Query().Get("timestamp"), 10, 64)
	if err != nil {
		return false
	}
	d := in.now().Sub(time.Unix(sec, 0))
	return d <= in.Window && d >= -in.Window
}

var forbidden = &bot.Rejection{Status: http.StatusForbidden, Body: "forbidden", Result: "unauthenticated"}

// Verify answers WeCom's check of the callback URL: the decrypted echostr.
func (in *Inbound) Verify(r *http.Request) ([]byte, error) {
	echo, err := VerifyURL(in.Token, in.EncodingAESKey, in.CorpID, r.URL.Query())
	if err != nil || !in.fresh(r) {
		return nil, forbidden
	}
	return echo, nil
}

// Open reads one callback: the body within MaxBody, an XML content type,
// the signature, the decryption, the timestamp window, then the event. A
// member's text and a button press are for the bot; other events are
// ignored.
func (in *Inbound) Open(w http.ResponseWriter, r *http.Request) (*bot.Callback, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, in.MaxBody))
	if err != nil {
		return nil, &bot.Rejection{Status: http.StatusRequestEntityTooLarge, Body: "body too large", Result: "too_large"}
	}
	if !wxcrypto.XMLContentType(r.Header.Get("Content-Type")) {
		return nil, &bot.Rejection{Status: http.StatusUnsupportedMediaType, Body: "want text/xml", Result: "bad_content_type"}
	}
	q := r.URL.Query()
	plain, err := OpenCallback(in.Token, in.EncodingAESKey, in.CorpID, q, body)
	switch {
	case errors.Is(err, ErrSignature):
		return nil, forbidden
	case err != nil:
		return nil, &bot.Rejection{Status: http.StatusBadRequest, Body: "malformed", Result: "malformed", Err: err}
	}
	if !in.fresh(r) {
		return nil, &bot.Rejection{Status: http.StatusForbidden, Body: "forbidden", Result: "stale"}
	}
	ev, err := ParseEvent(plain)
	if err != nil {
		return nil, &bot.Rejection{Status: http.StatusBadRequest, Body: "malformed", Result: "malformed"}
	}
	m := bot.MemberMessage{Platform: models.PlatformWeCom, UserID: ev.FromUserName, MsgID: ev.MsgID}
	switch {
	case ev.MsgType == MsgTypeText:
		m.Text = ev.Content
	case ev.MsgType == MsgTypeEvent && ev.Event == EventTemplateCard:
		m.EventKey, m.TaskID = ev.EventKey, ev.TaskID
	default:
		return &bot.Callback{Message: m, Ignore: true}, nil
	}
	nonce := q.Get("nonce")
	answer := func(_ context.Context, w http.ResponseWriter, reply bot.MemberReply) error {
		now := in.now().Unix()
		var out []byte
		if m.EventKey != "" {
			label := reply.Button
			if label == "" {
				label = "已处理"
			}
			out = UpdateButtonReply(ev.FromUserName, in.CorpID, now, label)
		} else {
			out = TextReply(ev.FromUserName, in.CorpID, now, reply.Text)
		}
		enc, err := PassiveReply(in.Token, in.EncodingAESKey, in.CorpID, out, strconv.FormatInt(now, 10), nonce, nil)
		if err != nil {
			return fmt.Errorf("wecom passive reply: %w", err)
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, err = w.Write(enc)
		return err
	}
	return &bot.Callback{Message: m, Answer: answer}, nil
}
