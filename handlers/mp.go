package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot"
)

// busyReply is what a citizen reads when the store cannot take the message;
// nothing was kept, so WeChat's retry or the citizen's resend can succeed.
const busyReply = "系统繁忙，您的消息暂未登记成功，请稍后再发送一次。给您带来不便，敬请谅解。"

// citizenHandler serves the callback of a platform citizens write on through
// its bot.CitizenInbound: the platform's package checks, reads and answers
// the request; this counts, logs and hands the message to the bot.
type citizenHandler struct {
	in      bot.CitizenInbound
	bot     *bot.Bot
	metrics *Metrics
	now     func() time.Time
	// timeout bounds the bot's work on one message; zero: none.
	timeout time.Duration
}

// verify answers the platform's URL verification (GET with echostr).
func (h *citizenHandler) verify(c *gin.Context) {
	echo, err := h.in.Verify(c.Request)
	if err != nil {
		h.metrics.callback(h.in.Name(), "unauthenticated")
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	h.metrics.callback(h.in.Name(), "verified")
	c.String(http.StatusOK, string(echo))
}

// receive handles a message or event push (POST).
func (h *citizenHandler) receive(c *gin.Context) {
	name := h.in.Name()
	start := h.now()
	defer func() { h.metrics.latency(name, time.Since(start)) }()
	result := "ok"
	err := h.in.Serve(c.Writer, c.Request, func(ctx context.Context, m bot.CitizenMessage) string {
		reply, res := h.handle(ctx, m)
		result = res
		return reply
	})
	var rj *bot.Rejection
	switch {
	case errors.As(err, &rj):
		h.metrics.callback(name, rj.Result)
		if rj.Err != nil {
			logger(c).Warn(string(name)+" callback rejected", "platform", name, "result", rj.Result, "err", rj.Err)
		}
		c.String(rj.Status, rj.Body)
		return
	case err != nil:
		h.metrics.callback(name, "reply_failed")
		logger(c).Error(string(name)+" reply not sent", "platform", name, "err", err)
		return
	}
	h.metrics.callback(name, result)
}

// handle gives the message to the bot and returns the reply text and the
// result for the metrics.
func (h *citizenHandler) handle(ctx context.Context, m bot.CitizenMessage) (string, string) {
	name := h.in.Name()
	ctx, cancel := withDeadline(ctx, h.timeout)
	defer cancel()
	reply, err := h.bot.HandleCitizen(ctx, m)
	if err != nil {
		// The openid stays out of the log; the message id is enough to trace.
		loggerCtx(ctx).Error("citizen message not recorded", "platform", name, "msg_id", m.MsgID, "err", err)
		return busyReply, "store_error"
	}
	if reply.Outcome == bot.OutcomeCase && !reply.Retry {
		h.metrics.caseOpened(name)
	}
	if reply.Retry {
		return reply.Text, "retry"
	}
	return reply.Text, reply.Outcome
}

// withDeadline is ctx bounded by d, or ctx itself when d is zero.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}
