package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"minsheng/bot"
	"minsheng/models"
)

// Inbound reads the robot's messages posted to the HTTP callback (DingTalk's
// HTTP mode): the sign and timestamp headers are checked before the body is
// read, and a message is answered through its session webhook, not in the
// response, which DingTalk robots ignore. Stream mode hands its messages to
// Callback. It implements bot.Inbound.
type Inbound struct {
	// AppSecret checks the sign header.
	AppSecret string
	// MaxSkew is how far a callback's timestamp may be from now.
	MaxSkew time.Duration
	// MaxBody caps a callback body; zero or more than MaxBodySize means
	// MaxBodySize.
	MaxBody int64
	// ReplyTimeout bounds an answer through a session webhook.
	ReplyTimeout time.Duration
	// HTTP posts the answers; nil means a client with ReplyTimeout.
	HTTP *http.Client
	// SessionBases are the DingTalk API roots a message's sessionWebhook
	// may point to (dingtalk.api_base, oapi_base and DefaultSessionBase);
	// empty means DefaultSessionBase. A reply for any other goes 1:1
	// through the robot instead (bot.ErrUnanswered).
	SessionBases []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Name returns the platform's name.
func (in *Inbound) Name() models.Platform { return models.PlatformDingTalk }

func (in *Inbound) now() time.Time {
	if in.Now == nil {
		return time.Now()
	}
	return in.Now()
}

// Open reads one callback: the signature and timestamp, the body within
// MaxBody, then the message.
func (in *Inbound) Open(w http.ResponseWriter, r *http.Request) (*bot.Callback, error) {
	err := VerifyCallback(in.AppSecret, r.Header, in.now(), in.MaxSkew)
	switch {
	case errors.Is(err, ErrStale):
		return nil, &bot.Rejection{Status: http.StatusForbidden, Body: "forbidden", Result: "stale", Err: err}
	case err != nil:
		return nil, &bot.Rejection{Status: http.StatusForbidden, Body: "forbidden", Result: "unauthenticated"}
	}
	max := in.MaxBody
	if max <= 0 || max > MaxBodySize {
		max = MaxBodySize
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		return nil, &bot.Rejection{Status: http.StatusRequestEntityTooLarge, Body: "body too large", Result: "too_large"}
	}
	msg, err := ParseMessage(body)
	if err != nil {
		return nil, &bot.Rejection{Status: http.StatusBadRequest, Body: "malformed", Result: "malformed", Err: err}
	}
	return in.Callback(msg), nil
}

// Callback is msg for the bot, from either mode: handled once by msgId (a
// retry counts as a duplicate), any message that is not text read as the
// member asking for help, answered through the session webhook. The HTTP
// answer, when there is one, is an empty 200.
func (in *Inbound) Callback(msg Message) *bot.Callback {
	m := bot.MemberMessage{Platform: models.PlatformDingTalk, UserID: msg.SenderStaffID, MsgID: msg.MsgID, Text: msg.Text()}
	answer := func(ctx context.Context, w http.ResponseWriter, reply bot.MemberReply) error {
		if w != nil {
			w.WriteHeader(http.StatusOK)
		}
		if reply.Text == "" {
			return nil
		}
		bases := in.SessionBases
		if len(bases) == 0 {
			bases = []string{DefaultSessionBase}
		}
		if !SessionAllowed(msg.SessionWebhook, bases) {
			host := ""
			if u, err := url.Parse(msg.SessionWebhook); err == nil {
				host = u.Host
			}
			return fmt.Errorf("%w: %w (host %q)", bot.ErrUnanswered, ErrForeignSession, host)
		}
		hc := in.HTTP
		if hc == nil {
			hc = &http.Client{Timeout: in.ReplyTimeout}
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.ReplyTimeout)
		defer cancel()
		if err := ReplyText(rctx, hc, msg, reply.Text, in.now()); err != nil {
			return fmt.Errorf("%w: dingtalk session (group %t, expired %t): %w",
				bot.ErrUnanswered, msg.IsGroup(), errors.Is(err, ErrSessionExpired), err)
		}
		return nil
	}
	return &bot.Callback{Message: m, CountRetry: true, Answer: answer}
}
