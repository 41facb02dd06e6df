package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/models"
)

// MPConfig is what the Official Account callback needs.
type MPConfig struct {
	AppID, AppSecret, Token, EncodingAESKey string
	// Window is how far a callback's timestamp may be from now.
	Window time.Duration
	// MaxBody caps the request body.
	MaxBody int64
	// AllowPlaintext accepts plaintext callbacks although EncodingAESKey is
	// set (config mp.allow_plaintext).
	AllowPlaintext bool
}

// busyReply is what a citizen reads when the store cannot take the message;
// nothing was kept, so WeChat's retry or the citizen's resend can succeed.
const busyReply = "系统繁忙，您的消息暂未登记成功，请稍后再发送一次。给您带来不便，敬请谅解。"

// mpHandler serves /callback/mp through silenceper/wechat's officialaccount
// server, after authenticating the request itself.
type mpHandler struct {
	cfg     MPConfig
	bot     *bot.Bot
	oa      *officialaccount.OfficialAccount
	metrics *Metrics
	now     func() time.Time
}

func newMPHandler(cfg MPConfig, b *bot.Bot, m *Metrics, now func() time.Time) *mpHandler {
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{
		AppID: cfg.AppID, AppSecret: cfg.AppSecret, Token: cfg.Token,
		EncodingAESKey: cfg.EncodingAESKey, Cache: cache.NewMemory(),
	})
	return &mpHandler{cfg: cfg, bot: b, oa: oa, metrics: m, now: now}
}

// errUnauthenticated means the request did not come from WeChat.
var errUnauthenticated = errors.New("callback signature or timestamp rejected")

// authenticate checks the URL signature and the timestamp window.
func (h *mpHandler) authenticate(r *http.Request) error {
	q := r.URL.Query()
	ts, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("signature")
	if ts == "" || nonce == "" || sig == "" {
		return fmt.Errorf("%w: signature, timestamp or nonce missing", errUnauthenticated)
	}
	if !mp.ValidSignature(sig, h.cfg.Token, ts, nonce) {
		return fmt.Errorf("%w: bad signature", errUnauthenticated)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not a number", errUnauthenticated, ts)
	}
	if d := h.now().Sub(time.Unix(sec, 0)); d > h.cfg.Window || d < -h.cfg.Window {
		return fmt.Errorf("%w: timestamp off by %s", errUnauthenticated, d.Round(time.Second))
	}
	return nil
}

