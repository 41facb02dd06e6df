package bot

import (
	"reflect"
	"testing"
)

// TestParseAssignKind: 交办 takes the case type as an optional last word.
func TestParseAssignKind(t *testing.T) {
	bad := "格式：" + syntaxOf(VerbAssign)
	tests := []struct {
		name, in string
		want     MemberCommand
	}{
		{"simple", "交办 20261121007 cg 即办", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Kind: "即办"}},
		{"complex", "交办 20261121007 城管局 复杂", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "城管局", Kind: "复杂"}},
		{"co and general", "交办 20261121007 cg 协办 zj、hb 一般", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Co: []string{"zj", "hb"}, Kind: "一般"}},
		{"no type", "交办 20261121007 cg 协办 zj", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Co: []string{"zj"}}},
		{"type alone is a unit", "交办 20261121007 复杂", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "复杂"}},
		{"type in the middle", "交办 20261121007 cg 复杂 协办 zj", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Err: bad}},
		{"unknown type", "交办 20261121007 cg 紧急", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Err: bad}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseMember(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMember(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}
