package bot

import (
	"context"
	"errors"
	"fmt"

	"minsheng/models"
)

// Resolve turns an outbox target into an address. It is the one place where
// a citizen's openid is read for sending, and only for the Official Account.
func (b *Bot) Resolve(ctx context.Context, o models.Outbox) (Address, error) {
	var a Address
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		to, err := models.ParseTarget(o.Target)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUndeliverable, err)
		}
		switch to.Kind {
		case models.TargetMember:
			m, err := tx.MemberByID(to.ID)
			if err != nil {
				return err
			}
			a = Address{Kind: AddrMember, UserID: m.UserID}
		case models.TargetGroup:
			d, err := tx.FindDepartment(to.Code)
			if err != nil {
				return err
			}
			a = Address{Kind: AddrGroup, RobotKey: d.WeComRobotKey, Webhook: d.DingTalkWebhook, Secret: d.DingTalkSecret}
		case models.TargetJoint:
			j := b.Settings.Joint
			a = Address{Kind: AddrJoint, RobotKey: j.RobotKey, Webhook: j.Webhook, Secret: j.Secret}
		case models.TargetUpper:
			var err error
			a, err = b.upperAddress(to.Code)
			return err
		case models.TargetCitizen:
			c, err := tx.Citizen(to.ID)
			if err != nil {
				return err
			}
			a = Address{Kind: AddrCitizen, OpenID: c.OpenID}
		}
		return nil
	})
	if errors.Is(err, models.ErrNotFound) {
		return a, fmt.Errorf("%w: target %s: %v", ErrUndeliverable, o.Target, err)
	}
	a.Purpose, a.Key = o.Kind, fmt.Sprintf("minsheng-%d", o.ID)
	return a, err
}

// Delivered records on the case that a message reached the citizen.
func (b *Bot) Delivered(ctx context.Context, o models.Outbox, d Delivery) error {
	if !isForCitizen(o) || o.CaseID == 0 || o.Kind != "citizen_answer" {
		return nil
	}
	return b.Store.Act(ctx, func(tx *models.Tx) error {
		k, err := tx.CaseByID(o.CaseID)
		if err != nil {
			return err
		}
		// In the words an officer uses, not the API's.
		note := "答复已通过公众号发送"
		if d.Fallback == "template" {
			note = "答复已通过公众号服务通知发送（群众超过48小时未留言，不能直接回复）"
		}
		return tx.Record(k, models.SystemActor, models.EventDelivered, "", "", note)
	})
}

// DeliveryFailed tells the dispatchers about a message that could not be
// delivered. A citizen who cannot be reached gets a phone call: the case
// records it and the dispatcher's card says so.
func (b *Bot) DeliveryFailed(ctx context.Context, o models.Outbox, cause error) error {
	if o.Kind == "delivery_failed" {
		return nil // never chase a failure notice with another
	}
	return b.Store.Act(ctx, func(tx *models.Tx) error {
		var k *models.Case
		if o.CaseID != 0 {
			var err error
			if k, err = tx.CaseByID(o.CaseID); err != nil {
				return err
			}
		}
		title, text := "消息投递失败", fmt.Sprintf("发往 %s 的消息（%s）多次投递失败，请人工处理。", o.Target, o.Kind)
		if isForCitizen(o) {
			title = "请电话联系群众"
			out, _ := DecodeOutgoing(o.Payload)
			text = "无法通过公众号联系群众（超过48小时或消息被拒），请电话告知以下内容：\n" + out.Text
			if k != nil {
				if err := tx.Record(k, models.SystemActor, models.EventUnreached, "", "", "公众号无法送达，已请问政办电话联系"); err != nil {
					return err
				}
			}
		}
		dispatchers, err := tx.MembersWithRole(0, models.RoleDispatcher)
		if err != nil {
			return err
		}
		card := Outgoing{Kind: KindCard, Title: title, Text: mdEscape(text)}
		var caseID uint64
		if k != nil {
			card.CaseNo, card.URL, caseID = k.No, b.caseURL(k.No), k.ID
			card.Fields = []Field{{"编号", k.No}}
			if c, err := tx.Citizen(k.CitizenID); err == nil {
				card.Fields = append(card.Fields, Field{"反映人", c.Alias})
				if c.Phone != "" {
					card.Fields = append(card.Fields, Field{"联系电话", c.Phone})
				}
			}
		}
		for i := range dispatchers {
			if err := toMember(tx, &dispatchers[i], caseID, "delivery_failed", card); err != nil {
				return err
			}
		}
		return nil
	})
}

// isForCitizen reports whether outbox message o is for a citizen.
func isForCitizen(o models.Outbox) bool {
	to, err := models.ParseTarget(o.Target)
	return err == nil && to.Kind == models.TargetCitizen
}
