package dingtalk_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"minsheng/bot/dingtalk"
	"minsheng/bot/dingtalk/dingtalktest"
)

func TestSignIn(t *testing.T) {
	fake := dingtalktest.NewFakeServer("dingauthkey", "dingauthsecret", "dingauthkey")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c := &dingtalk.Client{APIBase: srv.URL, OAPIBase: srv.URL, AppKey: "dingauthkey", AppSecret: "dingauthsecret"}
	ctx := context.Background()

	code := fake.IssueAuthCode("cg-officer1")
	user, err := dingtalk.SignIn(ctx, c, code)
	if err != nil || user != "cg-officer1" {
		t.Fatalf("SignIn(fresh code) = %q, %v; want cg-officer1", user, err)
	}

	tests := []struct {
		name    string
		client  *dingtalk.Client
		code    string
		badCode bool // ErrSignInCode (401) rather than another error (502)
	}{
		{"used twice", c, code, true},
		{"unknown", c, "not-a-code", true},
		{"empty", c, "  ", true},
		{"too long", c, strings.Repeat("x", 200), true},
		{"wrong app secret", &dingtalk.Client{APIBase: srv.URL, OAPIBase: srv.URL, AppKey: "dingauthkey", AppSecret: "wrong"}, fake.IssueAuthCode("u"), false},
		{"no app", nil, "code", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, err := dingtalk.SignIn(ctx, tt.client, tt.code)
			if err == nil || user != "" {
				t.Fatalf("SignIn = %q, %v; want an error", user, err)
			}
			if got := errors.Is(err, dingtalk.ErrSignInCode); got != tt.badCode {
				t.Errorf("errors.Is(%v, ErrSignInCode) = %v; want %v", err, got, tt.badCode)
			}
			if strings.Contains(err.Error(), "dingauthsecret") {
				t.Errorf("error %q carries the app secret", err)
			}
		})
	}
}
