package bot

import (
	"testing"
	"unicode/utf8"

	"minsheng/models"
)

func TestParseCitizen(t *testing.T) {
	tests := []struct {
		name, in string
		want     CitizenCommand
	}{
		{"query", "查询 20261121007", CitizenCommand{Verb: VerbQuery, Word: "查询", No: "20261121007"}},
		{"progress", "进度 20261121007", CitizenCommand{Verb: VerbQuery, Word: "进度", No: "20261121007"}},
		{"no space", "查询20261121007", CitizenCommand{Verb: VerbQuery, Word: "查询", No: "20261121007"}},
		{"full-width colon", "查询：20261121007", CitizenCommand{Verb: VerbQuery, Word: "查询", No: "20261121007"}},
		{"full-width space and digits", "查询　２０２６１１２１００７", CitizenCommand{Verb: VerbQuery, Word: "查询", No: "20261121007"}},
		{"编号 word", "查询 编号20261121007", CitizenCommand{Verb: VerbQuery, Word: "查询", No: "20261121007"}},
		{"trailing punctuation", " 查询 20261121007。 ", CitizenCommand{Verb: VerbQuery, Word: "查询", No: "20261121007"}},
		{"four-digit sequence", "查询 202611211234", CitizenCommand{Verb: VerbQuery, Word: "查询", No: "202611211234"}},
		{"supplement", "补充 20261121007 路灯在东门", CitizenCommand{Verb: VerbSupplement, Word: "补充", No: "20261121007", Text: "路灯在东门"}},
		{"supplement full-width", "补充：２０２６１１２１００７，路灯在东门", CitizenCommand{Verb: VerbSupplement, Word: "补充", No: "20261121007", Text: "路灯在东门"}},
		{"supplement keeps its punctuation", "补充 20261121007 路灯在东门，晚上不亮！（三盏）  ", CitizenCommand{Verb: VerbSupplement, Word: "补充", No: "20261121007", Text: "路灯在东门，晚上不亮！（三盏）"}},
		{"supplement keeps its spacing", "补充：２０２６１１２１００７　电话　１３８ 号楼", CitizenCommand{Verb: VerbSupplement, Word: "补充", No: "20261121007", Text: "电话　１３８ 号楼"}},
		{"supplement without text", "补充 20261121007", CitizenCommand{Verb: VerbUsage, Word: "补充", No: "20261121007"}},
		{"query without number", "查询", CitizenCommand{Verb: VerbUsage, Word: "查询"}},
		{"query with short number", "查询 123", CitizenCommand{Verb: VerbUsage, Word: "查询", BadNo: "123"}},
		{"query with impossible date", "查询 20261341007", CitizenCommand{Verb: VerbUsage, Word: "查询", BadNo: "20261341007"}},
		{"mine", "我的", CitizenCommand{Verb: VerbMine, Word: "我的"}},
		{"mine with punctuation", "我的。", CitizenCommand{Verb: VerbMine, Word: "我的"}},
		{"help", "帮助", CitizenCommand{Verb: VerbHelp, Word: "帮助"}},
		{"help question mark", "？", CitizenCommand{Verb: VerbHelp, Word: "帮助"}},
		{"empty", "   ", CitizenCommand{Verb: VerbHelp, Word: "帮助"}},
		{"report", "小区路灯坏了", CitizenCommand{Verb: VerbReport, Text: "小区路灯坏了"}},
		{"report starting with a command word", "查询不到社保记录", CitizenCommand{Verb: VerbReport, Text: "查询不到社保记录"}},
		{"report keeps full-width text", "  噪音：每晚２２点后  ", CitizenCommand{Verb: VerbReport, Text: "噪音：每晚２２点后"}},
		{"report mentioning mine", "我的车被刮了", CitizenCommand{Verb: VerbReport, Text: "我的车被刮了"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseCitizen(tt.in); got != tt.want {
				t.Errorf("ParseCitizen(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidCaseNo(t *testing.T) {
	tests := []struct {
		no   string
		want bool
	}{
		{"20261121007", true}, {"20261121123456", true}, {"2026112100", false}, {"20261131001", false},
		{"19991231001", false}, {"2026112100a", false}, {"", false}, {"202611210070000000000", false},
	}
	for _, tt := range tests {
		if got := ValidCaseNo(tt.no); got != tt.want {
			t.Errorf("ValidCaseNo(%q) = %v; want %v", tt.no, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"查询　２０２６", "查询 2026"},
		{"a\u200bb", "ab"},
		{"  a \t\n b  ", "a b"},
		{"ＡＢＣ：", "ABC:"},
		{"\xff查询", "查询"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseCitizen(f *testing.F) {
	for _, s := range []string{"查询 20261121007", "补充：２０２６１１２１００７，内容", "我的", "帮助", "查询", "\xff\xfe", "查询 9999999999999999999999", "补充 20261121007",
		"1", "３", "不满意 理由", "满意度", "评价 20261121007 3 理由", "评价 20261121007 9", "评价", "非常不满意！！", "\xff3", "评价 20261121007 不满意\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseCitizen(s)
		if c.No != "" && !ValidCaseNo(c.No) {
			t.Errorf("ParseCitizen(%q) gave invalid number %q", s, c.No)
		}
		if !utf8.ValidString(c.Text) {
			t.Errorf("ParseCitizen(%q) text is not UTF-8: %q", s, c.Text)
		}
		if c.Verb == VerbSupplement && c.Text == "" {
			t.Errorf("ParseCitizen(%q) is a supplement without text", s)
		}
		// A rating is always one of the three (rating_command.go).
		if c.Verb == VerbRate && models.RatingValue(c.Rating) == "" {
			t.Errorf("ParseCitizen(%q) is a rating with score %d", s, c.Rating)
		}
		if c.Verb != VerbRate && c.Rating != 0 {
			t.Errorf("ParseCitizen(%q) has a score without being a rating: %+v", s, c)
		}
	})
}
