package wecomtest

import "testing"

func TestShownLiterally(t *testing.T) {
	tests := []struct {
		content string
		want    int
	}{
		{"**交办**\n\n---\n\n**交办**", 1},
		{"a\n* * *\nb\n___", 2},
		{"**交办**\n\n──────────\n\n> 编号：1", 0},
		{"- 一项\n-- 两字", 0},
	}
	for _, tt := range tests {
		if got := ShownLiterally(tt.content); len(got) != tt.want {
			t.Errorf("ShownLiterally(%q) = %q; want %d lines", tt.content, got, tt.want)
		}
	}
}
