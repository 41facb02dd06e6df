package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot"
	"minsheng/bot/dingtalk"
	"minsheng/models"
)

// DingTalkConfig is what the DingTalk robot's message path needs.
type DingTalkConfig struct {
	// AppSecret checks the callbacks' sign header; empty leaves
	// /callback/dingtalk unmounted.
	AppSecret string
	// Stream means the messages arrive over Stream mode (DingTalkStream),
	// so /callback/dingtalk is not mounted.
	Stream bool
	// MaxSkew is how far a callback's timestamp may be from now
	// (dingtalk.callback_skew).
	MaxSkew time.Duration
	// MaxBody caps a callback body (server.max_body_bytes, and never more
	// than dingtalk.MaxBodySize).
	MaxBody int64
	// ReplyTimeout bounds the answer through a message's session webhook
	// (dingtalk.reply_timeout).
	ReplyTimeout time.Duration
	// HTTP posts the answers to the session webhooks; nil means a client
	// with ReplyTimeout.
	HTTP *http.Client
	// Client is the app's API client; the H5 case page signs members in
	// with it (dingTalkIdentity).
	Client *dingtalk.Client
}

// dingtalkHandler takes the robot's messages, from the HTTP callback or from
// Stream mode, to the bot and answers through the session webhook.
type dingtalkHandler struct {
	cfg     DingTalkConfig
	bot     *bot.Bot
	metrics *Metrics
	now     func() time.Time
}

func newDingTalkHandler(cfg DingTalkConfig, b *bot.Bot, m *Metrics, now func() time.Time) *dingtalkHandler {
	if cfg.MaxBody <= 0 || cfg.MaxBody > dingtalk.MaxBodySize {
		cfg.MaxBody = dingtalk.MaxBodySize
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: cfg.ReplyTimeout}
	}
	if now == nil {
		now = time.Now
	}
	return &dingtalkHandler{cfg: cfg, bot: b, metrics: m, now: now}
}

// receive is POST /callback/dingtalk: DingTalk's HTTP mode. The signature and
// timestamp are checked before the body is read; a message is handled once
// (by msgId), answered through its session webhook, and the callback gets an
// empty 200: DingTalk robots take no answer in the response.
func (h *dingtalkHandler) receive(c *gin.Context) {
	start := h.now()
	defer func() { h.metrics.latency(models.PlatformDingTalk, time.Since(start)) }()
	err := dingtalk.VerifyCallback(h.cfg.AppSecret, c.Request.Header, h.now(), h.cfg.MaxSkew)
	switch {
	case errors.Is(err, dingtalk.ErrStale):
		h.metrics.callback(models.PlatformDingTalk, "stale")
		logger(c).Warn("dingtalk callback refused", "platform", models.PlatformDingTalk, "err", err)
		c.String(http.StatusForbidden, "forbidden")
		return
	case err != nil:
		h.metrics.callback(models.PlatformDingTalk, "unauthenticated")
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxBody))
	if err != nil {
		h.metrics.callback(models.PlatformDingTalk, "too_large")
		c.String(http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	msg, err := dingtalk.ParseMessage(body)
	if err != nil {
		h.metrics.callback(models.PlatformDingTalk, "malformed")
		logger(c).Warn("dingtalk callback rejected", "platform", models.PlatformDingTalk, "err", err)
		c.String(http.StatusBadRequest, "malformed")
		return
	}
	h.metrics.callback(models.PlatformDingTalk, h.handle(c.Request.Context(), msg))
	c.Status(http.StatusOK)
}

// handle runs one message through the bot and answers it; it returns the
// metrics result. A message that is not text gets the member's help.
func (h *dingtalkHandler) handle(ctx context.Context, msg dingtalk.Message) string {
	m := bot.MemberMessage{Platform: models.PlatformDingTalk, UserID: msg.SenderStaffID, MsgID: msg.MsgID, Text: msg.Text()}
	reply, err := h.bot.HandleMember(ctx, m)
	result := "ok"
	switch {
	case err != nil:
		loggerCtx(ctx).Error("member command failed", "platform", models.PlatformDingTalk, "err", err)
		reply, result = bot.MemberReply{Text: memberBusy}, "store_error"
	case reply.Retry:
		result = "duplicate"
	}
	h.answer(ctx, msg, reply.Text)
	return result
}

// answer posts text to the conversation msg came from, through its session
// webhook. When the session has expired or the post fails, the text goes to
// the sender 1:1 through the outbox instead, so the answer is not lost.
func (h *dingtalkHandler) answer(ctx context.Context, msg dingtalk.Message, text string) {
	if text == "" {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.ReplyTimeout)
	defer cancel()
	err := dingtalk.ReplyText(rctx, h.cfg.HTTP, msg, text, h.now())
	if err == nil {
		return
	}
	log := loggerCtx(ctx)
	log.Warn("dingtalk session reply failed; sending it through the robot", "platform", models.PlatformDingTalk,
		"group", msg.IsGroup(), "expired", errors.Is(err, dingtalk.ErrSessionExpired), "err", err)
	if msg.SenderStaffID == "" {
		return
	}
	if err := h.bot.TellMember(context.WithoutCancel(ctx), models.PlatformDingTalk, msg.SenderStaffID, text); err != nil {
		log.Error("dingtalk reply lost", "platform", models.PlatformDingTalk, "err", err)
	}
}
