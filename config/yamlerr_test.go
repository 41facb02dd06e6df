package config

import (
	"strings"
	"testing"
)

// A mistake in config.yaml is told in the file's words: the key as written,
// its line, what was wanted, the nearest valid key.
func TestParseErrorsInWords(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string
	}{
		{"misspelt top-level key", "timezon: Asia/Shanghai\n", "line 1: timezon is not a setting (did you mean timezone?)"},
		{"misspelt nested key", "server:\n  adr: \":8080\"\n", "line 2: server.adr is not a setting (did you mean server.addr?)"},
		{"misspelt key in a list item", "org:\n  departments:\n    - name: 城管局\n      keywordz: [路灯]\n", "line 4: org.departments[0].keywordz is not a setting (did you mean org.departments[0].keywords?)"},
		{"unknown key far from any", "server:\n  zzzzzzzzzzzz: 1\n", "line 2: server.zzzzzzzzzzzz is not a setting"},
		{"text for a number", "intake:\n  max_cases_per_hour: abc\n", `line 2: intake.max_cases_per_hour is "abc", want a whole number`},
		{"number for a section", "mp: 5\n", `line 1: mp is "5", want a section of settings`},
		{"syntax", "server: [\n", "line 1: not valid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error; want %q", tt.yaml, tt.want)
			}
			got := err.Error()
			if !strings.Contains(got, tt.want) {
				t.Errorf("Parse(%q) error = %q; want it to contain %q", tt.yaml, got, tt.want)
			}
			for _, goWords := range []string{"config.", "not found in type", "!!", "\n"} {
				if strings.Contains(got, goWords) {
					t.Errorf("Parse(%q) error = %q; it shows %q", tt.yaml, got, goWords)
				}
			}
		})
	}
}

// Two mistakes are both reported, on one line.
func TestParseErrorsAll(t *testing.T) {
	_, err := Parse([]byte("timezon: x\nserver:\n  adr: y\n"))
	if err == nil || !strings.Contains(err.Error(), "timezon") || !strings.Contains(err.Error(), "server.adr") || strings.Contains(err.Error(), "\n") {
		t.Errorf("Parse error = %v; want both keys on one line", err)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"addr", "addr", 0}, {"adr", "addr", 1}, {"timezon", "timezone", 1},
		{"kitten", "sitting", 3}, {"路灯", "路灯坏", 1}, {"", "abc", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
