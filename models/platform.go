package models

import (
	"context"
	"fmt"
	"slices"
)

// Platform names a chat platform as the store keeps it: in the outbox, on
// members and departments, in the record of inbound messages. The stored
// strings are the constants' values; config.yaml spells them the same way.
type Platform string

// Platforms: citizens write in the Official Account; members and units work
// in WeCom or DingTalk.
const (
	PlatformMP       Platform = "mp"
	PlatformWeCom    Platform = "wecom"
	PlatformDingTalk Platform = "dingtalk"
)

// OfficePlatforms lists the platforms members and units work on, in the
// order the sandbox shows them.
var OfficePlatforms = []Platform{PlatformWeCom, PlatformDingTalk}

// String returns the stored name, for logs and metric labels.
func (p Platform) String() string { return string(p) }

// Tables reports whether group messages on p show markdown tables (WeCom's
// markdown_v2); elsewhere a table is written out as lines.
func (p Platform) Tables() bool { return p == PlatformWeCom }

// Files reports whether p delivers a document to a member (WeCom's app file
// message); DingTalk's robot sends none, so a message says where it is.
func (p Platform) Files() bool { return p == PlatformWeCom }

// ValidPlatform reports whether p is a platform members and units work on
// (one of OfficePlatforms).
func ValidPlatform(p Platform) bool { return slices.Contains(OfficePlatforms, p) }

// JointPlatform is the platform the joint-meeting group (联席会议群) is
// reached on, given its WeCom robot key and its DingTalk robot webhook:
// WeCom when it has a robot key, DingTalk when it has only a webhook, WeCom
// when it has neither. It is the one place that rule is written.
func JointPlatform(weComRobotKey, dingTalkWebhook string) Platform {
	if weComRobotKey == "" && dingTalkWebhook != "" {
		return PlatformDingTalk
	}
	return PlatformWeCom
}

// SetUnitPlatform moves department code and all its members to platform,
// which from then on carries the unit's group messages and its members' cards.
// A non-empty webhook (and its secret) becomes the unit's DingTalk group
// robot. config.yaml is the source of truth and the next SyncOrg puts it
// back: this is for the sandbox, which lets a person try a unit on the other
// platform. It returns how many members moved; ErrNotFound when there is no
// such department, ErrDuplicate when one of the members is already listed
// on platform under the same user id, ErrInvalidTransition for an unknown
// platform.
func (s *Store) SetUnitPlatform(ctx context.Context, code string, platform Platform, webhook, secret string) (int64, error) {
	if !ValidPlatform(platform) {
		return 0, fmt.Errorf("move unit %s to %q: %w", code, platform, ErrInvalidTransition)
	}
	defer s.org.invalidate() // the dispatchers' and units' platforms (orgcache.go)
	var moved int64
	err := s.inTx(ctx, func(tx *Tx) error {
		var d Department
		if err := tx.db.Where("code = ?", code).First(&d).Error; err != nil {
			return translate(err)
		}
		// Updates with a struct skips zero fields: an empty webhook keeps the unit's.
		set := Department{Platform: platform}
		if webhook != "" {
			set.DingTalkWebhook, set.DingTalkSecret = webhook, secret
		}
		if err := tx.db.Model(&Department{}).Where("id = ?", d.ID).Updates(&set).Error; err != nil {
			return translate(err)
		}
		res := tx.db.Model(&Member{}).Where("department_id = ? AND platform <> ?", d.ID, platform).Update("platform", platform)
		if res.Error != nil {
			return translate(res.Error)
		}
		moved = res.RowsAffected
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("move unit %s to %s: %w", code, platform, err)
	}
	return moved, nil
}

// SetMemberPlatform moves the member with userID, on whichever platform, to
// platform; like SetUnitPlatform it is for the sandbox. It returns
// ErrNotFound when no member has that user id, ErrDuplicate when it is on
// both platforms, ErrInvalidTransition for an unknown platform.
func (s *Store) SetMemberPlatform(ctx context.Context, userID string, platform Platform) error {
	if !ValidPlatform(platform) {
		return fmt.Errorf("move member %s to %q: %w", userID, platform, ErrInvalidTransition)
	}
	defer s.org.invalidate() // a dispatcher's platform (orgcache.go)
	err := s.inTx(ctx, func(tx *Tx) error {
		var ms []Member
		if err := tx.db.Where("user_id = ?", userID).Find(&ms).Error; err != nil {
			return translate(err)
		}
		switch len(ms) {
		case 0:
			return ErrNotFound
		case 1:
		default:
			return ErrDuplicate
		}
		return translate(tx.db.Model(&Member{}).Where("id = ?", ms[0].ID).Update("platform", platform).Error)
	})
	if err != nil {
		return fmt.Errorf("move member %s to %s: %w", userID, platform, err)
	}
	return nil
}

// Members lists the active members, by department then name; for the
// sandbox page.
func (s *Store) Members(ctx context.Context) ([]Member, error) {
	var out []Member
	if err := s.db.WithContext(ctx).Where("active = ?", true).Order("department_id, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}
