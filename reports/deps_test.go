package reports_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps reports below the jobs and the dashboard that use it:
// it reads the store (models) and masks texts (redact), and reaches no
// package above it, no platform and no configuration (settings come in as
// fields).
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "minsheng/reports").Output()
	if err != nil {
		t.Fatalf("go list -deps minsheng/reports: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "minsheng/") && p != "minsheng" {
			continue // a third-party module (excelize, gorm)
		}
		switch p {
		case "minsheng/reports", "minsheng/models", "minsheng/redact":
		default:
			t.Errorf("reports depends on %s; want only minsheng/models and minsheng/redact of the project", p)
		}
	}
}
