package bot

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"minsheng/models"
)

// reviewDefaults are config.yaml's review.* numbers and a few of its words.
var reviewDefaults = ReviewSettings{
	MinAnswerRunes: 15, MinConcreteRunes: 8,
	Sensitive:   []string{"刁民", "无理取闹", "不归我们管"},
	Boilerplate: []string{"您好", "来信已收悉", "已收悉", "我单位", "高度重视", "认真研究", "正在处理", "请耐心等待", "感谢您的关注", "特此答复"},
}

func TestCheckDraft(t *testing.T) {
	tests := []struct {
		name, body, want string // want: a phrase of the reason, "" to pass
	}{
		{"concrete", "经核查，幸福小区东门路灯因线路老化损坏，已于11月24日更换灯具并恢复照明。", ""},
		{"office landline kept", "经核查，路灯已于11月24日修复。如有疑问请致电县城管局0571-87654321。", ""},
		{"boilerplate with content", "您好，来信已收悉。经现场核查，东门路灯线路老化，已于11月24日更换灯具并恢复照明。特此答复。", ""},
		{"too short", "已修好。", "答复太短（4字，至少15字）"},
		{"spaces do not count", "已 修 好 了 谢 谢 您 的 反 映", "答复太短（10字"},
		{"sensitive", "经核查，此事属于无理取闹，不予处理，请不要再反映此类问题。", "不当用语“无理取闹”"},
		{"mobile", "经核查已修复，如有问题请联系李师傅13912345678，谢谢您的反映。", "手机号码"},
		{"id number", "经核查，身份证110101199003074518的业主已补办手续，问题已解决。", "身份证号码"},
		{"boilerplate only", "您好，来信已收悉，我单位高度重视，正在处理，请耐心等待。", "程序化语言"},
		{"boilerplate names the phrases", "您好，来信已收悉，我单位高度重视，认真研究，正在处理。感谢您的关注！", "“您好”“来信已收悉”“我单位”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reviewDefaults.CheckDraft(tt.body)
			if tt.want == "" && got != "" {
				t.Errorf("CheckDraft(%q) = %q; want it to pass", tt.body, got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("CheckDraft(%q) = %q; want a reason with %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestParseLeaderVerbs(t *testing.T) {
	const no = "20261121007"
	bad := func(v Verb) MemberCommand { return MemberCommand{Verb: v, No: no, Err: "格式：" + syntaxOf(v)} }
	tests := []struct {
		name, in string
		want     MemberCommand
	}{
		{"revise", "退回修改 " + no + " 请写明更换灯具的日期", MemberCommand{Verb: VerbRevise, No: no, Text: "请写明更换灯具的日期"}},
		{"revise without comment", "退回修改 " + no, bad(VerbRevise)},
		{"return is still return", "退回 " + no + " 请补充", MemberCommand{Verb: VerbReturn, No: no, Text: "请补充"}},
		{"approve extension", "批准延期 " + no, MemberCommand{Verb: VerbExtApprove, No: no}},
		{"approve extension with words", "批准延期 " + no + " 好的", bad(VerbExtApprove)},
		{"reject extension", "驳回延期 " + no + " 理由不充分，请按期办结", MemberCommand{Verb: VerbExtReject, No: no, Text: "理由不充分，请按期办结"}},
		{"reject extension without reason", "驳回延期 " + no, bad(VerbExtReject)},
		{"instruct keeps punctuation", "批示：" + no + " 请城管局今天内到现场，务必！", MemberCommand{Verb: VerbInstruct, No: no, Text: "请城管局今天内到现场，务必！"}},
		{"instruct without text", "批示 " + no, bad(VerbInstruct)},
		{"acknowledge", "知悉 " + no, MemberCommand{Verb: VerbAck, No: no}},
		{"acknowledge full-width", "知悉　２０２６１１２１００７", MemberCommand{Verb: VerbAck, No: no}},
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
		{"退回修改:" + no, MemberCommand{Verb: VerbRevise, No: no}},
		{"批准延期:" + no, MemberCommand{Verb: VerbExtApprove, No: no}},
		{"驳回延期:" + no, MemberCommand{Verb: VerbExtReject, No: no}},
		{"知悉:" + no, MemberCommand{Verb: VerbAck, No: no}},
		{"批示:" + no, MemberCommand{Err: "无法识别的按钮"}},
		{"知悉:" + no + ":x", MemberCommand{Err: "无法识别的按钮"}},
	}
	for _, tt := range buttons {
		if got := ParseButton(tt.key); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseButton(%q) = %+v; want %+v", tt.key, got, tt.want)
		}
	}
}

// TestAuthorizeLeaderVerbs is the permission table of the leaders' verbs,
// every role × the member's unit on the case. Scopes and the order of the
// approval chain are checked on the case (handlers/leaders_test.go).
func TestAuthorizeLeaderVerbs(t *testing.T) {
	D, L, H, O := models.RoleDispatcher, models.RoleLeader, models.RoleHead, models.RoleOfficer
	type row struct{ lead, co, none bool }
	all := row{true, true, true}
	allow := map[models.Role]map[Verb]row{
		L: {VerbRevise: all, VerbExtApprove: all, VerbExtReject: all, VerbInstruct: all, VerbAck: all},
		H: {VerbRevise: {true, false, false}},
	}
	rels := []struct {
		name string
		rel  Relation
		pick func(row) bool
	}{
		{"lead", RelLead, func(r row) bool { return r.lead }},
		{"co", RelCo, func(r row) bool { return r.co }},
		{"other", RelNone, func(r row) bool { return r.none }},
	}
	for _, role := range []models.Role{D, L, H, O} {
		for _, v := range []Verb{VerbRevise, VerbExtApprove, VerbExtReject, VerbInstruct, VerbAck} {
			for _, rel := range rels {
				t.Run(fmt.Sprintf("%s/%s/%s", role, v, rel.name), func(t *testing.T) {
					want := rel.pick(allow[role][v])
					err := Authorize(role, v, rel.rel)
					if (err == nil) != want {
						t.Errorf("Authorize(%s, %s, %s) = %v; want allowed=%v", role, v, rel.name, err, want)
					}
					var r *Refusal
					if err != nil && (!errors.As(err, &r) || r.Msg == "" || !errors.Is(err, models.ErrForbidden)) {
						t.Errorf("refusal %v is not a Chinese sentence wrapping ErrForbidden", err)
					}
				})
			}
		}
	}
}

func TestLinkSignVerify(t *testing.T) {
	l := LinkSettings{Secret: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const no = "20261123001"
	tok := l.Sign(7, no, now.Add(time.Hour))
	flip := func(s string) string { // change the last character of the signature
		b := []byte(s)
		if b[len(b)-1] == 'A' {
			b[len(b)-1] = 'B'
		} else {
			b[len(b)-1] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name, token, no string
		at              time.Time
		want            uint64
		err             error
	}{
		{"valid", tok, no, now, 7, nil},
		{"just before expiry", tok, no, now.Add(time.Hour - time.Second), 7, nil},
		{"expired", tok, no, now.Add(time.Hour), 0, ErrLinkExpired},
		{"other case", tok, "20261123002", now, 0, ErrLinkInvalid},
		{"other member", "8" + tok[1:], no, now, 0, ErrLinkInvalid},
		{"later expiry", strings.Replace(tok, fmt.Sprint(now.Add(time.Hour).Unix()), fmt.Sprint(now.Add(48*time.Hour).Unix()), 1), no, now.Add(2 * time.Hour), 0, ErrLinkInvalid},
		{"tampered signature", flip(tok), no, now, 0, ErrLinkInvalid},
		{"garbage", "not-a-token", no, now, 0, ErrLinkInvalid},
		{"empty", "", no, now, 0, ErrLinkInvalid},
		{"other secret", LinkSettings{Secret: []byte("another secret of 32 bytes......")}.Sign(7, no, now.Add(time.Hour)), no, now, 0, ErrLinkInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.Verify(tt.token, tt.no, tt.at)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("Verify(%q, %s) = %d, %v; want %d, %v", tt.token, tt.no, got, err, tt.want, tt.err)
			}
		})
	}
	if _, err := (LinkSettings{}).Verify(tok, no, now); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("Verify without a secret = %v; want ErrLinkInvalid", err)
	}
}

func FuzzLinkVerify(f *testing.F) {
	l := LinkSettings{Secret: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour}
	f.Add(l.Sign(1, "20261123001", time.Unix(1<<40, 0)), "20261123001")
	f.Add("1.2.3", "x")
	f.Fuzz(func(t *testing.T, token, no string) {
		id, err := l.Verify(token, no, time.Unix(0, 0))
		if err == nil && l.Sign(id, no, time.Unix(mustExp(token), 0)) != token {
			t.Errorf("Verify accepted %q for %q, which Sign would not make", token, no)
		}
	})
}

func mustExp(token string) int64 {
	var id, exp int64
	fmt.Sscanf(strings.ReplaceAll(token, ".", " "), "%d %d", &id, &exp)
	return exp
}
