package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"minsheng/bot"
	"minsheng/models"
)

const (
	// textMax is where Platform cuts a message's text, in bytes, so that the
	// robot's msgParam, JSON-escaped, stays under DingTalk's 15000 bytes.
	textMax = 10000
	// actionCardButtonsMax is the most buttons a robot 1:1 ActionCard
	// template takes (sampleActionCard5); group ActionCards keep to it too.
	actionCardButtonsMax = 5
)

// DefaultGroupPenalty is how long DingTalk keeps a custom group robot that
// went over its per-minute limit blocked (dingtalktest.FakeServer too).
const DefaultGroupPenalty = 10 * time.Minute

// Platform delivers the bot's messages on DingTalk (钉钉): robot 1:1
// messages to members and custom group robot messages to department and
// joint-meeting groups. It implements bot.Platform.
//
// DingTalk's robot ActionCard buttons open URLs and do not call back, so a
// card's buttons become links to the case page with ?action=<button key>
// when the card has a URL, and markdown listing the commands to send the
// robot when it has none. Those cards cannot be updated: a KindUpdate is
// delivered as nothing.
type Platform struct {
	Client *Client
}

// Name returns the platform's name in the outbox.
func (p *Platform) Name() models.Platform { return models.PlatformDingTalk }

// Deliver sends o to a member through the robot's 1:1 messages, or to a
// group through its custom robot webhook. Errors wrap bot.ErrUndeliverable
// when retrying cannot help (bad webhook, member out of the app's reach, a
// request DingTalk calls invalid) and are a *bot.RateLimited when DingTalk
// throttles; anything else may pass on a retry.
func (p *Platform) Deliver(ctx context.Context, to bot.Address, o bot.Outgoing) (bot.Delivery, error) {
	switch to.Kind {
	case bot.AddrMember:
		if o.Kind == bot.KindUpdate {
			return bot.Delivery{}, nil
		}
		if to.UserID == "" {
			return bot.Delivery{}, fmt.Errorf("%w: dingtalk: member has no userid", bot.ErrUndeliverable)
		}
		key, param, err := robotMessage(o)
		if err != nil {
			return bot.Delivery{}, err
		}
		return bot.Delivery{}, classify(p.Client.SendToUsers(ctx, []string{to.UserID}, key, param))
	case bot.AddrGroup, bot.AddrJoint:
		if o.Kind == bot.KindUpdate {
			return bot.Delivery{}, nil
		}
		if to.Webhook == "" {
			return bot.Delivery{}, fmt.Errorf("%w: dingtalk: %s has no group robot webhook", bot.ErrUndeliverable, to.Kind)
		}
		msg, err := groupMessage(o)
		if err != nil {
			return bot.Delivery{}, err
		}
		return bot.Delivery{}, classify(p.Client.SendGroup(ctx, to.Webhook, to.Secret, msg))
	}
	return bot.Delivery{}, fmt.Errorf("%w: dingtalk cannot reach a %q address", bot.ErrUndeliverable, to.Kind)
}

// robotMessage renders o as a robot 1:1 message template and its msgParam.
func robotMessage(o bot.Outgoing) (string, map[string]any, error) {
	switch o.Kind {
	case bot.KindText:
		if strings.TrimSpace(o.Text) == "" {
			return "", nil, fmt.Errorf("%w: dingtalk: empty text message", bot.ErrUndeliverable)
		}
		return MsgKeyText, map[string]any{"content": cutBytes(o.Text, textMax)}, nil
	case bot.KindMarkdown:
		if strings.TrimSpace(o.Text) == "" {
			return "", nil, fmt.Errorf("%w: dingtalk: empty markdown message", bot.ErrUndeliverable)
		}
		return MsgKeyMarkdown, map[string]any{"title": title(o), "text": cutBytes(o.Text, textMax)}, nil
	case bot.KindCard:
		if len(o.Buttons) == 0 || o.URL == "" {
			return MsgKeyMarkdown, map[string]any{"title": title(o), "text": cardMarkdown(o, true)}, nil
		}
		buttons := o.Buttons[:min(len(o.Buttons), actionCardButtonsMax)]
		param := map[string]any{"title": title(o), "text": cardMarkdown(o, false)}
		if len(buttons) == 1 {
			param["singleTitle"] = buttonTitle(buttons[0])
			param["singleURL"] = actionURL(o.URL, buttons[0].Key)
			return MsgKeyActionCard, param, nil
		}
		for i, b := range buttons {
			n := strconv.Itoa(i + 1)
			param["actionTitle"+n] = buttonTitle(b)
			param["actionURL"+n] = actionURL(o.URL, b.Key)
		}
		return MsgKeyActionCard + strconv.Itoa(len(buttons)), param, nil
	}
	return "", nil, fmt.Errorf("%w: dingtalk: unknown message kind %q", bot.ErrUndeliverable, o.Kind)
}

