package mp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"minsheng/bot"
	"minsheng/models"
)

// WeChat errcodes only the adapter acts on.
const (
	// codeQuotaExceeded (45047): the account has sent the citizen as many
	// customer-service messages as their last message allows; like 45015,
	// only the citizen writing again reopens the way.
	codeQuotaExceeded = 45047
	// codeRequireSubscribe (43004): the citizen no longer follows the account.
	codeRequireSubscribe = 43004
)

// Platform delivers the bot's messages to citizens in the Official Account
// (公众号): a customer-service text while the 48-hour window is open, and a
// template message once it has closed. It implements bot.Platform. No openid
// appears in its errors.
type Platform struct {
	Client *Client
	// Templates are the template messages sent outside the 48-hour window,
	// by the outbox message's purpose (bot.Address.Purpose); DefaultTemplate
	// stands for any purpose not listed. A purpose with neither is
	// undeliverable outside the window.
	Templates map[string]Template
	// TemplateURL is the page the template message opens; may be empty.
	TemplateURL string
}

// DefaultTemplate is the Templates key for every purpose not listed.
const DefaultTemplate = "default"

// Template is one template message of the account. Since 2023-05-04 WeChat
// shows neither first nor remark and at most TemplateValueMax characters of
// each keyword, and data must use the template's own keys; so Fields says
// which key shows what.
type Template struct {
	// ID is the template_id.
	ID string
	// Fields maps what to show to the template's key (keyword1, thing2,
	// character_string3, …). What to show is FieldCaseNo, FieldSummary,
	// FieldTime or the name of one of the message's fields as the bot
	// writes them (结果, 时限, 承办单位, 评价, …).
	Fields map[string]string
}

// What a template key can show, besides the message's named fields.
const (
	FieldCaseNo  = "case_no" // the case number
	FieldSummary = "summary" // the title, else the text's first line
	FieldTime    = "time"    // when it is sent, 2006-01-02 15:04
)

// TemplateValueMax is how many characters of a keyword WeChat shows; longer
// values are cut to it with "…".
const TemplateValueMax = 20

// Name returns the platform's name in the outbox.
func (p *Platform) Name() models.Platform { return models.PlatformMP }

// Deliver sends o.Text to the citizen as a customer-service text. Outside
// the 48-hour window (45015, or 45047 when the window's quota is spent) it
// sends the template message instead and returns Delivery{Fallback:
// "template"}; with no template, or one WeChat refuses, the error wraps
// bot.ErrUndeliverable so that a person phones the citizen. 45009 gives a
// *bot.RateLimited; an unknown or unfollowed citizen (40003, 43004) wraps
// bot.ErrUndeliverable; anything else may pass on a retry. Only citizen
// addresses are served; an update is a no-op (nothing to update here).
func (p *Platform) Deliver(ctx context.Context, to bot.Address, o bot.Outgoing) (bot.Delivery, error) {
	if to.Kind != bot.AddrCitizen {
		return bot.Delivery{}, fmt.Errorf("%w: mp serves citizens only, not a %q address", bot.ErrUndeliverable, to.Kind)
	}
	if to.OpenID == "" {
		return bot.Delivery{}, fmt.Errorf("%w: mp: citizen has no openid", bot.ErrUndeliverable)
	}
	if o.Kind == bot.KindUpdate {
		return bot.Delivery{}, nil
	}
	text := strings.TrimSpace(o.Text)
	if text == "" {
		text = strings.TrimSpace(o.Title)
	}
	if text == "" {
		return bot.Delivery{}, fmt.Errorf("%w: mp: empty message", bot.ErrUndeliverable)
	}
	err := p.Client.SendText(ctx, to.OpenID, text)
	switch {
	case err == nil:
		return bot.Delivery{}, nil
	case IsOutOfWindow(err) || hasCode(err, codeQuotaExceeded):
		return p.sendTemplate(ctx, to, o, scrub(err, to.OpenID))
	case IsRateLimited(err):
		return bot.Delivery{}, &bot.RateLimited{Wait: time.Minute, Err: scrub(err, to.OpenID)}
	case hasCode(err, CodeInvalidOpenID) || hasCode(err, codeRequireSubscribe):
		return bot.Delivery{}, fmt.Errorf("%w: %w", bot.ErrUndeliverable, scrub(err, to.OpenID))
	}
	return bot.Delivery{}, scrub(err, to.OpenID)
}

// sendTemplate sends the template message after the customer-service text
// failed with cause.
func (p *Platform) sendTemplate(ctx context.Context, to bot.Address, o bot.Outgoing, cause error) (bot.Delivery, error) {
	openid := to.OpenID
	t, ok := p.Templates[to.Purpose]
	if !ok {
		t, ok = p.Templates[DefaultTemplate]
	}
	if !ok || t.ID == "" {
		return bot.Delivery{}, fmt.Errorf("%w: citizen out of the 48-hour window and no template for %q: %v", bot.ErrUndeliverable, to.Purpose, cause)
	}
	err := p.Client.SendTemplate(ctx, TemplateMessage{
		OpenID: openid, TemplateID: t.ID, URL: p.TemplateURL,
		Data: templateData(t, o, p.Client.now()), ClientMsgID: to.Key,
	})
	switch {
	case err == nil:
		return bot.Delivery{Fallback: "template"}, nil
	case IsRateLimited(err):
		return bot.Delivery{}, &bot.RateLimited{Wait: time.Minute, Err: scrub(err, openid)}
	case permanent(err):
		return bot.Delivery{}, fmt.Errorf("%w: citizen out of the 48-hour window and the template message failed: %v", bot.ErrUndeliverable, scrub(err, openid))
	}
	return bot.Delivery{}, scrub(err, openid)
}

// permanent reports whether WeChat refused the request itself, so that
// sending it again cannot help: an errcode other than system busy, a rate
// limit or a token WeChat would not take (the client retried that once).
func permanent(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false // HTTP status, network, timeout
	}
	switch ae.Code {
	case -1, CodeRateLimited, CodeInvalidCredential, CodeInvalidToken, CodeTokenExpired:
		return false
	}
	return true
}

// templateData fills template t's keys with what each shows, each value
// cut to TemplateValueMax characters. A key whose source the message lacks
// is left out.
func templateData(t Template, o bot.Outgoing, now time.Time) map[string]string {
	summary := strings.TrimSpace(o.Title)
	if summary == "" {
		summary = firstLine(o.Text)
	}
	src := map[string]string{FieldCaseNo: caseNo(o), FieldSummary: summary, FieldTime: now.Format("2006-01-02 15:04")}
	data := map[string]string{}
	for what, key := range t.Fields {
		v, ok := src[what]
		if !ok {
			for _, f := range o.Fields {
				if f.Key == what {
					v = f.Value
					break
				}
			}
		}
		if v = strings.TrimSpace(v); v != "" {
			data[key] = fit(v, TemplateValueMax)
		}
	}
	return data
}

// fit cuts s to at most n characters, ending in "…" if it was cut.
func fit(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// caseNo is o.CaseNo, or the value of the field 编号.
func caseNo(o bot.Outgoing) string {
	if o.CaseNo != "" {
		return o.CaseNo
	}
	for _, f := range o.Fields {
		if f.Key == "编号" {
			return f.Value
		}
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// scrubbed is an error whose text had an openid masked.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// scrub masks openid in err's text, should WeChat ever echo it, so that the
// error can be logged and stored.
func scrub(err error, openid string) error {
	if err == nil || openid == "" || !strings.Contains(err.Error(), openid) {
		return err
	}
	return &scrubbed{msg: strings.ReplaceAll(err.Error(), openid, "[openid]"), err: err}
}
