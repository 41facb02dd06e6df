package main

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The house plan (README "Layout"): main → cli → app → handlers, jobs →
// reports, bot → redact, triage, models. Each room may use the rooms below it and
// nothing above; the platform adapters are reached only through the seams in
// bot, and their fakes and the sandbox only by the wiring. This test reads
// the real import graph of the production code (go list -deps, no test
// files) and fails on any edge the plan does not allow.

// roomRules says, for each production package (or package tree, ending in
// "/..."), which project packages it may depend on, directly or not. A
// package always may depend on its own tree.
var roomRules = []struct {
	room   string
	may    []string
	reason string
}{
	{"minsheng/models", nil, "the domain and the SQL are the bottom: they import no project package"},
	{"minsheng/models/modeltest", []string{"minsheng/models"}, "test stores build on models alone"},
	{"minsheng/config", nil, "config is read by the wiring and reads nothing of ours"},
	{"minsheng/redact", nil, "masking is standard library only, so everything that shows text can use it"},
	{"minsheng/triage", nil, "routing is standard library only"},
	{"minsheng/reports", []string{"minsheng/models", "minsheng/redact"}, "reports render figures; they neither converse nor serve"},
	{"minsheng/bot", []string{"minsheng/models", "minsheng/redact", "minsheng/triage"}, "the conversation knows no platform, route or schedule"},
	{"minsheng/bot/internal/...", nil, "the adapters' shared parts stand alone"},
	{"minsheng/bot/wxcrypto", nil, "WXBizMsgCrypt stands alone"},
	{"minsheng/bot/mp", []string{"minsheng/bot", "minsheng/bot/internal/...", "minsheng/bot/wxcrypto", "minsheng/models", "minsheng/redact", "minsheng/triage"}, "an adapter speaks one platform to the bot's seams"},
	{"minsheng/bot/wecom", []string{"minsheng/bot", "minsheng/bot/internal/...", "minsheng/bot/wxcrypto", "minsheng/models", "minsheng/redact", "minsheng/triage"}, "an adapter speaks one platform to the bot's seams"},
	{"minsheng/bot/dingtalk", []string{"minsheng/bot", "minsheng/bot/internal/...", "minsheng/bot/wxcrypto", "minsheng/models", "minsheng/redact", "minsheng/triage"}, "an adapter speaks one platform to the bot's seams"},
	{"minsheng/bot/mp/mptest", []string{"minsheng/bot/...", "minsheng/models", "minsheng/redact", "minsheng/triage"}, "a fake imitates its platform"},
	{"minsheng/bot/wecom/wecomtest", []string{"minsheng/bot/...", "minsheng/models", "minsheng/redact", "minsheng/triage"}, "a fake imitates its platform"},
	{"minsheng/bot/dingtalk/dingtalktest", []string{"minsheng/bot/...", "minsheng/models", "minsheng/redact", "minsheng/triage"}, "a fake imitates its platform"},
	{"minsheng/bot/sandbox", []string{"minsheng/bot/...", "minsheng/models", "minsheng/redact", "minsheng/triage"}, "the sandbox drives the fakes"},
	{"minsheng/handlers", []string{"minsheng/bot", "minsheng/models", "minsheng/redact", "minsheng/triage", "minsheng/reports"}, "handlers reach the platforms only through the seams in bot; app builds the adapters"},
	{"minsheng/jobs", []string{"minsheng/bot", "minsheng/models", "minsheng/redact", "minsheng/triage", "minsheng/reports"}, "jobs run the bot and the reports on a schedule; app builds the platforms"},
	{"minsheng/app", []string{"minsheng/bot/...", "minsheng/config", "minsheng/handlers", "minsheng/jobs", "minsheng/models", "minsheng/redact", "minsheng/reports", "minsheng/triage"}, "app wires every room and no command"},
	{"minsheng/app/apptest", []string{"minsheng/app", "minsheng/bot/...", "minsheng/config", "minsheng/handlers", "minsheng/jobs", "minsheng/models/...", "minsheng/redact", "minsheng/reports", "minsheng/triage"}, "the test rig builds the server from app"},
	{"minsheng/bench", []string{"minsheng/app", "minsheng/bot/...", "minsheng/config", "minsheng/handlers", "minsheng/jobs", "minsheng/models", "minsheng/redact", "minsheng/reports", "minsheng/triage"}, "the bench builds the server from app"},
	{"minsheng/cli", []string{"minsheng/app", "minsheng/bench", "minsheng/bot/...", "minsheng/config", "minsheng/handlers", "minsheng/jobs", "minsheng/models", "minsheng/redact", "minsheng/reports", "minsheng/triage"}, "the commands sit on app"},
	{"minsheng", []string{"minsheng/..."}, "main hands over to cli"},
	{"minsheng/internal/browsertest", nil, "the browser checks' Chromium stands alone"},
}

