package sandbox_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The platform fakes and the sandbox are for tests and sandbox mode only:
// no production package but the wiring that builds the sandbox (app) and the
// commands above it reaches them, so a handler cannot call a fake by
// mistake.
func TestFakesStayOutOfProduction(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "minsheng/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	test := func(pkg string) bool {
		return pkg == "minsheng/bot/sandbox" || strings.HasSuffix(pkg, "/wecomtest") ||
			strings.HasSuffix(pkg, "/dingtalktest") || strings.HasSuffix(pkg, "/mptest")
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		switch {
		case pkg == "minsheng", pkg == "minsheng/cli", pkg == "minsheng/bench", pkg == "minsheng/app",
			strings.HasPrefix(pkg, "minsheng/app/"), test(pkg):
			continue
		}
		for _, d := range strings.Fields(deps) {
			if test(d) {
				t.Errorf("%s imports %s", pkg, d)
			}
		}
	}
}
