package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyTheCommandsBuildFromApp keeps the wiring on top: app reaches no
// command (cli, bench, main), and no package but the commands imports app
// (tests aside: they build the server from it).
func TestOnlyTheCommandsBuildFromApp(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "minsheng/app").Output()
	if err != nil {
		t.Fatalf("go list -deps minsheng/app: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		switch p {
		case "minsheng", "minsheng/cli", "minsheng/bench":
			t.Errorf("app depends on %s, a command above it", p)
		}
	}
	out, err = exec.Command("go", "list", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", "minsheng/...").Output()
	if err != nil {
		t.Fatalf("go list minsheng/...: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			if imp != "minsheng/app" {
				continue
			}
			switch pkg {
			case "minsheng", "minsheng/cli", "minsheng/bench", "minsheng/app/apptest":
			default:
				t.Errorf("%s imports minsheng/app; only the commands and apptest build from it", pkg)
			}
		}
	}
}