// stdlibOnly are the rooms that use the standard library and nothing else.
var stdlibOnly = map[string]bool{"minsheng/redact": true, "minsheng/triage": true}

// inTree reports whether pkg is pattern's package, or in its tree when the
// pattern ends in "/...".
func inTree(pkg, pattern string) bool {
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == p || strings.HasPrefix(pkg, p+"/")
	}
	return pkg == pattern
}

type listed struct {
	ImportPath string
	Deps       []string
}

func listProduction(t *testing.T) []listed {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command to read the import graph")
	}
	out, err := exec.Command("go", "list", "-deps=false", "-json=ImportPath,Deps", "./...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestDependencyDirection(t *testing.T) {
	pkgs := listProduction(t)
	for _, p := range pkgs {
		// The most specific rule that names the package decides.
		rule := -1
		for i, r := range roomRules {
			if inTree(p.ImportPath, r.room) && (rule < 0 || len(r.room) > len(roomRules[rule].room)) {
				rule = i
			}
		}
		if rule < 0 {
			t.Errorf("%s is in no room of the plan: add it to roomRules with what it may use", p.ImportPath)
			continue
		}
		r := roomRules[rule]
		own := strings.TrimSuffix(r.room, "/...")
		for _, d := range p.Deps {
			if first, _, _ := strings.Cut(d, "/"); strings.Contains(first, ".") && stdlibOnly[p.ImportPath] {
				t.Errorf("%s depends on the module package %s: it is standard library only", p.ImportPath, d)
			}
			if d != "minsheng" && !strings.HasPrefix(d, "minsheng/") {
				continue // the standard library and modules
			}
			if inTree(d, own+"/...") || slices.ContainsFunc(r.may, func(m string) bool { return inTree(d, m) }) {
				continue
			}
			t.Errorf("%s depends on %s: %s", p.ImportPath, d, r.reason)
		}
	}
}

// Who may import the wiring and the fakes: the commands and the test rig
// build the server from app; only the sandbox and the wiring reach the fakes.
func TestWhoImports(t *testing.T) {
	fake := func(pkg string) bool {
		return pkg == "minsheng/bot/sandbox" || strings.HasSuffix(pkg, "test") && strings.HasPrefix(pkg, "minsheng/bot/")
	}
	for _, p := range listProduction(t) {
		if slices.Contains(p.Deps, "minsheng/internal/browsertest") {
			t.Errorf("%s depends on internal/browsertest, which is for the browser checks only", p.ImportPath)
		}
	}
	for _, p := range listProduction(t) {
		for _, d := range p.Deps {
			switch {
			case inTree(d, "minsheng/app") && !slices.Contains([]string{"minsheng", "minsheng/cli", "minsheng/bench", "minsheng/app/apptest"}, p.ImportPath):
				t.Errorf("%s depends on app; only the commands and apptest build from it", p.ImportPath)
			case fake(d) && !fake(p.ImportPath) && !inTree(p.ImportPath, "minsheng/app/...") &&
				!slices.Contains([]string{"minsheng", "minsheng/cli", "minsheng/bench"}, p.ImportPath):
				t.Errorf("%s depends on %s: the fakes and the sandbox are for tests and sandbox mode, built by app", p.ImportPath, d)
			}
		}
	}
}
