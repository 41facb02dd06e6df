package wecom

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"minsheng/bot"
	"minsheng/models"
)

// Limits Platform keeps to. Byte limits are WeCom's hard limits; the card's
// character limits are WeCom's advice for what a phone shows, and Platform
// cuts there with "…".
const (
	appContentMax   = 2048 // app text and markdown content, bytes
	cardTitleMax    = 36   // template_card main_title.title, characters
	cardSubTitleMax = 160  // template_card sub_title_text, characters
	cardKeyMax      = 5    // horizontal_content_list keyname, characters
	cardValueMax    = 30   // horizontal_content_list value, characters
	cardFieldsMax   = 6    // horizontal_content_list entries
	cardButtonsMax  = 6    // button_list entries
	buttonTextMax   = 10   // button text, characters
	// duplicateCheckInterval is how long, in seconds, WeCom drops an app
	// message identical to one the member already got (WeCom's default).
	duplicateCheckInterval = 1800
)

// Group robot content limits, in bytes: WeCom refuses longer text and
// markdown (wecomtest.FakeServer too); Platform cuts there.
const (
	GroupTextMax     = 2048
	GroupMarkdownMax = 4096
)

// Platform delivers the bot's messages on WeCom (企业微信): app messages to
// members (text, markdown, template cards whose buttons call back, and
// updates of those cards) and group robot messages to department and
// joint-meeting groups. It implements bot.Platform.
type Platform struct {
	Client *Client
}

// Name returns the platform's name in the outbox.
func (p *Platform) Name() models.Platform { return models.PlatformWeCom }

// Deliver sends o to a member as an app message, or to a group through its
// robot. A card with buttons becomes a button_interaction template card and
// its response code comes back in the Delivery; a KindUpdate replaces that
// card's buttons using to.ResponseCode. Robots cannot show buttons, so in a
// group a card becomes markdown that lists the commands to type instead.
// Errors wrap bot.ErrUndeliverable when retrying cannot help and are a
// *bot.RateLimited for errcode 45009; anything else may pass on a retry.
func (p *Platform) Deliver(ctx context.Context, to bot.Address, o bot.Outgoing) (bot.Delivery, error) {
	switch to.Kind {
	case bot.AddrMember:
		if to.UserID == "" {
			return bot.Delivery{}, fmt.Errorf("%w: wecom: member has no userid", bot.ErrUndeliverable)
		}
		if o.Kind == bot.KindUpdate {
			return p.update(ctx, to, o)
		}
		if o.Kind == bot.KindFile || o.Kind == bot.KindImage {
			return bot.Delivery{}, p.sendAppMedia(ctx, to, o)
		}
		return p.sendApp(ctx, to, o)
	case bot.AddrGroup, bot.AddrJoint:
		if o.Kind == bot.KindUpdate {
			return bot.Delivery{}, nil // robot messages carry no buttons: nothing to update
		}
		if to.RobotKey == "" {
			return bot.Delivery{}, fmt.Errorf("%w: wecom: %s has no group robot key", bot.ErrUndeliverable, to.Kind)
		}
		return bot.Delivery{}, p.sendGroup(ctx, to.RobotKey, o)
	}
	return bot.Delivery{}, fmt.Errorf("%w: wecom cannot reach a %q address", bot.ErrUndeliverable, to.Kind)
}

func (p *Platform) sendApp(ctx context.Context, to bot.Address, o bot.Outgoing) (bot.Delivery, error) {
	msg, err := appMessage(o)
	if err != nil {
		return bot.Delivery{}, err
	}
	msg["touser"] = to.UserID
	msg["enable_duplicate_check"] = 1
	msg["duplicate_check_interval"] = duplicateCheckInterval
	res, err := p.Client.SendApp(ctx, msg)
	if taskExists(err, o.TaskID) {
		// A retry of a card WeCom already accepted (the first answer was
		// lost): delivered, though its response code is gone.
		return bot.Delivery{}, nil
	}
	if err != nil {
		return bot.Delivery{}, classify(err)
	}
	if res.InvalidUser != "" {
		return bot.Delivery{}, fmt.Errorf("%w: wecom: the member is not reachable by the app (invaliduser)", bot.ErrUndeliverable)
	}
	return bot.Delivery{ResponseCode: res.ResponseCode}, nil
}

