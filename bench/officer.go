package bench

import (
	"context"
	"fmt"

	"minsheng/bot"
	"minsheng/models"
)

// clickKind is a card button officers press: which cards carry it, which
// button it is and the state the case must reach.
type clickKind struct {
	label   string
	purpose string // Outbox.Kind of the card
	button  int    // index of the button on the card
	want    models.Status
}

var (
	clickAssign = clickKind{label: "交办 (dispatcher)", purpose: "new_case", button: 0, want: models.StatusAssigned}
	clickAccept = clickKind{label: "签收 (officer)", purpose: "accept", button: 0, want: models.StatusHandling}
)

// click is one button press to make.
type click struct {
	userID, taskID, key string
	caseID              uint64
}

// clicks finds up to n cards of kind, one per case, whose case is still
// before the kind's state, presses their button through the WeCom callback
// on clients connections, and checks that every case moved.
func (o *office) clicks(ctx context.Context, kind clickKind, n, clients int) (*measurement, error) {
	todo, err := o.cards(ctx, kind, n)
	if err != nil {
		return nil, err
	}
	if len(todo) == 0 {
		return nil, fmt.Errorf("bench: no %s cards to click", kind.purpose)
	}
	before, err := o.outboxRows(ctx)
	if err != nil {
		return nil, err
	}
	m, err := run(ctx, len(todo), clients, func(ctx context.Context, i int) error {
		c := todo[i]
		r, err := o.wecom.ClickButton(ctx, c.userID, c.taskID, c.key, "")
		if err != nil {
			return err
		}
		if r.MsgType != "update_button" {
			return fmt.Errorf("click %s answered %q, want a button update", c.key, r.MsgType)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: %s clicks: %w", kind.purpose, err)
	}
	after, err := o.outboxRows(ctx)
	if err != nil {
		return nil, err
	}
	m.rows = int(after - before)
	ids := make([]uint64, len(todo))
	for i, c := range todo {
		ids[i] = c.caseID
	}
	var moved int64
	if err := o.store.DB().WithContext(ctx).Model(&models.Case{}).Where("id IN ? AND status = ?", ids, kind.want).Count(&moved).Error; err != nil {
		return nil, fmt.Errorf("bench: check %s clicks: %w", kind.purpose, err)
	}
	if int(moved) != len(todo) {
		return nil, fmt.Errorf("bench: %d %s clicks moved %d cases to %s", len(todo), kind.purpose, moved, kind.want)
	}
	return m, nil
}

// cards reads up to n cards of kind from the outbox, the first per case,
// with the user id of the member each went to.
func (o *office) cards(ctx context.Context, kind clickKind, n int) ([]click, error) {
	var rows []models.Outbox
	err := o.store.DB().WithContext(ctx).
		Where("kind = ? AND ref <> '' AND dedup_key NOT LIKE 'raw:%' AND case_id IN (?)", kind.purpose,
			o.store.DB().Model(&models.Case{}).Select("id").Where("status = ?", previous(kind.want))).
		Order("id").Limit(4 * n).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("bench: read %s cards: %w", kind.purpose, err)
	}
	var members []models.Member
	if err := o.store.DB().WithContext(ctx).Find(&members).Error; err != nil {
		return nil, fmt.Errorf("bench: read members: %w", err)
	}
	user := map[string]string{}
	for _, m := range members {
		user[models.MemberTarget(m.ID).String()] = m.UserID
	}
	seen := map[uint64]bool{}
	var out []click
	for _, r := range rows {
		if len(out) == n {
			break
		}
		if seen[r.CaseID] || user[r.Target] == "" {
			continue
		}
		card, err := bot.DecodeOutgoing(r.Payload)
		if err != nil {
			return nil, err
		}
		if len(card.Buttons) <= kind.button {
			continue
		}
		seen[r.CaseID] = true
		out = append(out, click{userID: user[r.Target], taskID: card.TaskID, key: card.Buttons[kind.button].Key, caseID: r.CaseID})
	}
	return out, nil
}

// previous is the state a case is in before a click moves it to s.
func previous(s models.Status) models.Status {
	if s == models.StatusHandling {
		return models.StatusAssigned
	}
	return models.StatusReceived
}

func (o *office) outboxRows(ctx context.Context) (int64, error) {
	var n int64
	if err := o.store.DB().WithContext(ctx).Model(&models.Outbox{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("bench: count outbox: %w", err)
	}
	return n, nil
}