// verify answers WeChat's URL verification (GET with echostr).
func (h *mpHandler) verify(c *gin.Context) {
	if err := h.authenticate(c.Request); err != nil {
		h.metrics.callback(models.PlatformMP, "unauthenticated")
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	h.metrics.callback(models.PlatformMP, "verified")
	c.String(http.StatusOK, c.Query("echostr"))
}

// receive handles a message or event push (POST).
func (h *mpHandler) receive(c *gin.Context) {
	start := h.now()
	defer func() { h.metrics.latency(models.PlatformMP, time.Since(start)) }()
	r := c.Request
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, h.cfg.MaxBody))
	if err != nil {
		h.metrics.callback(models.PlatformMP, "too_large")
		c.String(http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if err := h.authenticate(r); err != nil {
		h.metrics.callback(models.PlatformMP, "unauthenticated")
		logger(c).Warn("mp callback rejected", "platform", models.PlatformMP, "err", err)
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	if !xmlContent(r.Header.Get("Content-Type")) {
		h.metrics.callback(models.PlatformMP, "bad_content_type")
		c.String(http.StatusUnsupportedMediaType, "want text/xml")
		return
	}
	plain, status, err := h.open(r, body)
	if err != nil {
		h.metrics.callback(models.PlatformMP, "rejected")
		logger(c).Warn("mp callback rejected", "platform", models.PlatformMP, "err", err)
		c.String(status, http.StatusText(status))
		return
	}
	if _, err := mp.ParseMessage(plain); err != nil {
		h.metrics.callback(models.PlatformMP, "malformed")
		logger(c).Warn("mp callback malformed", "platform", models.PlatformMP, "err", err)
		c.String(http.StatusBadRequest, "malformed message")
		return
	}

	r.Body = io.NopCloser(bytes.NewReader(body))
	srv := h.oa.GetServer(r, c.Writer)
	result := "ok"
	srv.SetMessageHandler(func(msg *message.MixMessage) *message.Reply {
		reply, res := h.handle(r.Context(), msg)
		result = res
		if reply == "" {
			return nil
		}
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(reply)}
	})
	if err := srv.Serve(); err != nil {
		h.metrics.callback(models.PlatformMP, "malformed")
		logger(c).Warn("mp callback not served", "platform", models.PlatformMP, "err", err)
		c.String(http.StatusBadRequest, "malformed message")
		return
	}
	if err := srv.Send(); err != nil {
		h.metrics.callback(models.PlatformMP, "reply_failed")
		logger(c).Error("mp reply not sent", "platform", models.PlatformMP, "err", err)
		return
	}
	h.metrics.callback(models.PlatformMP, result)
}

// open checks the safe-mode envelope's msg_signature and decrypts it. A
// plaintext body is returned as it is when the account has no AES key
// (明文模式) or mp.allow_plaintext is on, and refused otherwise.
func (h *mpHandler) open(r *http.Request, body []byte) ([]byte, int, error) {
	q := r.URL.Query()
	if q.Get("encrypt_type") != "aes" {
		if h.cfg.EncodingAESKey != "" && !h.cfg.AllowPlaintext {
			// Only the URL is signed: the body could be anyone's.
			return nil, http.StatusForbidden, fmt.Errorf("%w: plaintext callback while mp.encoding_aes_key is set (mp.allow_plaintext is off)", errUnauthenticated)
		}
		return body, 0, nil
	}
	if h.cfg.EncodingAESKey == "" {
		return nil, http.StatusBadRequest, errors.New("safe mode message but no mp.encoding_aes_key configured")
	}
	env, err := mp.ParseEnvelope(body)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("safe mode envelope: %w", err)
	}
	if !mp.ValidSignature(q.Get("msg_signature"), h.cfg.Token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) {
		return nil, http.StatusForbidden, fmt.Errorf("%w: bad msg_signature", errUnauthenticated)
	}
	plain, err := mp.Decrypt(h.cfg.AppID, h.cfg.EncodingAESKey, env.Encrypt)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("decrypt: %w", err)
	}
	return plain, 0, nil
}

// handle gives the message to the bot and returns the reply text and the
// result for the metrics.
func (h *mpHandler) handle(ctx context.Context, msg *message.MixMessage) (string, string) {
	m := bot.CitizenMessage{
		Platform: string(models.PlatformMP), OpenID: string(msg.FromUserName), MsgID: msg.MsgID,
		CreateTime: msg.CreateTime, MsgType: string(msg.MsgType), Content: msg.Content,
		PicURL: msg.PicURL, MediaID: msg.MediaID, Format: msg.Format, Recognition: msg.Recognition,
		Latitude: msg.LocationX, Longitude: msg.LocationY, Scale: int(msg.Scale), Label: msg.Label,
		Event: string(msg.Event), EventKey: msg.EventKey,
	}
	reply, err := h.bot.HandleCitizen(ctx, m)
	if err != nil {
		// The openid stays out of the log; the message id is enough to trace.
		loggerCtx(ctx).Error("citizen message not recorded", "platform", models.PlatformMP, "msg_id", msg.MsgID, "err", err)
		return busyReply, "store_error"
	}
	if reply.Outcome == bot.OutcomeCase && !reply.Retry {
		h.metrics.caseOpened(models.PlatformMP)
	}
	if reply.Retry {
		return reply.Text, "retry"
	}
	return reply.Text, reply.Outcome
}

func xmlContent(ct string) bool {
	if ct == "" {
		return true // WeChat always sends one, but an absent type is not an attack
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml")
}
