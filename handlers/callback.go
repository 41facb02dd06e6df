package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot"
	"minsheng/models"
)

// memberBusy is what a member reads when the store cannot take the command.
const memberBusy = "系统繁忙，操作未完成，请稍后再试。"

// callbackHandler serves the callback of one platform members work on
// through its bot.Inbound: the platform's package checks, reads and answers
// the request; this counts, logs and hands the message to the bot.
type callbackHandler struct {
	in      bot.Inbound
	bot     *bot.Bot
	metrics *Metrics
	now     func() time.Time
	// timeout bounds the bot's work on one message; zero: none.
	timeout time.Duration
}

// verify is GET /callback/<platform> for a bot.Verifier.
func (h *callbackHandler) verify(c *gin.Context) {
	echo, err := h.in.(bot.Verifier).Verify(c.Request)
	if err != nil {
		h.reject(c, err)
		return
	}
	h.metrics.callback(h.in.Name(), "verified")
	c.String(http.StatusOK, string(echo))
}

// receive is POST /callback/<platform>.
func (h *callbackHandler) receive(c *gin.Context) {
	name := h.in.Name()
	start := h.now()
	defer func() { h.metrics.latency(name, time.Since(start)) }()
	cb, err := h.in.Open(c.Writer, c.Request)
	if err != nil {
		h.reject(c, err)
		return
	}
	if cb.Ignore {
		h.metrics.callback(name, "ignored")
		c.String(http.StatusOK, "")
		return
	}
	result, err := h.handle(c.Request.Context(), cb, c.Writer)
	if err != nil {
		logger(c).Error(string(name)+" answer not written", "platform", name, "err", err)
		c.String(http.StatusInternalServerError, "")
		return
	}
	h.metrics.callback(name, result)
}

// reject answers a callback Open or Verify refused.
func (h *callbackHandler) reject(c *gin.Context, err error) {
	name := h.in.Name()
	var rj *bot.Rejection
	if !errors.As(err, &rj) {
		logger(c).Error(string(name)+" callback not read", "platform", name, "err", err)
		c.String(http.StatusInternalServerError, "")
		return
	}
	h.metrics.callback(name, rj.Result)
	if rj.Err != nil {
		logger(c).Warn(string(name)+" callback rejected", "platform", name, "result", rj.Result, "err", rj.Err)
	}
	c.String(rj.Status, rj.Body)
}

// handle runs cb's message through the bot and answers it; it returns the
// metrics result. w is nil when the message came another way than an HTTP
// request (DingTalk's Stream mode). A reply the platform could not give in
// the conversation goes to the member 1:1 through the outbox, so that it is
// not lost.
func (h *callbackHandler) handle(ctx context.Context, cb *bot.Callback, w http.ResponseWriter) (string, error) {
	name := h.in.Name()
	hctx, cancel := withDeadline(ctx, h.timeout)
	reply, err := h.bot.HandleMember(hctx, cb.Message)
	cancel()
	result := "ok"
	switch {
	case err != nil:
		loggerCtx(ctx).Error("member command failed", "platform", name, "err", err)
		reply, result = bot.MemberReply{Text: memberBusy, Button: "系统繁忙"}, "store_error"
	case reply.Retry && cb.CountRetry:
		result = "duplicate"
	}
	err = cb.Answer(ctx, w, reply)
	if !errors.Is(err, bot.ErrUnanswered) {
		return result, err
	}
	log := loggerCtx(ctx)
	log.Warn(string(name)+" reply not given in the conversation; sending it through the robot", "platform", name, "err", err)
	if cb.Message.UserID == "" {
		return result, nil
	}
	if err := h.bot.TellMember(context.WithoutCancel(ctx), name, cb.Message.UserID, reply.Text); err != nil {
		log.Error(string(name)+" reply lost", "platform", name, "err", err)
	}
	return result, nil
}

// Messages is the path of a member platform's messages that do not come as
// an HTTP callback (DingTalk's Stream mode): the handling, counting and
// logging of a callback. It implements bot.Messages.
type Messages struct {
	h   *callbackHandler
	log *slog.Logger
}

// NewMessages returns the path for messages of in's platform in the
// deployment d describes (d.Bot, d.Metrics, d.Logger, d.Now).
func NewMessages(d Deps, in bot.Inbound) *Messages {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Messages{h: &callbackHandler{in: in, bot: d.Bot, metrics: d.Metrics, now: d.Now, timeout: d.CallbackTimeout}, log: d.Logger}
}

// Handle runs cb's message through the bot, answers it and counts it.
func (m *Messages) Handle(ctx context.Context, cb *bot.Callback) error {
	name := m.h.in.Name()
	start := m.h.now()
	defer func() { m.h.metrics.latency(name, time.Since(start)) }()
	ctx = context.WithValue(ctx, loggerKey{}, m.log)
	result, err := m.h.handle(ctx, cb, nil)
	m.h.metrics.callback(name, result)
	return err
}

// Rejected counts a message the platform's package refused.
func (m *Messages) Rejected(platform models.Platform, result string) {
	m.h.metrics.callback(platform, result)
}
