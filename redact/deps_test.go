package redact_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsOnlyStandardLibrary keeps redact usable by everything that
// shows text: it imports the standard library and nothing else.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "minsheng/redact").Output()
	if err != nil {
		t.Fatalf("go list -deps minsheng/redact: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "minsheng/redact" {
			t.Errorf("redact depends on %s; want the standard library only", p)
		}
	}
}
