package app_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/app"
	"minsheng/config"
)

// TestDeployConfigLoads: deploy/config.yaml with the secrets of
// deploy/minsheng.env.example loads as serve loads it, for several
// instances: a database server, no sandbox, the proxy trusted, the
// signing secrets shared (from the environment file, not drawn per start).
func TestDeployConfigLoads(t *testing.T) {
	f, err := os.Open("../deploy/minsheng.env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(k, "MINSHENG_") {
			t.Fatalf("minsheng.env.example: %q is not a MINSHENG_ variable", line)
		}
		t.Setenv(k, v)
	}
	t.Setenv(config.EnvFile, "")
	cfg, err := app.LoadConfig("../deploy/config.yaml")
	if err != nil {
		t.Fatalf("LoadConfig(deploy/config.yaml) = %v", err)
	}
	if cfg.Database.Driver == "sqlite" || cfg.SandboxOn() || !strings.HasPrefix(cfg.Server.PublicURL, "https://") {
		t.Errorf("driver %s, sandbox %v, public_url %s; want a database server, no sandbox, https", cfg.Database.Driver, cfg.SandboxOn(), cfg.Server.PublicURL)
	}
	if len(cfg.Server.TrustedProxies) == 0 {
		t.Errorf("server.trusted_proxies is empty: behind nginx every sign-in would count as the proxy's")
	}
	if cfg.Server.LinkSecret == "" || cfg.Admin.SessionSecret == "" || !strings.Contains(cfg.Database.DSN, "CHANGE-ME") {
		t.Errorf("the secrets did not come from minsheng.env.example")
	}
	// The unit's ProtectSystem=strict leaves only the state directory
	// writable, and what ReadWritePaths names: the workbooks' directory
	// must be one of them.
	unit, err := os.ReadFile("../deploy/minsheng@.service")
	if err != nil {
		t.Fatal(err)
	}
	if dir := cfg.Reports.Dir; filepath.IsAbs(dir) && !strings.Contains(string(unit), "\nReadWritePaths="+dir+"\n") {
		t.Errorf("reports.dir %s is not writable under deploy/minsheng@.service (no ReadWritePaths=%s)", dir, dir)
	}
}
