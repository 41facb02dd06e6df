package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"minsheng/bot"
	"minsheng/models"
)

// Router sends outbox messages through the platform adapters: it resolves
// each target to an address only at send time and keeps what the platform
// returns (a card's response code).
type Router struct {
	Bot       *bot.Bot
	Platforms []bot.Platform
}

// Senders returns one Sender per platform, for Deliverer.Senders.
func (r *Router) Senders() map[models.Platform]Sender {
	out := map[models.Platform]Sender{}
	for _, p := range r.Platforms {
		out[p.Name()] = &platformSender{r: r, p: p}
	}
	return out
}

// OnFailed is the Deliverer's OnFailed: it tells the dispatchers.
func (r *Router) OnFailed(ctx context.Context, o models.Outbox, err error) {
	if e := r.Bot.DeliveryFailed(ctx, o, err); e != nil {
		r.Bot.Log().ErrorContext(ctx, "could not tell the dispatcher about a failed delivery",
			"outbox_id", o.ID, "case_id", o.CaseID, "err", e)
	}
}

type platformSender struct {
	r *Router
	p bot.Platform
}

func (s *platformSender) Send(ctx context.Context, o models.Outbox) error {
	out, err := bot.DecodeOutgoing(o.Payload)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	// A dispatcher's new-case card gets the similar cases, looked up now
	// rather than on the citizen's callback (bot/similar.go).
	out = s.r.Bot.AtSend(ctx, o, out)
	// A member's card links to the case page signed for that member.
	out = s.r.Bot.ForRecipient(o, out)
	to, err := s.r.Bot.Resolve(ctx, o)
	if err != nil {
		return classify(err)
	}
	if out.Kind == bot.KindUpdate {
		orig, err := s.r.Bot.Store.OutboxByRef(ctx, out.TaskID)
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("%w: no card %s to update", ErrPermanent, out.TaskID)
		}
		if err != nil {
			return err
		}
		if orig.Status == models.OutboxFailed || (orig.Status == models.OutboxSent && orig.ResponseCode == "") {
			return nil // the card never arrived, or cannot be updated: nothing to do
		}
		to.ResponseCode = orig.ResponseCode
	}
	d, err := s.p.Deliver(ctx, to, out)
	if err != nil {
		return classify(err)
	}
	if d.ResponseCode != "" {
		if err := s.r.Bot.Store.SetResponseCode(ctx, o.ID, d.ResponseCode); err != nil {
			s.r.Bot.Log().WarnContext(ctx, "response code not kept", "outbox_id", o.ID, "err", err)
		}
	}
	if err := s.r.Bot.Delivered(ctx, o, d); err != nil {
		s.r.Bot.Log().WarnContext(ctx, "delivery not recorded on the case", "outbox_id", o.ID, "case_id", o.CaseID, "err", err)
	}
	return nil
}

// classify maps the adapters' errors onto the Deliverer's.
func classify(err error) error {
	var rl *bot.RateLimited
	switch {
	case errors.As(err, &rl):
		return &RetryAfter{Wait: rl.Wait, Err: err}
	case errors.Is(err, bot.ErrUndeliverable):
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	return err
}

// combineLimit keeps a combined group message under the robots' markdown
// limit (WeCom 4096 bytes) with room for the separators.
const combineLimit = 3800

// CombineSeparator stands between the messages of a combined group message:
// a line of box-drawing characters, which every robot shows as a rule.
// WeCom's markdown (v1) has no horizontal rule and shows "---" literally.
const CombineSeparator = "\n\n──────────\n\n"

// Combine is the Deliverer's Combine: consecutive text, markdown and card
// messages to one group become one markdown message.
func (r *Router) Combine(rows []models.Outbox) (string, int) {
	var parts []string
	size := 0
	for _, o := range rows {
		out, err := bot.DecodeOutgoing(o.Payload)
		if err != nil || (out.Kind != bot.KindText && out.Kind != bot.KindMarkdown && out.Kind != bot.KindCard) || len(out.Image) > 0 || out.File != nil {
			break // tables, images, files and card updates go alone
		}
		text := out.Text
		if out.Kind == bot.KindCard && out.Title != "" {
			text = "**" + out.Title + "**\n" + text
		}
		if size+len(text)+len(CombineSeparator) > combineLimit {
			break
		}
		parts = append(parts, text)
		size += len(text) + len(CombineSeparator)
	}
	if len(parts) < 2 {
		return "", 0
	}
	b, err := json.Marshal(bot.Outgoing{Kind: bot.KindMarkdown, Text: strings.Join(parts, CombineSeparator)})
	if err != nil {
		return "", 0
	}
	return string(b), len(parts)
}
