package handlers

import (
	"time"

	"minsheng/bot/wecom"
)

// WeComConfig is what the WeCom app callback needs.
type WeComConfig struct {
	CorpID, Token, EncodingAESKey string
	Window                        time.Duration
	MaxBody                       int64
}

// inbound is the WeCom app's callback as these settings make it.
func (c WeComConfig) inbound(now func() time.Time) *wecom.Inbound {
	return &wecom.Inbound{CorpID: c.CorpID, Token: c.Token, EncodingAESKey: c.EncodingAESKey, Window: c.Window, MaxBody: c.MaxBody, Now: now}
}
