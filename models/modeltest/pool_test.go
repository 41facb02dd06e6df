package modeltest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryTestStoreIsCapped: a test that opens its own store with
// models.Open caps its pool (Cap) within the next lines, so the suite stays
// within a shared MariaDB's max_connections (a test's own store otherwise
// holds up to the server's 64), or says on the line before why not
// ("// uncapped: …").
func TestEveryTestStoreIsCapped(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "data") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") || d.Name() == "pool_test.go" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines := strings.Split(string(b), "\n")
		for i, l := range lines {
			if !strings.Contains(l, "models.Open(") {
				continue
			}
			capped := i > 0 && strings.Contains(lines[i-1], "// uncapped:")
			for _, next := range lines[i:min(i+4, len(lines))] {
				capped = capped || strings.Contains(next, "modeltest.Cap(")
			}
			if !capped {
				t.Errorf("%s:%d opens a store without modeltest.Cap", path, i+1)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