// appMessage renders o as the body of /cgi-bin/message/send without touser.
func appMessage(o bot.Outgoing) (map[string]any, error) {
	var msg map[string]any
	switch o.Kind {
	case bot.KindText:
		msg = map[string]any{"msgtype": "text", "text": map[string]any{"content": cutBytes(o.Text, appContentMax)}}
	case bot.KindMarkdown:
		msg = markdownMessage(cutBytes(o.Text, appContentMax))
	case bot.KindTable:
		msg = markdownMessage(cutBytes(flattenTables(o.Text), appContentMax))
	case bot.KindCard:
		switch {
		case len(o.Buttons) > 0:
			if !validTaskID(o.TaskID) {
				return nil, fmt.Errorf("%w: wecom: a card with buttons needs a task id of 1 to %d letters, digits or _-@", bot.ErrUndeliverable, taskIDMax)
			}
			card := cardBody(o, CardButtonInteraction)
			card["task_id"] = o.TaskID
			var buttons []any
			for _, b := range o.Buttons[:min(len(o.Buttons), cardButtonsMax)] {
				text := b.Text
				if text == "" {
					text = b.Key
				}
				btn := map[string]any{"text": cutRunes(text, buttonTextMax), "key": b.Key}
				if b.Style != 0 {
					btn["style"] = b.Style
				}
				buttons = append(buttons, btn)
			}
			card["button_list"] = buttons
			msg = map[string]any{"msgtype": "template_card", "template_card": card}
		case o.URL != "":
			// text_notice requires card_action of type 1 (url) or 2 (mini program).
			msg = map[string]any{"msgtype": "template_card", "template_card": cardBody(o, CardTextNotice)}
		default:
			// Without a URL there is no valid text_notice (nor textcard): markdown.
			msg = markdownMessage(cardMarkdown(o, appContentMax, false))
		}
		return msg, nil
	default:
		return nil, fmt.Errorf("%w: wecom: unknown message kind %q", bot.ErrUndeliverable, o.Kind)
	}
	if strings.TrimSpace(o.Text) == "" {
		return nil, fmt.Errorf("%w: wecom: empty %s message", bot.ErrUndeliverable, o.Kind)
	}
	return msg, nil
}

func markdownMessage(content string) map[string]any {
	return map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": content}}
}

// cardBody renders the parts of a template card that every card type shares.
func cardBody(o bot.Outgoing, cardType string) map[string]any {
	card := map[string]any{
		"card_type":  cardType,
		"main_title": map[string]any{"title": cutRunes(title(o), cardTitleMax)},
	}
	if s := strings.TrimSpace(plain(o.Text)); s != "" {
		card["sub_title_text"] = cutRunes(s, cardSubTitleMax)
	}
	var fields []any
	for _, f := range o.Fields {
		if f.Key == "" || len(fields) == cardFieldsMax {
			continue
		}
		fields = append(fields, map[string]any{"keyname": cutRunes(f.Key, cardKeyMax), "value": cutRunes(f.Value, cardValueMax)})
	}
	if len(fields) > 0 {
		card["horizontal_content_list"] = fields
	}
	if o.URL != "" {
		card["card_action"] = map[string]any{"type": 1, "url": o.URL}
	}
	return card
}

func (p *Platform) update(ctx context.Context, to bot.Address, o bot.Outgoing) (bot.Delivery, error) {
	if to.ResponseCode == "" {
		return bot.Delivery{}, errors.New("wecom: update card: the card has no response code yet; retry later")
	}
	name := strings.TrimSpace(o.Text)
	if name == "" {
		name = "已处理"
	}
	req := map[string]any{
		"userids":       []string{to.UserID},
		"response_code": to.ResponseCode,
		"button":        map[string]any{"replace_name": name},
	}
	err := p.Client.UpdateCard(ctx, req)
	if !hasCode(err, CodeInvalidResponseCode) {
		return bot.Delivery{}, classify(err)
	}
	// The response code was used or is older than 72 hours: the card stays
	// as it is for good, so the member is told in a text what changed.
	text := name
	if o.CaseNo != "" {
		text = "案件 " + o.CaseNo + "：" + name
	}
	msg := map[string]any{"touser": to.UserID, "msgtype": "text", "text": map[string]any{"content": cutBytes(text, appContentMax)}}
	if _, err := p.Client.SendApp(ctx, msg); err != nil {
		return bot.Delivery{}, classify(err)
	}
	return bot.Delivery{Fallback: FallbackText}, nil
}

// FallbackText is the Delivery.Fallback of a card update that WeCom refused
// with errcode 60140 and that reached the member as a text instead.
const FallbackText = "text"

