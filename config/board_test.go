package config

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestBoardSettings(t *testing.T) {
	c, err := Load("../config.yaml")
	if err != nil {
		t.Fatalf("Load(config.yaml) = %v", err)
	}
	if want := defaultBoard(); c.Board != want {
		t.Errorf("shipped board = %+v; want %+v", c.Board, want)
	}
	if want := defaultOpen311(); c.Open311 != want {
		t.Errorf("shipped open311 = %+v; want %+v", c.Open311, want)
	}
	a := c.Admin
	if len(a.Users) != 0 || !a.OAuth || a.SessionSecret != "" || a.SessionTTL.D() != 8*time.Hour || a.LoginFailures != 5 ||
		a.Lockout.D() != 15*time.Minute || a.OverdueList != 20 || a.TrendWeeks != 12 || a.FailedList != 50 || a.PageSize != 50 || a.ExportMaxDays != 366 {
		t.Errorf("shipped admin = %+v; want no account (closed), WeCom OAuth on, the defaults", a)
	}
}

func TestAdminAccounts(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("correct-horse-battery"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte("server: {sandbox: 'on'}\nadmin:\n  users:\n    - {name: wenzhengban, password_hash: '" + string(hash) + "'}\n"))
	if err != nil {
		t.Fatalf("Parse(an account with a bcrypt hash) = %v", err)
	}
	if len(c.Admin.Users) != 1 || c.Admin.Users[0].Name != "wenzhengban" {
		t.Errorf("admin.users = %+v", c.Admin.Users)
	}
	t.Setenv("MINSHENG_ADMIN_SECRET", "from-the-environment")
	if c, err = Parse(nil); err != nil || c.Admin.SessionSecret != "from-the-environment" {
		t.Errorf("MINSHENG_ADMIN_SECRET → %q, %v; want it in admin.session_secret", c.Admin.SessionSecret, err)
	}
}

func TestBoardRejectsBadValuesNamingTheKey(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("correct-horse-battery"), bcrypt.MinCost)
	tests := []struct{ name, yaml, key string }{
		{"plaintext password", "admin: {users: [{name: a, password_hash: hunter2hunter2}]}", "admin.users[0].password_hash"},
		{"password field", "admin: {users: [{name: a, password: hunter2}]}", "password"},
		{"no name", "admin: {users: [{name: '', password_hash: '" + string(hash) + "'}]}", "admin.users[0].name"},
		{"same name twice", "admin: {users: [{name: a, password_hash: '" + string(hash) + "'}, {name: a, password_hash: '" + string(hash) + "'}]}", "admin.users[1].name"},
		{"page size", "board: {page_size: 0}", "board.page_size"},
		{"rate months", "board: {rate_months: 100}", "board.rate_months"},
		{"stats cache", "board: {stats_cache: 0s}", "board.stats_cache"},
		{"open311 page above max", "open311: {page_size: 300, max_page_size: 200}", "open311.page_size"},
		{"open311 max", "open311: {max_page_size: 5000}", "open311.max_page_size"},
		{"session ttl", "admin: {session_ttl: 0s}", "admin.session_ttl"},
		{"lockout", "admin: {lockout: -1m}", "admin.lockout"},
		{"login failures", "admin: {login_failures: 0}", "admin.login_failures"},
		{"export days", "admin: {export_max_days: 0}", "admin.export_max_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("Parse(%q) = %v; want an error naming %s", tt.yaml, err, tt.key)
			}
		})
	}
}
