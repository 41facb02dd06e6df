package models

import (
	"context"
	"fmt"
)

// Platforms members and units work on.
const (
	PlatformWeCom    = "wecom"
	PlatformDingTalk = "dingtalk"
)

// ValidPlatform reports whether p is a platform members and units work on.
func ValidPlatform(p string) bool { return p == PlatformWeCom || p == PlatformDingTalk }

// SetUnitPlatform moves department code and all its members to platform,
// which from then on carries the unit's group messages and its members' cards.
// A non-empty webhook (and its secret) becomes the unit's DingTalk group
// robot. config.yaml is the source of truth and the next SyncOrg puts it
// back: this is for the sandbox, which lets a person try a unit on the other
// platform. It returns how many members moved; ErrNotFound when there is no
// such department, ErrDuplicate when one of the members is already listed
// on platform under the same user id, ErrInvalidTransition for an unknown
// platform.
func (s *Store) SetUnitPlatform(ctx context.Context, code, platform, webhook, secret string) (int64, error) {
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
func (s *Store) SetMemberPlatform(ctx context.Context, userID, platform string) error {
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