// groupMessage renders o as a custom group robot message.
func groupMessage(o bot.Outgoing) (map[string]any, error) {
	switch o.Kind {
	case bot.KindText:
		if strings.TrimSpace(o.Text) == "" {
			return nil, fmt.Errorf("%w: dingtalk: empty text message", bot.ErrUndeliverable)
		}
		return map[string]any{"msgtype": "text", "text": map[string]any{"content": cutBytes(o.Text, textMax)}}, nil
	case bot.KindMarkdown:
		if strings.TrimSpace(o.Text) == "" {
			return nil, fmt.Errorf("%w: dingtalk: empty markdown message", bot.ErrUndeliverable)
		}
		return markdownMessage(title(o), cutBytes(o.Text, textMax)), nil
	case bot.KindCard:
		if len(o.Buttons) == 0 || o.URL == "" {
			return markdownMessage(title(o), cardMarkdown(o, true)), nil
		}
		var btns []any
		for _, b := range o.Buttons[:min(len(o.Buttons), actionCardButtonsMax)] {
			btns = append(btns, map[string]any{"title": buttonTitle(b), "actionURL": actionURL(o.URL, b.Key)})
		}
		return map[string]any{"msgtype": "actionCard", "actionCard": map[string]any{
			"title": title(o), "text": cardMarkdown(o, false), "btnOrientation": "0", "btns": btns,
		}}, nil
	}
	return nil, fmt.Errorf("%w: dingtalk: unknown message kind %q", bot.ErrUndeliverable, o.Kind)
}

func markdownMessage(title, text string) map[string]any {
	return map[string]any{"msgtype": "markdown", "markdown": map[string]any{"title": title, "text": text}}
}

// cardMarkdown renders a card as DingTalk markdown: the title in bold, the
// fields as a list, the text, then, if commands is set, what to send the
// robot for each button, and a link to the case page. When too long, the
// text is cut.
func cardMarkdown(o bot.Outgoing, commands bool) string {
	var head []string
	if o.Title != "" {
		head = append(head, "**"+o.Title+"**")
	}
	var fields []string
	for _, f := range o.Fields {
		fields = append(fields, "- "+f.Key+"："+f.Value)
	}
	if len(fields) > 0 {
		head = append(head, strings.Join(fields, "\n"))
	}
	var tail []string
	if commands {
		for _, b := range o.Buttons {
			tail = append(tail, "- "+b.Text+"请向机器人发送："+command(b, o.CaseNo))
		}
	}
	if o.URL != "" && (commands || len(o.Buttons) == 0) {
		tail = append(tail, "[查看详情]("+o.URL+")")
	}
	return joinFit(textMax, strings.Join(head, "\n\n"), o.Text, strings.Join(tail, "\n"))
}

// command is what a member sends for button b: the bot's button keys are
// commands written verb:case[:arg].
func command(b bot.Button, caseNo string) string {
	if strings.Contains(b.Key, ":") {
		return strings.ReplaceAll(b.Key, ":", " ")
	}
	return strings.TrimSpace(b.Text + " " + caseNo)
}

func buttonTitle(b bot.Button) string {
	if b.Text != "" {
		return b.Text
	}
	return b.Key
}

// actionURL is the case page with the button's key as ?action=.
func actionURL(page, key string) string {
	sep := "?"
	if strings.Contains(page, "?") {
		sep = "&"
	}
	return page + sep + "action=" + url.QueryEscape(key)
}

// classify maps DingTalk's refusals onto bot.Platform's errors.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ue *UndeliveredError
	switch {
	case errors.As(err, &ue) && (len(ue.Invalid) > 0 || len(ue.Filtered) > 0):
		// Not a member, or filtered out by DingTalk: a retry meets the same
		// answer, so the dispatcher is told (the outbox keeps which).
		return fmt.Errorf("%w: %w", bot.ErrUndeliverable, err)
	case IsRateLimited(err) && hasCode(err, CodeWebhookTooFast, codeWebhookTooFast2, codeWebhookThrottled):
		// A group robot that went over its 20 a minute is blocked for
		// DefaultGroupPenalty; trying sooner only spends attempts.
		return &bot.RateLimited{Wait: DefaultGroupPenalty, Err: err}
	case IsRateLimited(err):
		return &bot.RateLimited{Wait: time.Minute, Err: err}
	case IsBadWebhook(err), invalidRequest(err):
		return fmt.Errorf("%w: %w", bot.ErrUndeliverable, err)
	}
	return err
}

// invalidRequest reports whether DingTalk refused the request's content,
// which it will refuse again: a new-API invalidParameter.* (bad msgParam,
// userIds or robotCode) or a webhook's invalid parameter or message type.
func invalidRequest(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return strings.HasPrefix(ae.Code, "invalidParameter") || ae.Code == "400002" || ae.Code == CodeWebhookMsgType
}

// title is the message's title in the conversation list, or what can stand for it.
func title(o bot.Outgoing) string {
	for _, s := range []string{o.Title, o.CaseNo, firstLine(o.Text)} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return "通知"
}

func firstLine(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "**", ""))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimLeft(s, "#> ")
}

const ellipsis = "…"

// cutBytes returns s cut to at most limit bytes, on a character boundary,
// ending in "…" if it was cut.
func cutBytes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	n := limit - len(ellipsis)
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + ellipsis
}

// joinFit joins the non-empty parts with blank lines in at most limit bytes,
// cutting body first so that head and tail survive.
func joinFit(limit int, head, body, tail string) string {
	join := func(body string) string {
		var parts []string
		for _, s := range []string{head, body, tail} {
			if strings.TrimSpace(s) != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "\n\n")
	}
	s := join(body)
	if len(s) <= limit {
		return s
	}
	if room := limit - len(head) - len(tail) - 2*len("\n\n"); room > len(ellipsis) {
		return join(cutBytes(body, room))
	}
	return cutBytes(s, limit)
}
