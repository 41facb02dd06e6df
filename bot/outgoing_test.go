package bot

import "testing"

// TestMdEscape: a citizen's text cannot be read as markdown, and the markers
// of redact keep their one style (ASCII brackets) on cards as everywhere.
func TestMdEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"markdown", "*加粗* _斜体_ `代码` #标题 [链接](http://x) <b>", "＊加粗＊ ＿斜体＿ ｀代码｀ ＃标题 ［链接］(http://x) ＜b＞"},
		{"markers stay", "我叫[姓名已隐去]，电话[电话已隐去]", "我叫[姓名已隐去]，电话[电话已隐去]"},
		{"no link from a marker", "[姓名已隐去](http://x)", "[姓名已隐去]（http://x)"},
		{"no marker", "[已隐去]", "［已隐去］"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdEscape(tt.in); got != tt.want {
				t.Errorf("mdEscape(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
