package redact

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDirs are where the shared data is looked for, from this package's
// directory: ../shared beside the repository.
var corpusDirs = []string{"../../shared/data"}

// corpusFile returns the path of a file of the shared data, or skips the
// test when it is not there.
func corpusFile(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range corpusDirs {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("the masking corpus is needed for this test: %s not found under %v", name, corpusDirs)
	return ""
}

// corpusRow is one line of pii/dev.tsv.
type corpusRow struct {
	line               int
	text, kind         string
	mustHide, mustKeep []string
}

func readCorpus(t testing.TB) []corpusRow {
	t.Helper()
	path := corpusFile(t, "pii/dev.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open corpus: %v", err)
	}
	defer f.Close()
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, " | ")
	}
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			t.Fatalf("%s:%d: %d columns; want 4", path, line, len(cols))
		}
		rows = append(rows, corpusRow{line, cols[0], cols[3], split(cols[1]), split(cols[2])})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	return rows
}

// kindCount is what the corpus run counted for one kind.
type kindCount struct{ rows, hide, leaked, keep, kept int }

// TestCorpus runs Mask and Identity over every row of the corpus: no
// must_hide substring may survive either, and at least 98 % of the must_keep
// substrings must survive Mask.
func TestCorpus(t *testing.T) {
	rows := readCorpus(t)
	counts := map[string]*kindCount{}
	var total kindCount
	for _, row := range rows {
		c := counts[row.kind]
		if c == nil {
			c = &kindCount{}
			counts[row.kind] = c
		}
		c.rows++
		masked, identity := Mask(row.text), Identity(row.text)
		for _, h := range row.mustHide {
			c.hide++
			leaked := false
			for _, out := range []struct{ fn, text string }{{"Mask", masked}, {"Identity", identity}} {
				if strings.Contains(out.text, h) {
					leaked = true
					t.Errorf("line %d (%s): %s leaks %q: %q", row.line, row.kind, out.fn, h, out.text)
				}
			}
			if leaked {
				c.leaked++
			}
		}
		for _, k := range row.mustKeep {
			c.keep++
			if strings.Contains(masked, k) {
				c.kept++
			} else {
				t.Logf("line %d (%s): Mask loses %q: %q", row.line, row.kind, k, masked)
			}
		}
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "%-30s %4s %12s %12s\n", "kind", "rows", "hidden", "kept")
	for _, k := range kinds {
		c := counts[k]
		fmt.Fprintf(&b, "%-30s %4d %5d/%-6d %5d/%-6d\n", k, c.rows, c.hide-c.leaked, c.hide, c.kept, c.keep)
		total.rows += c.rows
		total.hide += c.hide
		total.leaked += c.leaked
		total.keep += c.keep
		total.kept += c.kept
	}
	fmt.Fprintf(&b, "%-30s %4d %5d/%-6d %5d/%-6d", "all", total.rows, total.hide-total.leaked, total.hide, total.kept, total.keep)
	t.Logf("corpus (%d rows):\n%s", len(rows), b.String())
	if total.keep > 0 && total.kept*100 < total.keep*98 {
		t.Errorf("kept %d of %d must_keep substrings (%.1f %%); want at least 98 %%", total.kept, total.keep, 100*float64(total.kept)/float64(total.keep))
	}
}

// TestAnsweredFalsePositives masks (as MaskCase does) the official answers of the real
// messages: they name no private person and must stay readable. It counts
// the answers Mask changes and prints what it took out of them; it fails
// when more than maxChangedAnswers of them are changed.
func TestAnsweredFalsePositives(t *testing.T) {
	path := corpusFile(t, "complaints/answered.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open answers: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read answers: %v", err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "answer" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s: no answer column in %v", path, recs[0])
	}
	changed := 0
	for _, rec := range recs[1:] {
		a := rec[col]
		if _, m := MaskCase("", a); m != a {
			changed++
			t.Logf("answer %s: %s", rec[0], diffSnippets(a, m))
		}
	}
	t.Logf("official answers changed by Mask: %d of %d", changed, len(recs)-1)
	if changed > maxChangedAnswers {
		t.Errorf("Mask changed %d official answers; want at most %d", changed, maxChangedAnswers)
	}
}

// maxChangedAnswers is how many of the 120 official answers masking may
// change: 10 name a private person (被执行人, 信访人, a driver) or a
// complainant's home, and are rightly changed; two more leave room for a
// rule, not for a habit.
const maxChangedAnswers = 12

// diffSnippets shows each marker of masked with what stood around it.
func diffSnippets(orig, masked string) string {
	var parts []string
	rest := masked
	for {
		i := strings.Index(rest, "已隐去]")
		if i < 0 {
			break
		}
		j := strings.LastIndex(rest[:i], "[")
		from := max(0, j-15)
		for from > 0 && !isRuneStart(rest[from]) {
			from--
		}
		to := min(len(rest), i+len("已隐去]")+15)
		for to < len(rest) && !isRuneStart(rest[to]) {
			to++
		}
		parts = append(parts, rest[from:to])
		rest = rest[i+len("已隐去]"):]
	}
	if len(parts) == 0 {
		return "changed without a marker"
	}
	return strings.Join(parts, " … ")
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
