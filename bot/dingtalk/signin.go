package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrSignInCode means DingTalk did not take a sign-in code: unknown, used or
// older than five minutes. A page should ask DingTalk for a fresh one (an
// HTTP 401), where any other error of SignIn is DingTalk or the app failing
// (a 502).
var ErrSignInCode = errors.New("dingtalk: sign-in code not accepted")

// SignIn is how a page signs in a member who opened it inside DingTalk (a
// card button opens the page in DingTalk's browser). The page gets a one-time
// code from DingTalk's JSAPI (dd.runtime.permission.requestAuthCode({corpId}),
// 免登) and sends it to the server, which exchanges it through the app
// (topapi/v2/user/getuserinfo) for the member's userid, the one the robot and
// the member table use; the caller still looks the member up and refuses
// people who are not in org.members.
//
// DingTalk's browser OAuth (login.dingtalk.com → Client.UnionID) yields the
// person's unionId instead; it is not offered here.
func SignIn(ctx context.Context, c *Client, code string) (userID string, err error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return "", ErrSignInCode
	}
	if c == nil {
		return "", errors.New("dingtalk sign-in: no DingTalk app configured")
	}
	id, err := c.UserID(ctx, code)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == CodeInvalidAuthCode {
		return "", fmt.Errorf("%w: %w", ErrSignInCode, err)
	}
	if err != nil {
		return "", fmt.Errorf("dingtalk sign-in: %w", err)
	}
	return id, nil
}
