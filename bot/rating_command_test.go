package bot

import (
	"reflect"
	"testing"
)

func TestParseCitizenRating(t *testing.T) {
	rate := func(score int, no, text string) CitizenCommand {
		return CitizenCommand{Verb: VerbRate, Word: RateWord, Rating: score, No: no, Text: text}
	}
	usageOf := func(no, bad string) CitizenCommand {
		return CitizenCommand{Verb: VerbUsage, Word: RateWord, No: no, BadNo: bad}
	}
	tests := []struct {
		name, in string
		want     CitizenCommand
	}{
		{"1", "1", rate(1, "", "")},
		{"2 with punctuation", "2。", rate(2, "", "")},
		{"3 full-width", "３", rate(3, "", "")},
		{"3 with spaces", "  3 ", rate(3, "", "")},
		{"satisfied", "满意", rate(1, "", "")},
		{"satisfied with thanks", "满意，谢谢！", rate(1, "", "谢谢!")},
		{"very satisfied", "非常满意", rate(1, "", "")},
		{"basically satisfied", "基本满意", rate(2, "", "")},
		{"unsatisfied", "不满意", rate(3, "", "")},
		{"unsatisfied with reason", "不满意 路灯还是不亮", rate(3, "", "路灯还是不亮")},
		{"unsatisfied with reason after a comma", "不满意，路灯只修了一半", rate(3, "", "路灯只修了一半")},
		{"unsatisfied, reason without separator", "不满意路灯还是不亮", rate(3, "", "路灯还是不亮")},
		{"very unsatisfied", "非常不满意！", rate(3, "", "")},
		{"rate command", "评价 20261121007 1", rate(1, "20261121007", "")},
		{"rate command with word", "评价 20261121007 基本满意", rate(2, "20261121007", "")},
		{"rate command with reason", "评价：２０２６１１２１００７ 3 答复与事实不符", rate(3, "20261121007", "答复与事实不符")},
		{"rate command unsatisfied word and reason", "评价 20261121007 不满意 没人来", rate(3, "20261121007", "没人来")},
		{"rate command without score", "评价 20261121007", usageOf("20261121007", "")},
		{"rate command with a bad score", "评价 20261121007 5", usageOf("20261121007", "")},
		{"rate command with 12", "评价 20261121007 12", usageOf("20261121007", "")},
		{"rate command alone", "评价", usageOf("", "")},
		{"rate command with a short number", "评价 123 1", usageOf("", "123")},
		{"report starting with 满意度", "满意度调查电话太多了", CitizenCommand{Verb: VerbReport, Text: "满意度调查电话太多了"}},
		{"report starting with 评价", "评价一下新修的公园", CitizenCommand{Verb: VerbReport, Text: "评价一下新修的公园"}},
		{"report starting with a digit", "1号楼电梯坏了", CitizenCommand{Verb: VerbReport, Text: "1号楼电梯坏了"}},
		{"report with a number", "3 号楼门口积水", CitizenCommand{Verb: VerbReport, Text: "3 号楼门口积水"}},
		{"four is no rating", "4", CitizenCommand{Verb: VerbReport, Text: "4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseCitizen(tt.in); got != tt.want {
				t.Errorf("ParseCitizen(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMemberRatingVerbs(t *testing.T) {
	bad := func(v Verb) MemberCommand {
		return MemberCommand{Verb: v, No: "20261121007", Err: "格式：" + syntaxOf(v)}
	}
	tests := []struct {
		name, in string
		want     MemberCommand
	}{
		{"appeal", "申诉 20261121007 群众反映的问题已解决，不满意是因为另一件事", MemberCommand{Verb: VerbAppeal, No: "20261121007", Text: "群众反映的问题已解决，不满意是因为另一件事"}},
		{"appeal without reason", "申诉 20261121007", bad(VerbAppeal)},
		{"appeal without number", "申诉 理由", MemberCommand{Verb: VerbAppeal, Err: "格式：" + syntaxOf(VerbAppeal)}},
		{"uphold", "申诉成立 20261121007", MemberCommand{Verb: VerbAppealUphold, No: "20261121007"}},
		{"uphold with a note", "申诉成立 20261121007 经核实已办结", MemberCommand{Verb: VerbAppealUphold, No: "20261121007", Text: "经核实已办结"}},
		{"reject", "申诉驳回 20261121007 群众的问题未解决", MemberCommand{Verb: VerbAppealReject, No: "20261121007", Text: "群众的问题未解决"}},
		{"reject without reason", "申诉驳回 20261121007", bad(VerbAppealReject)},
		{"reopen", "重办 20261121007", MemberCommand{Verb: VerbReopen, No: "20261121007"}},
		{"reopen with requirement", "重办：20261121007 请现场复核", MemberCommand{Verb: VerbReopen, No: "20261121007", Text: "请现场复核"}},
		{"close", "办结 20261121007", MemberCommand{Verb: VerbClose, No: "20261121007"}},
		{"duplicate still parses", "重复 20261121008 20261121007", MemberCommand{Verb: VerbDuplicate, No: "20261121008", Orig: "20261121007"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseMember(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMember(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
	buttons := []struct {
		key  string
		want MemberCommand
	}{
		{"申诉成立:20261121007", MemberCommand{Verb: VerbAppealUphold, No: "20261121007"}},
		{"申诉驳回:20261121007", MemberCommand{Verb: VerbAppealReject, No: "20261121007"}},
		{"重办:20261121007", MemberCommand{Verb: VerbReopen, No: "20261121007"}},
		{"办结:20261121007", MemberCommand{Verb: VerbClose, No: "20261121007"}},
		{"申诉:20261121007", MemberCommand{Err: "无法识别的按钮"}},
		{"办结:20261121007:x", MemberCommand{Err: "无法识别的按钮"}},
	}
	for _, tt := range buttons {
		if got := ParseButton(tt.key); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseButton(%q) = %+v; want %+v", tt.key, got, tt.want)
		}
	}
}
