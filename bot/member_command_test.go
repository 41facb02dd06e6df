package bot

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"minsheng/models"
)

func TestParseMember(t *testing.T) {
	tests := []struct {
		name, in string
		want     MemberCommand
	}{
		{"assign", "交办 20261121007 城管局", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "城管局"}},
		{"assign with co", "交办 20261121007 cg 协办 zj、hb", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Co: []string{"zj", "hb"}}},
		{"assign full-width", "交办　２０２６１１２１００７　城管局", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "城管局"}},
		{"assign two leads", "交办 20261121007 cg zj", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Err: "格式：" + syntaxOf(VerbAssign)}},
		{"assign co without unit", "交办 20261121007 cg 协办", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg", Err: "格式：" + syntaxOf(VerbAssign)}},
		{"invalid", "无效 20261121007 非本县事务", MemberCommand{Verb: VerbInvalid, No: "20261121007", Text: "非本县事务"}},
		{"invalid without reason", "无效 20261121007", MemberCommand{Verb: VerbInvalid, No: "20261121007", Err: "格式：" + syntaxOf(VerbInvalid)}},
		{"duplicate", "重复 20261121008 20261121007", MemberCommand{Verb: VerbDuplicate, No: "20261121008", Orig: "20261121007"}},
		{"duplicate of itself", "重复 20261121007 20261121007", MemberCommand{Verb: VerbDuplicate, No: "20261121007", Err: "格式：" + syntaxOf(VerbDuplicate)}},
		{"grade", "定级 20261121007 特别重大", MemberCommand{Verb: VerbGrade, No: "20261121007", Severity: models.SeverityCritical}},
		{"grade unknown", "定级 20261121007 很大", MemberCommand{Verb: VerbGrade, No: "20261121007", Err: "格式：" + syntaxOf(VerbGrade)}},
		{"supervise", "督办 20261121007 本周内办结", MemberCommand{Verb: VerbSupervise, No: "20261121007", Text: "本周内办结"}},
		{"view", "查 20261121007", MemberCommand{Verb: VerbView, No: "20261121007"}},
		{"todo", "待办", MemberCommand{Verb: VerbTodo}},
		{"accept", "签收 20261121007", MemberCommand{Verb: VerbAccept, No: "20261121007"}},
		{"accept with colon", "签收：20261121007", MemberCommand{Verb: VerbAccept, No: "20261121007"}},
		{"return", "退回 20261121007 不属于本单位职责", MemberCommand{Verb: VerbReturn, No: "20261121007", Text: "不属于本单位职责"}},
		{"progress keeps spaces", "进展 20261121007 已到现场 明天维修", MemberCommand{Verb: VerbProgress, No: "20261121007", Text: "已到现场 明天维修"}},
		{"answer", "答复 20261121007 经核查，路灯已于今日修复。", MemberCommand{Verb: VerbAnswer, No: "20261121007", Text: "经核查，路灯已于今日修复。"}},
		{"approve", "同意 20261121007", MemberCommand{Verb: VerbApprove, No: "20261121007"}},
		{"extend", "延期 20261121007 3 需要协调供电公司", MemberCommand{Verb: VerbExtend, No: "20261121007", Days: 3, Text: "需要协调供电公司"}},
		{"extend days word", "延期 20261121007 3天 需要协调", MemberCommand{Verb: VerbExtend, No: "20261121007", Days: 3, Text: "需要协调"}},
		{"extend no reason", "延期 20261121007 3", MemberCommand{Verb: VerbExtend, No: "20261121007", Err: "格式：" + syntaxOf(VerbExtend)}},
		{"extend bad days", "延期 20261121007 三 理由", MemberCommand{Verb: VerbExtend, No: "20261121007", Err: "格式：" + syntaxOf(VerbExtend)}},
		{"bad number", "签收 123", MemberCommand{Verb: VerbAccept, Err: "格式：" + syntaxOf(VerbAccept)}},
		{"help", "帮助", MemberCommand{Verb: VerbMemberHelp}},
		{"chatter", "你好", MemberCommand{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseMember(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMember(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseButton(t *testing.T) {
	tests := []struct {
		key  string
		want MemberCommand
	}{
		{"签收:20261121007", MemberCommand{Verb: VerbAccept, No: "20261121007"}},
		{"交办:20261121007:cg", MemberCommand{Verb: VerbAssign, No: "20261121007", Lead: "cg"}},
		{"同意:20261121007", MemberCommand{Verb: VerbApprove, No: "20261121007"}},
		{"退回:20261121007", MemberCommand{Verb: VerbReturn, No: "20261121007"}},
		{"无效:20261121007", MemberCommand{Verb: VerbInvalid, No: "20261121007"}},
		{"重复:20261121007", MemberCommand{Verb: VerbDuplicate, No: "20261121007"}},
		{"重复:20261121007:20261120003", MemberCommand{Verb: VerbDuplicate, No: "20261121007", Orig: "20261120003"}},
		{"重复:20261121007:20261121007", MemberCommand{Err: "无法识别的按钮"}},
		{"重复:20261121007:cg", MemberCommand{Err: "无法识别的按钮"}},
		{"无效:20261121007:20261120003", MemberCommand{Err: "无法识别的按钮"}},
		{"定级:20261121007", MemberCommand{Err: "无法识别的按钮"}},
		{"签收:x", MemberCommand{Err: "无法识别的按钮"}},
		{"", MemberCommand{Err: "无法识别的按钮"}},
	}
	for _, tt := range tests {
		if got := ParseButton(tt.key); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseButton(%q) = %+v; want %+v", tt.key, got, tt.want)
		}
	}
}

// TestAuthorize is the permission table: every verb × role × the member's
// unit on the case (lead / co-handling / none).
func TestAuthorize(t *testing.T) {
	D, L, H, O, I := models.RoleDispatcher, models.RoleLeader, models.RoleHead, models.RoleOfficer, models.RoleInformant
	type row struct{ lead, co, none bool }
	allow := map[models.Role]map[Verb]row{
		D: {VerbAssign: {true, true, true}, VerbInvalid: {true, true, true}, VerbDuplicate: {true, true, true}, VerbGrade: {true, true, true},
			VerbSupervise: {true, true, true}, VerbView: {true, true, true}, VerbTodo: {true, true, true}, VerbMemberHelp: {true, true, true},
			VerbWithhold: {true, true, true}, VerbPublish: {true, true, true}},
		L: {VerbSupervise: {true, true, true}, VerbView: {true, true, true}, VerbApprove: {true, true, true}, VerbTodo: {true, true, true}, VerbMemberHelp: {true, true, true}},
		H: {VerbView: {true, true, false}, VerbAccept: {true, true, false}, VerbReturn: {true, true, false}, VerbProgress: {true, true, false},
			VerbAnswer: {true, false, false}, VerbExtend: {true, false, false}, VerbApprove: {true, false, false}, VerbTodo: {true, true, true}, VerbMemberHelp: {true, true, true}},
		O: {VerbView: {true, true, false}, VerbAccept: {true, true, false}, VerbReturn: {true, true, false}, VerbProgress: {true, true, false},
			VerbAnswer: {true, false, false}, VerbExtend: {true, false, false}, VerbTodo: {true, true, true}, VerbMemberHelp: {true, true, true}},
		// An information officer reports and handles no case (informant.go).
		I: {VerbOpinion: {true, true, true}, VerbSafe: {true, true, true}, VerbMemberHelp: {true, true, true}},
	}
	// Ratings and appeals (rating_command.go): the dispatcher reopens and
	// closes; the dispatcher and leaders decide appeals; the lead unit appeals.
	for _, v := range []Verb{VerbReopen, VerbClose, VerbAppealUphold, VerbAppealReject} {
		allow[D][v] = row{true, true, true}
	}
	allow[L][VerbAppealUphold], allow[L][VerbAppealReject] = row{true, true, true}, row{true, true, true}
	allow[H][VerbAppeal], allow[O][VerbAppeal] = row{true, false, false}, row{true, false, false}
	rels := []struct {
		name string
		rel  Relation
		pick func(row) bool
	}{
		{"lead", RelLead, func(r row) bool { return r.lead }},
		{"co", RelCo, func(r row) bool { return r.co }},
		{"other", RelNone, func(r row) bool { return r.none }},
	}
	for _, role := range []models.Role{D, L, H, O, I} {
		for _, v := range []Verb{VerbAssign, VerbInvalid, VerbDuplicate, VerbGrade, VerbSupervise, VerbView, VerbTodo,
			VerbAccept, VerbReturn, VerbProgress, VerbAnswer, VerbApprove, VerbExtend, VerbMemberHelp,
			VerbAppealUphold, VerbAppealReject, VerbAppeal, VerbReopen, VerbClose, VerbWithhold, VerbPublish,
			VerbOpinion, VerbSafe} {
			for _, rel := range rels {
				t.Run(fmt.Sprintf("%s/%s/%s", role, v, rel.name), func(t *testing.T) {
					want := rel.pick(allow[role][v])
					err := Authorize(role, v, rel.rel)
					if (err == nil) != want {
						t.Errorf("Authorize(%s, %s, %s) = %v; want allowed=%v", role, v, rel.name, err, want)
					}
					if err != nil {
						var r *Refusal
						if !errors.As(err, &r) || r.Msg == "" || !errors.Is(err, models.ErrForbidden) {
							t.Errorf("refusal %v is not a Chinese sentence wrapping ErrForbidden", err)
						}
					}
				})
			}
		}
	}
}

func FuzzParseMember(f *testing.F) {
	for _, s := range []string{"交办 20261121007 cg 协办 zj", "延期 20261121007 3 理由", "定级 20261121007 重大", "重复 20261121008 20261121007", "答复 20261121007 内容", "签收\u3000２０２６１１２１００７", "\xff",
		"舆情 潇楚南路洋湖段路面塌陷，电话13912345678", "／舆情：\u200b", "报平安 本周无情况"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseMember(s)
		if c.Err == "" && c.No != "" && !ValidCaseNo(c.No) {
			t.Errorf("ParseMember(%q) accepted number %q", s, c.No)
		}
		if c.Err == "" && c.Verb == VerbExtend && (c.Days < 1 || c.Text == "") {
			t.Errorf("ParseMember(%q) accepted extension %+v", s, c)
		}
		if c.Err == "" && c.Verb == VerbOpinion && (c.Text == "" || !utf8.ValidString(c.Text) || strings.TrimSpace(c.Text) != c.Text) {
			t.Errorf("ParseMember(%q) accepted 舆情 with text %q", s, c.Text)
		}
		ParseButton(s)
	})
}
