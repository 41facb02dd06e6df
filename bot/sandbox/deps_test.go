package sandbox_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The platform fakes and the sandbox are for tests and sandbox mode only:
// no production package but the command that builds the sandbox (the module
// root) reaches them, so a handler cannot call a fake by mistake.
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
		if pkg == "minsheng" || test(pkg) || strings.HasPrefix(pkg, "minsheng/app") {
			continue
		}
		for _, d := range strings.Fields(deps) {
			if test(d) {
				t.Errorf("%s imports %s", pkg, d)
			}
		}
	}
}
