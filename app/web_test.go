package app

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"minsheng/config"
)

func TestAdminConfigOpensOnlyWhenConfigured(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Defaults()
	tests := []struct {
		name                  string
		corp, secret          string
		sandbox               bool
		users                 []config.AdminUser
		wantOAuth, wantSandbx bool
		wantAccounts          int
	}{
		{"nothing configured", "", "", false, nil, false, false, 0},
		{"WeCom app", "ww1", "s", false, nil, true, false, 0},
		{"sandbox: its own sign-in, not WeCom", "wwsandbox", "s", true, nil, false, true, 0},
		{"account", "", "", false, []config.AdminUser{{Name: "a", PasswordHash: "$2a$10$x"}}, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			c.Admin.Users = tt.users
			got := adminConfig(&c, tt.corp, tt.secret, 1000002, tt.sandbox, http.DefaultClient, nil, quiet)
			if (got.OAuth != nil) != tt.wantOAuth || got.Sandbox != tt.wantSandbx || len(got.Accounts) != tt.wantAccounts || len(got.Secret) < 32 {
				t.Errorf("adminConfig = OAuth %v, sandbox %v, %d accounts, %d-byte secret; want %v, %v, %d, a secret",
					got.OAuth != nil, got.Sandbox, len(got.Accounts), len(got.Secret), tt.wantOAuth, tt.wantSandbx, tt.wantAccounts)
			}
		})
	}
	c := cfg
	c.Admin.OAuth = false
	if got := adminConfig(&c, "ww1", "s", 1, false, http.DefaultClient, nil, quiet); got.OAuth != nil {
		t.Errorf("admin.oauth: false still signs in through WeCom")
	}
}
