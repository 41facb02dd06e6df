package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestShippedConfigLoads(t *testing.T) {
	c, err := Load("../config.yaml")
	if err != nil {
		t.Fatalf("Load(config.yaml) = %v", err)
	}
	if c.Database.Driver != "sqlite" || !c.SandboxOn() {
		t.Errorf("shipped config: driver %q sandbox %v; want sqlite and sandbox on", c.Database.Driver, c.SandboxOn())
	}
	if c.Deadlines.GeneralWorkdays != 7 || c.Deadlines.ComplexWorkdays != 15 || c.Deadlines.ExtensionWorkdays != 5 ||
		c.Deadlines.Acknowledge.D() != 24*time.Hour || c.Deadlines.ReportUpCritical.D() != time.Hour {
		t.Errorf("shipped deadlines %+v; want DOMAIN.md's", c.Deadlines)
	}
	if c.Location.String() != "Asia/Shanghai" {
		t.Errorf("Location = %v; want Asia/Shanghai", c.Location)
	}
}

func TestParseRejectsBadValuesNamingTheKey(t *testing.T) {
	tests := []struct{ yaml, key string }{
		{"database: {driver: oracle}", "database.driver"},
		{"database: {max_open_conns: -1}", "database.max_open_conns"},
		{"database: {max_idle_conns: -2}", "database.max_idle_conns"},
		{"database: {driver: mysql, dsn: x, max_open_conns: 8, max_idle_conns: 9}", "database.max_idle_conns"},
		{"database: {driver: sqlite, dsn: x, max_open_conns: 4}", "database.max_open_conns"},
		{"database: {driver: postgres, dsn: x, max_open_conns: 1}", "database.max_open_conns"},
		{"database: {max_open_conns: many}", "database.max_open_conns"},
		{"timezone: Mars/Olympus", "timezone"},
		{"server: {sandbox: maybe}", "server.sandbox"},
		{"server: {trusted_proxies: [10.0.0.0/8, nginx]}", "server.trusted_proxies[1]"},
		{"mp: {encoding_aes_key: short}", "mp.encoding_aes_key"},
		{"server: {sandbox: 'off'}", "mp."},
		{"intake: {max_cases_per_hour: 0}", "intake.max_cases_per_hour"},
		{"deadlines: {general_workdays: 0}", "deadlines.general_workdays"},
		{"deadlines: {acknowledge: soon}", "soon"},
		{"deadlines: {default_kind: 紧急}", "deadlines.default_kind"},
		{"org: {departments: [{name: 城管, code: 'a b'}]}", "org.departments[0].code"},
		{"org: {departments: [{name: A, code: a}, {name: B, code: a}]}", "org.departments[1].code"},
		{"org: {departments: [{name: A, code: a, aliases: [城管]}, {name: B, code: b, aliases: [城管]}]}", "org.departments[1].aliases[0]"},
		{"org: {departments: [{name: A, code: a}, {name: B, code: b, aliases: [a]}]}", "org.departments[1].aliases[0]"},
		{"org: {departments: [{name: A, code: a, aliases: ['城 管']}]}", "org.departments[0].aliases[0]"},
		{"org: {members: [{name: 张, user_id: z, role: officer, department: nope}]}", "org.members[0].department"},
		{"org: {members: [{name: 张, user_id: z, role: boss}]}", "org.members[0].role"},
		{"unknown_key: 1", "unknown_key"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("Parse(%q) = %v; want an error naming %s", tt.yaml, err, tt.key)
			}
		})
	}
}

// TestTrustedProxies: addresses and ranges of either family are taken.
func TestTrustedProxies(t *testing.T) {
	c, err := Parse([]byte("server: {trusted_proxies: [127.0.0.1, 10.0.0.0/8, '::1', 'fd00::/8']}"))
	if err != nil {
		t.Fatalf("Parse = %v; want the proxies accepted", err)
	}
	if got := strings.Join(c.Server.TrustedProxies, " "); got != "127.0.0.1 10.0.0.0/8 ::1 fd00::/8" {
		t.Errorf("TrustedProxies = %s", got)
	}
}

func TestDatabaseDrivers(t *testing.T) {
	for _, driver := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			c, err := Parse([]byte("database: {driver: " + driver + ", dsn: somewhere}"))
			if err != nil {
				t.Fatalf("Parse(driver %s) = %v; want it accepted", driver, err)
			}
			if c.Database.Driver != driver {
				t.Errorf("Database.Driver = %q; want %q", c.Database.Driver, driver)
			}
		})
	}
}

func TestEnvironmentSuppliesSecrets(t *testing.T) {
	t.Setenv("MINSHENG_MP_APP_SECRET", "from-env")
	t.Setenv("MINSHENG_DATABASE_DSN", "other.db")
	c, err := Parse([]byte("server: {sandbox: 'on'}\nmp: {app_secret: from-file}"))
	if err != nil {
		t.Fatal(err)
	}
	if c.MP.AppSecret != "from-env" || c.Database.DSN != "other.db" {
		t.Errorf("secret %q dsn %q; want the environment's", c.MP.AppSecret, c.Database.DSN)
	}
}

func TestMinshengConfigNamesAnotherFile(t *testing.T) {
	p := t.TempDir() + "/other.yaml"
	os.WriteFile(p, []byte("server: {addr: '0.0.0.0:9999'}"), 0o600)
	t.Setenv(EnvFile, p)
	c, err := Load("does-not-exist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "0.0.0.0:9999" {
		t.Errorf("addr = %q; want the one from MINSHENG_CONFIG's file", c.Server.Addr)
	}
}

// TestSandboxAuto: auto means the sandbox only with no real credential and
// no admin account; with any of them, the configuration is refused, naming
// the keys, so that a half-configured server never hands out sandbox
// sign-ins signed with real keys.
func TestSandboxAuto(t *testing.T) {
	c, err := Parse([]byte("server: {sandbox: auto}"))
	if err != nil || !c.SandboxOn() {
		t.Fatalf("auto without credentials = %v, sandbox %v; want the sandbox on", err, c != nil && c.SandboxOn())
	}
	tests := []struct {
		name, yaml string
		keys       []string
	}{
		{"WeComOnly", "wecom: {corp_id: ww1, secret: s, token: t}", []string{"wecom.corp_id", "wecom.secret", "wecom.token"}},
		{"MPSecretOnly", "mp: {app_secret: s}", []string{"mp.app_secret"}},
		{"DingTalk", "dingtalk: {app_key: k, app_secret: s}", []string{"dingtalk.app_key", "dingtalk.app_secret"}},
		{"AdminUser", "admin: {users: [{name: a, password_hash: '$2a$04$2nSTNH/V6m4pxzZsg.ve1.6SYSoXL6RahwsxFENX1JqMGj/W1Goky'}]}", []string{"admin.users"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte("server: {sandbox: auto}\n" + tt.yaml))
			if err == nil || !strings.Contains(err.Error(), "server.sandbox") {
				t.Fatalf("Parse(%q) = %v; want a refusal naming server.sandbox", tt.yaml, err)
			}
			for _, k := range tt.keys {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("refusal %q does not name %s", err, k)
				}
			}
		})
	}
	c, err = Parse([]byte("server: {sandbox: 'on'}\nwecom: {corp_id: ww1}"))
	if err != nil || !c.SandboxOn() {
		t.Errorf("sandbox on with credentials = %v; want it on, as asked", err)
	}
}
