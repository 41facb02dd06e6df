package bot

import (
	"errors"
	"reflect"
	"testing"

	"minsheng/models"
)

// The information officer's verbs as typed on a phone: the words after
// the verb are the report, in the officer's own characters.
func TestParseInformantVerbs(t *testing.T) {
	const road = "潇楚南路洋湖段路面塌陷，已有车辆陷入！"
	tests := []struct {
		name, in string
		want     MemberCommand
	}{
		{"report", "舆情 " + road, MemberCommand{Verb: VerbOpinion, Text: road}},
		{"report after a colon", "舆情：" + road, MemberCommand{Verb: VerbOpinion, Text: road}},
		{"report without a space", "舆情" + road, MemberCommand{Verb: VerbOpinion, Text: road}},
		{"report full-width space and slash", "／舆情\u3000" + road, MemberCommand{Verb: VerbOpinion, Text: road}},
		{"report over lines", "舆情\n" + road + "\n请尽快处理", MemberCommand{Verb: VerbOpinion, Text: road + "\n请尽快处理"}},
		{"report invisible characters", "舆情 \u200b" + road, MemberCommand{Verb: VerbOpinion, Text: road}},
		{"report without text", "舆情", MemberCommand{Verb: VerbOpinion, Err: "格式：舆情 内容"}},
		{"report with punctuation only", "舆情：。", MemberCommand{Verb: VerbOpinion, Err: "格式：舆情 内容"}},
		{"safe", "报平安", MemberCommand{Verb: VerbSafe}},
		{"safe with a note", "报平安 本周辖区无异常", MemberCommand{Verb: VerbSafe, Text: "本周辖区无异常"}},
		{"safe with a full stop", "报平安。", MemberCommand{Verb: VerbSafe}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseMember(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMember(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
	// Neither verb has a button: a forged click is no command.
	for _, key := range []string{"舆情:20261121007", "报平安:20261121007"} {
		if got := ParseButton(key); got.Err == "" {
			t.Errorf("ParseButton(%q) = %+v; want refused", key, got)
		}
	}
}

// An information officer is refused every verb of a case, whatever their
// relation to it, with one sentence that says what they may do; the other
// members are refused 舆情 and 报平安 with the sentence that says whose they are.
func TestInformantRefusals(t *testing.T) {
	const informant = "舆情信息员只能报送舆情和报平安（发送“帮助”查看用法），不能使用“%s”。"
	for _, v := range verbs().member {
		if v.verb == VerbOpinion || v.verb == VerbSafe || v.verb == VerbMemberHelp {
			continue
		}
		for _, rel := range []Relation{RelNone, RelLead, RelCo} {
			err := Authorize(models.RoleInformant, v.verb, rel)
			var r *Refusal
			if !errors.As(err, &r) || !errors.Is(err, models.ErrForbidden) {
				t.Errorf("Authorize(informant, %s, %d) = %v; want a refusal", v.verb, rel, err)
				continue
			}
			if want := "舆情信息员只能报送舆情和报平安（发送“帮助”查看用法），不能使用“" + string(v.verb) + "”。"; r.Msg != want {
				t.Errorf("informant refused %s: %q; want %q (%s)", v.verb, r.Msg, want, informant)
			}
		}
	}
	for _, role := range []models.Role{models.RoleDispatcher, models.RoleLeader, models.RoleHead, models.RoleOfficer} {
		for _, v := range []Verb{VerbOpinion, VerbSafe} {
			err := Authorize(role, v, RelNone)
			var r *Refusal
			if !errors.As(err, &r) || r.Msg != "舆情和报平安由各村（社区）、单位的舆情信息员报送。" {
				t.Errorf("Authorize(%s, %s) = %v; want the sentence naming the information officers", role, v, err)
			}
		}
	}
}
