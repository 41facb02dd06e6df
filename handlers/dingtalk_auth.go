package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"minsheng/bot/dingtalk"
	"minsheng/models"
)

// errDingTalkCode means DingTalk did not take a sign-in code: unknown, used
// or older than five minutes. The page should ask DingTalk for a fresh one;
// the HTTP answer is 401.
var errDingTalkCode = errors.New("dingtalk: sign-in code not accepted")

// dingTalkIdentity is how the H5 case page signs in a member who opened it
// inside DingTalk (a card button opens the page in DingTalk's browser). The
// page gets a one-time code from DingTalk's JSAPI
// (dd.runtime.permission.requestAuthCode({corpId}), 免登) and sends it to the
// server, which exchanges it for the member's userid through the app
// (topapi/v2/user/getuserinfo). The result is what bot.MemberMessage takes:
// platform models.PlatformDingTalk and the userid; the caller still looks the member up
// (tx.Member) and refuses people who are not in org.members. A code DingTalk
// refuses gives errDingTalkCode; anything else (DingTalk unreachable, the app
// misconfigured) another error, which is a 502.
//
// DingTalk's browser OAuth (login.dingtalk.com → Client.UnionID) yields the
// person's unionId, not the userid the robot and the member table use; it is
// not offered here.
func dingTalkIdentity(ctx context.Context, c *dingtalk.Client, code string) (platform models.Platform, userID string, err error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return "", "", errDingTalkCode
	}
	if c == nil {
		return "", "", errors.New("dingtalk sign-in: no DingTalk app configured")
	}
	id, err := c.UserID(ctx, code)
	var ae *dingtalk.APIError
	if errors.As(err, &ae) && ae.Code == dingtalk.CodeInvalidAuthCode {
		return "", "", fmt.Errorf("%w: %w", errDingTalkCode, err)
	}
	if err != nil {
		return "", "", fmt.Errorf("dingtalk sign-in: %w", err)
	}
	return models.PlatformDingTalk, id, nil
}