func (p *Platform) sendGroup(ctx context.Context, key string, o bot.Outgoing) error {
	var msg map[string]any
	switch o.Kind {
	case bot.KindText:
		msg = map[string]any{"msgtype": "text", "text": map[string]any{"content": cutBytes(o.Text, GroupTextMax)}}
	case bot.KindMarkdown:
		msg = markdownMessage(cutBytes(o.Text, GroupMarkdownMax))
	case bot.KindCard:
		msg = markdownMessage(cardMarkdown(o, GroupMarkdownMax, true))
	case bot.KindImage:
		return p.sendGroupImage(ctx, key, o)
	case bot.KindTable:
		return p.sendGroupTable(ctx, key, o)
	default:
		return fmt.Errorf("%w: wecom: unknown message kind %q", bot.ErrUndeliverable, o.Kind)
	}
	if o.Kind != bot.KindCard && strings.TrimSpace(o.Text) == "" {
		return fmt.Errorf("%w: wecom: empty %s message", bot.ErrUndeliverable, o.Kind)
	}
	return classify(p.Client.SendGroup(ctx, key, msg))
}

// cardMarkdown renders a card as WeCom markdown of at most limit bytes: the
// title in bold, the fields as quoted "key：value" lines, the text, then, if
// commands is set, what to send in the app for each button (robots cannot
// show buttons), and a link to the case page. When too long, the text is cut.
func cardMarkdown(o bot.Outgoing, limit int, commands bool) string {
	var head strings.Builder
	if o.Title != "" {
		head.WriteString("**" + o.Title + "**")
	}
	for _, f := range o.Fields {
		if head.Len() > 0 {
			head.WriteString("\n")
		}
		head.WriteString("> " + f.Key + "：" + f.Value)
	}
	var tail []string
	if commands {
		for _, b := range o.Buttons {
			tail = append(tail, b.Text+"请在应用中发送："+command(b, o.CaseNo))
		}
	}
	if o.URL != "" {
		tail = append(tail, "[查看详情]("+o.URL+")")
	}
	return joinFit(limit, head.String(), o.Text, strings.Join(tail, "\n"))
}

// command is what a member types for button b: the bot's button keys are
// commands written verb:case[:arg].
func command(b bot.Button, caseNo string) string {
	if strings.Contains(b.Key, ":") {
		return strings.ReplaceAll(b.Key, ":", " ")
	}
	return strings.TrimSpace(b.Text + " " + caseNo)
}

// classify maps WeCom's refusals onto bot.Platform's errors.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	switch {
	case IsRateLimited(err):
		return &bot.RateLimited{Wait: time.Minute, Err: err}
	case IsBadWebhook(err):
		return fmt.Errorf("%w: %w", bot.ErrUndeliverable, err)
	case errors.As(err, &ae) && permanentCodes[ae.Code]:
		return fmt.Errorf("%w: %w", bot.ErrUndeliverable, err)
	}
	return err
}

// taskIDMax is the longest task_id WeCom takes, in bytes.
const taskIDMax = 128

// taskExists reports WeCom's errcode 42014 for a card whose task_id it
// already has. WeCom gives the same code for an empty or too long task_id,
// so it means "already delivered" only for a well-formed id: 1 to 128 bytes
// of digits, letters and "_-@".
func taskExists(err error, taskID string) bool {
	return hasCode(err, CodeTaskIDExists) && validTaskID(taskID)
}

// validTaskID reports whether id is a task_id WeCom accepts.
func validTaskID(id string) bool {
	if id == "" || len(id) > taskIDMax {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-' || c == '@') {
			return false
		}
	}
	return true
}

// permanentCodes are refusals that the same request will always get.
var permanentCodes = map[int]bool{
	40003:                   true, // invalid userid
	81013:                   true, // user, party and tag all invalid
	CodeInvalidParam:        true, // 40058: invalid parameter
	CodeInvalidResponseCode: true, // 60140: a used or expired response_code
	40008:                   true, // invalid message type
}

// title is the card's title, or what can stand for it.
func title(o bot.Outgoing) string {
	for _, s := range []string{o.Title, o.CaseNo, firstLine(plain(o.Text))} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return "通知"
}

// plain drops the markdown bold markers from s, for fields shown as plain text.
func plain(s string) string { return strings.ReplaceAll(s, "**", "") }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
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

// cutRunes returns s cut to at most limit characters, ending in "…" if it was cut.
func cutRunes(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit-1]) + ellipsis
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
