package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"minsheng/models"
)

// The public reply board (部门回应): every answered case is published with
// its personal data masked (redact.Mask), unless the dispatcher keeps it off with a
// reason — by command in the chat or by the dashboard's button. Both are on
// the case's record.

// withholdReasonMax caps the reason's length in characters.
const withholdReasonMax = 200

// withhold is 不公开 from the chat (the verb table gives it to the dispatcher alone).
func (a *action) withhold() (string, error) {
	return a.b.withholdIn(a.tx, a.k, a.actor(), a.cmd.Text)
}

// publish is 恢复公开 from the chat.
func (a *action) publish() (string, error) {
	return a.b.publishIn(a.tx, a.k, a.actor())
}

func (b *Bot) withholdIn(tx *models.Tx, k *models.Case, who models.Actor, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "请写明不公开的理由：" + syntaxOf(VerbWithhold), nil
	}
	if utf8.RuneCountInString(reason) > withholdReasonMax {
		return fmt.Sprintf("理由请控制在%d字以内。", withholdReasonMax), nil
	}
	err := tx.Withhold(k, who, reason)
	if errors.Is(err, models.ErrConflict) {
		w, werr := tx.Withholding(k)
		if werr != nil {
			return "", werr
		}
		return fmt.Sprintf("编号 %s 已不公开（%s 于 %s 撤下，理由：%s）。", k.No, w.ByName, dateTime(w.CreatedAt.In(b.Location())), w.Reason), nil
	}
	if err != nil {
		return "", err
	}
	b.log().Info("case withheld from the board", "case_no", k.No, "by_kind", who.Kind, "by", who.ID)
	return fmt.Sprintf("已将 %s 从部门回应公开栏撤下（不公开），理由：%s。恢复请发送“恢复公开 %s”。", k.No, reason, k.No), nil
}

func (b *Bot) publishIn(tx *models.Tx, k *models.Case, who models.Actor) (string, error) {
	err := tx.Publish(k, who)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Sprintf("编号 %s 未被撤下，无需恢复。", k.No), nil
	}
	if err != nil {
		return "", err
	}
	b.log().Info("case back on the board", "case_no", k.No, "by_kind", who.Kind, "by", who.ID)
	if k.Status != models.StatusAnswered && k.Status != models.StatusClosed {
		return fmt.Sprintf("已恢复 %s 公开：答复后将在部门回应公开栏展示。", k.No), nil
	}
	return fmt.Sprintf("已恢复 %s 在部门回应公开栏展示。", k.No), nil
}

// SetPublic withholds case no from the public board (public false, with
// reason) or puts it back (public true), for the dashboard: who is the
// signed-in dispatcher or admin, whose right to do it the caller has
// checked. The answer is the sentence to show; a case that does not exist
// is an answer too, not an error.
func (b *Bot) SetPublic(ctx context.Context, who models.Actor, no string, public bool, reason string) (string, error) {
	if !ValidCaseNo(no) {
		return "编号格式不对。", nil
	}
	var reply string
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		k, err := tx.CaseForUpdate(no)
		if errors.Is(err, models.ErrNotFound) {
			reply = fmt.Sprintf("没有编号为 %s 的问题，请核对编号。", no)
			return nil
		}
		if err != nil {
			return err
		}
		if public {
			reply, err = b.publishIn(tx, k, who)
		} else {
			reply, err = b.withholdIn(tx, k, who, reason)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("set case %s public=%v: %w", no, public, err)
	}
	return reply, nil
}
