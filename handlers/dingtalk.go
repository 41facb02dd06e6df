package handlers

import (
	"net/http"
	"time"

	"minsheng/bot/dingtalk"
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
	// SessionBases are the DingTalk hosts a message's sessionWebhook may
	// point to (dingtalk.api_base, oapi_base, dingtalk.DefaultSessionBase);
	// replies for others go 1:1 through the robot.
	SessionBases []string
	// Client is the app's API client; the H5 case page signs members in
	// with it (dingTalkIdentity).
	Client *dingtalk.Client
}

// inbound is the robot's message path as these settings make it.
func (c DingTalkConfig) inbound(now func() time.Time) *dingtalk.Inbound {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: c.ReplyTimeout}
	}
	return &dingtalk.Inbound{
		AppSecret: c.AppSecret, MaxSkew: c.MaxSkew, MaxBody: c.MaxBody, ReplyTimeout: c.ReplyTimeout, HTTP: hc, Now: now,
		SessionBases: c.SessionBases,
	}
}
