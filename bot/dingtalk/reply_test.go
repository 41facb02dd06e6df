package dingtalk_test

import (
	"context"
	"errors"
	"minsheng/bot/dingtalk"
	"strings"
	"testing"
)

func TestReply(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	now := r.clock.Now()
	msg := dingtalk.Message{MsgID: "m1", SenderStaffID: "zhangsan", SessionWebhook: r.fake.NewSession(), SessionWebhookExpiredTime: now.Add(dingtalk.DefaultSessionTTL).UnixMilli()}

	if err := dingtalk.ReplyText(ctx, r.srv.Client(), msg, "您的工单 2025-0001 已签收", now); err != nil {
		t.Fatalf("ReplyText: %v", err)
	}
	if err := dingtalk.ReplyMarkdown(ctx, nil, msg, "工单", "### 2025-0001\n办理中", now); err != nil {
		t.Fatalf("ReplyMarkdown: %v", err)
	}
	got := r.fake.SessionReplies()
	if len(got) != 2 {
		t.Fatalf("SessionReplies = %+v", got)
	}
	if got[0].MsgType != "text" || got[0].Text != "您的工单 2025-0001 已签收" || got[0].Session == "" {
		t.Errorf("SessionReplies[0] = %+v", got[0])
	}
	if got[1].MsgType != "markdown" || got[1].Title != "工单" || !strings.Contains(got[1].Text, "办理中") {
		t.Errorf("SessionReplies[1] = %+v", got[1])
	}

	t.Run("expired locally", func(t *testing.T) {
		err := dingtalk.ReplyText(ctx, nil, msg, "late", now.Add(dingtalk.DefaultSessionTTL))
		if !errors.Is(err, dingtalk.ErrSessionExpired) {
			t.Errorf("ReplyText after expiry = %v; want ErrSessionExpired", err)
		}
	})
	t.Run("forgotten by DingTalk", func(t *testing.T) {
		gone := msg
		gone.SessionWebhook = r.srv.URL + "/dt/robot/sendBySession?session=nosuchsession"
		err := dingtalk.ReplyText(ctx, nil, gone, "x", now)
		if !errors.Is(err, dingtalk.ErrSessionExpired) || codeOf(err) != "300001" {
			t.Errorf("ReplyText to an unknown session = %v; want ErrSessionExpired and errcode 300001", err)
		}
		if strings.Contains(err.Error(), "nosuchsession") {
			t.Errorf("error %q quotes the session", err)
		}
	})
	t.Run("path-style session", func(t *testing.T) {
		id := strings.TrimPrefix(msg.SessionWebhook[strings.Index(msg.SessionWebhook, "session="):], "session=")
		alt := msg
		alt.SessionWebhook = r.srv.URL + "/dt/session/" + id
		if err := dingtalk.ReplyText(ctx, nil, alt, "via path", now); err != nil {
			t.Errorf("ReplyText via /session/<id>: %v", err)
		}
	})
	t.Run("bad body is not an expired session", func(t *testing.T) {
		err := dingtalk.Reply(ctx, nil, msg, map[string]any{"msgtype": "text"}, now)
		if err == nil || errors.Is(err, dingtalk.ErrSessionExpired) {
			t.Errorf("Reply without content = %v; want a non-session error", err)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		r.fake.RateLimitNext(1)
		if err := dingtalk.ReplyText(ctx, nil, msg, "x", now); !dingtalk.IsRateLimited(err) {
			t.Errorf("ReplyText under RateLimitNext = %v; want rate limited", err)
		}
	})
}
