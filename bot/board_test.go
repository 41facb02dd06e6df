package bot

import (
	"reflect"
	"testing"
)

func TestParseBoardVerbs(t *testing.T) {
	tests := []struct {
		name, in string
		want     MemberCommand
	}{
		{"withhold", "不公开 20261121007 涉及个人隐私", MemberCommand{Verb: VerbWithhold, No: "20261121007", Text: "涉及个人隐私"}},
		{"withhold keeps punctuation", "不公开　２０２６１１２１００７　涉及未成年人，不宜公开。", MemberCommand{Verb: VerbWithhold, No: "20261121007", Text: "涉及未成年人，不宜公开。"}},
		{"withhold without reason", "不公开 20261121007", MemberCommand{Verb: VerbWithhold, No: "20261121007", Err: "格式：" + syntaxOf(VerbWithhold)}},
		{"withhold without number", "不公开 涉及隐私", MemberCommand{Verb: VerbWithhold, Err: "格式：" + syntaxOf(VerbWithhold)}},
		{"publish", "恢复公开 20261121007", MemberCommand{Verb: VerbPublish, No: "20261121007"}},
		{"publish with words", "恢复公开 20261121007 可以了", MemberCommand{Verb: VerbPublish, No: "20261121007", Err: "格式：" + syntaxOf(VerbPublish)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseMember(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMember(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}
