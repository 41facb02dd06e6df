package bot

import (
	"context"
	"fmt"

	"minsheng/models"
)

// TellMember queues text for the member with userID on platform, through the
// outbox. It is how a reply still reaches a member when the chat it answers
// can no longer be answered directly: a DingTalk message whose session
// webhook has expired or failed. It returns models.ErrNotFound (wrapped) when
// no such member exists.
func (b *Bot) TellMember(ctx context.Context, platform models.Platform, userID, text string) error {
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		m, err := tx.Member(platform, userID)
		if err != nil {
			return err
		}
		return toMember(tx, m, 0, "reply", Outgoing{Kind: KindText, Text: text})
	})
	if err != nil {
		return fmt.Errorf("tell %s member %s: %w", platform, userID, err)
	}
	b.queued()
	return nil
}

// JointPlatform is the platform of the joint-meeting group (联席会议群), by
// models.JointPlatform: WeCom when it has a WeCom group robot, else DingTalk
// when it has a DingTalk one. Counties that work only in DingTalk configure
// only org.joint_meeting.dingtalk_webhook.
func (b *Bot) JointPlatform() models.Platform {
	j := b.Settings.Joint
	return models.JointPlatform(j.RobotKey, j.Webhook)
}
