package handlers

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"minsheng/bot"
	"minsheng/bot/wecom"
	"minsheng/models"
)

// WeComConfig is what the WeCom app callback needs.
type WeComConfig struct {
	CorpID, Token, EncodingAESKey string
	Window                        time.Duration
	MaxBody                       int64
}

// memberBusy is what a member reads when the store cannot take the command.
const memberBusy = "系统繁忙，操作未完成，请稍后再试。"

type wecomHandler struct {
	cfg     WeComConfig
	bot     *bot.Bot
	metrics *Metrics
	now     func() time.Time
}

// fresh checks the callback's timestamp against the window.
func (h *wecomHandler) fresh(c *gin.Context) bool {
	sec, err := strconv.ParseInt(c.Query("timestamp"), 10, 64)
	if err != nil {
		return false
	}
	d := h.now().Sub(time.Unix(sec, 0))
	return d <= h.cfg.Window && d >= -h.cfg.Window
}

func (h *wecomHandler) verify(c *gin.Context) {
	echo, err := wecom.VerifyURL(h.cfg.Token, h.cfg.EncodingAESKey, h.cfg.CorpID, c.Request.URL.Query())
	if err != nil || !h.fresh(c) {
		h.metrics.callback(models.PlatformWeCom, "unauthenticated")
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	h.metrics.callback(models.PlatformWeCom, "verified")
	c.String(http.StatusOK, string(echo))
}

func (h *wecomHandler) receive(c *gin.Context) {
	start := h.now()
	defer func() { h.metrics.latency(models.PlatformWeCom, time.Since(start)) }()
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxBody))
	if err != nil {
		h.metrics.callback(models.PlatformWeCom, "too_large")
		c.String(http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if !xmlContent(c.Request.Header.Get("Content-Type")) {
		h.metrics.callback(models.PlatformWeCom, "bad_content_type")
		c.String(http.StatusUnsupportedMediaType, "want text/xml")
		return
	}
	q := c.Request.URL.Query()
	plain, err := wecom.OpenCallback(h.cfg.Token, h.cfg.EncodingAESKey, h.cfg.CorpID, q, body)
	switch {
	case errors.Is(err, wecom.ErrSignature):
		h.metrics.callback(models.PlatformWeCom, "unauthenticated")
		c.String(http.StatusForbidden, "forbidden")
		return
	case err != nil:
		h.metrics.callback(models.PlatformWeCom, "malformed")
		logger(c).Warn("wecom callback rejected", "platform", models.PlatformWeCom, "err", err)
		c.String(http.StatusBadRequest, "malformed")
		return
	}
	if !h.fresh(c) {
		h.metrics.callback(models.PlatformWeCom, "stale")
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	ev, err := wecom.ParseEvent(plain)
	if err != nil {
		h.metrics.callback(models.PlatformWeCom, "malformed")
		c.String(http.StatusBadRequest, "malformed")
		return
	}
	m := bot.MemberMessage{Platform: models.PlatformWeCom, UserID: ev.FromUserName, MsgID: ev.MsgID}
	switch {
	case ev.MsgType == wecom.MsgTypeText:
		m.Text = ev.Content
	case ev.MsgType == wecom.MsgTypeEvent && ev.Event == wecom.EventTemplateCard:
		m.EventKey, m.TaskID = ev.EventKey, ev.TaskID
	default:
		h.metrics.callback(models.PlatformWeCom, "ignored")
		c.String(http.StatusOK, "")
		return
	}
	reply, err := h.bot.HandleMember(c.Request.Context(), m)
	result := "ok"
	if err != nil {
		logger(c).Error("member command failed", "platform", models.PlatformWeCom, "err", err)
		reply, result = bot.MemberReply{Text: memberBusy, Button: "系统繁忙"}, "store_error"
	}
	now := h.now().Unix()
	var out []byte
	if m.EventKey != "" {
		label := reply.Button
		if label == "" {
			label = "已处理"
		}
		out = wecom.UpdateButtonReply(ev.FromUserName, h.cfg.CorpID, now, label)
	} else {
		out = wecom.TextReply(ev.FromUserName, h.cfg.CorpID, now, reply.Text)
	}
	enc, err := wecom.PassiveReply(h.cfg.Token, h.cfg.EncodingAESKey, h.cfg.CorpID, out, strconv.FormatInt(now, 10), q.Get("nonce"), nil)
	if err != nil {
		logger(c).Error("wecom passive reply not built", "platform", models.PlatformWeCom, "err", err)
		c.String(http.StatusInternalServerError, "")
		return
	}
	h.metrics.callback(models.PlatformWeCom, result)
	c.Data(http.StatusOK, "text/xml; charset=utf-8", enc)
}
