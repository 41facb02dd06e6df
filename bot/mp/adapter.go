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
// (公众号): a customer-service text while the 48-hour window is open, and
// the template message TemplateID once it has closed. It implements
// bot.Platform. No openid appears in its errors.
type Platform struct {
	Client *Client
	// TemplateID is the template message sent outside the 48-hour window;
	// "" means there is none, and such messages are undeliverable.
	TemplateID string
	// TemplateURL is the page the template message opens; may be empty.
	TemplateURL string
}

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
		return p.sendTemplate(ctx, to.OpenID, o, scrub(err, to.OpenID))
	case IsRateLimited(err):
		return bot.Delivery{}, &bot.RateLimited{Wait: time.Minute, Err: scrub(err, to.OpenID)}
	case hasCode(err, CodeInvalidOpenID) || hasCode(err, codeRequireSubscribe):
		return bot.Delivery{}, fmt.Errorf("%w: %w", bot.ErrUndeliverable, scrub(err, to.OpenID))
	}
	return bot.Delivery{}, scrub(err, to.OpenID)
}

// sendTemplate sends the template message after the customer-service text
// failed with cause.
func (p *Platform) sendTemplate(ctx context.Context, openid string, o bot.Outgoing, cause error) (bot.Delivery, error) {
	if p.TemplateID == "" {
		return bot.Delivery{}, fmt.Errorf("%w: citizen out of the 48-hour window and no template: %v", bot.ErrUndeliverable, cause)
	}
	err := p.Client.SendTemplate(ctx, openid, p.TemplateID, p.TemplateURL, templateData(o))
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

// templateData fills the template: keyword1..N are the field values (the
// text's first line when there are none); first and remark, which WeChat no
// longer shows since 2023 but older templates still declare, are the title
// and how to ask for the details.
func templateData(o bot.Outgoing) map[string]string {
	first := strings.TrimSpace(o.Title)
	if first == "" {
		first = firstLine(o.Text)
	}
	data := map[string]string{"first": first}
	for i, f := range o.Fields {
		data[fmt.Sprintf("keyword%d", i+1)] = f.Value
	}
	if len(o.Fields) == 0 {
		data["keyword1"] = first
	}
	if no := caseNo(o); no != "" {
		data["remark"] = "详情请在公众号发送：查询 " + no
	} else {
		data["remark"] = "详情请在公众号发送：我的"
	}
	return data
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
