package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"minsheng/models"
)

var allRoles = []models.Role{models.RoleDispatcher, models.RoleLeader, models.RoleHead, models.RoleOfficer, models.RoleInformant}

// helpFor is the help text a member with role gets when leaders decide appeals too.
func helpFor(role models.Role) string {
	b := &Bot{}
	b.Settings.Rating.AppealDeciders = []models.Role{models.RoleDispatcher, models.RoleLeader}
	return b.memberHelp(&models.Member{Name: "王问政", Role: role})
}

// TestVerbTable walks the verb table: every row is complete, every word
// means one verb, every verb is in the help text of those who may use it,
// and every word parses back to its row.
func TestVerbTable(t *testing.T) {
	tab := verbs()
	t.Run("member rows", func(t *testing.T) {
		words := map[string]Verb{}
		for _, v := range tab.member {
			if v.verb == "" || v.syntax == "" || v.run == nil || len(v.may) == 0 {
				t.Errorf("row %q: name %q, help line %q, run set %v, %d grants; want all", v.verb, v.verb, v.syntax, v.run != nil, len(v.may))
			}
			if !strings.HasPrefix(v.syntax, string(v.verb)) {
				t.Errorf("row %q: help line %q does not start with the verb", v.verb, v.syntax)
			}
			if !v.args.noCase && v.args.read == nil {
				t.Errorf("row %q: no way to read its arguments", v.verb)
			}
			for _, g := range v.may {
				if g.on == 0 {
					t.Errorf("row %q: a grant for %v on no relation to the case", v.verb, g.roles)
				}
			}
			for _, w := range append([]string{string(v.verb)}, v.aliases...) {
				if prev, ok := words[strings.ToLower(w)]; ok {
					t.Errorf("word %q means both %q and %q", w, prev, v.verb)
				}
				words[strings.ToLower(w)] = v.verb
			}
		}
		if len(tab.byVerb) != len(tab.member) || len(tab.longestFirst) != len(tab.member) {
			t.Errorf("indexes have %d and %d rows; want %d", len(tab.byVerb), len(tab.longestFirst), len(tab.member))
		}
	})
	t.Run("citizen rows", func(t *testing.T) {
		words := map[string]CitizenVerb{}
		for _, v := range tab.citizen {
			if v.name == "" || v.syntax == "" || v.help == "" || v.run == nil || v.read == nil {
				t.Errorf("row %q: syntax %q, help %q, run set %v, read set %v; want all", v.name, v.syntax, v.help, v.run != nil, v.read != nil)
			}
			if v.verb == VerbReport || v.verb == VerbUsage {
				t.Errorf("row %q is a %d, which is no command", v.name, v.verb)
			}
			for _, w := range append([]string{v.name}, v.aliases...) {
				if prev, ok := words[w]; ok {
					t.Errorf("word %q means both %d and %d", w, prev, v.verb)
				}
				words[w] = v.verb
			}
		}
	})
	t.Run("member help", func(t *testing.T) {
		lines := map[string]bool{}
		for _, role := range allRoles {
			help := helpFor(role)
			for _, l := range strings.Split(help, "\n")[1:] {
				if l != informantDuty { // the information officer's duty, after their verbs
					lines[l] = true
				}
			}
			for _, v := range tab.member {
				if v.verb == VerbMemberHelp || !v.grantedTo(role) {
					continue
				}
				if !strings.Contains(help+"\n", "\n"+v.syntax+"\n") {
					t.Errorf("help of %s lacks %q, which they may use:\n%s", role, v.syntax, help)
				}
			}
		}
		for _, v := range tab.member {
			if v.verb != VerbMemberHelp && !lines[v.syntax] {
				t.Errorf("no member's help shows %q", v.syntax)
			}
			delete(lines, v.syntax)
		}
		for l := range lines {
			t.Errorf("help line %q is no verb of the table", l)
		}
		m := &models.Member{Name: "李承办", Role: models.RoleOfficer}
		got, err := tab.memberVerb(VerbMemberHelp).run(&action{b: &Bot{}, who: m})
		if want := (&Bot{}).memberHelp(m); got != want || err != nil {
			t.Errorf("帮助 answers %q, %v; want the help text %q", got, err, want)
		}
	})
	t.Run("citizen help", func(t *testing.T) {
		w := (&Bot{}).welcome()
		for _, v := range tab.citizen {
			if line := "\n" + v.syntax + " —— " + v.help + "\n"; !strings.Contains(w, line) {
				t.Errorf("welcome lacks %q:\n%s", line, w)
			}
		}
	})
	t.Run("member words parse", func(t *testing.T) {
		const no = "20261121007"
		for _, v := range tab.member {
			in := string(v.verb) + " " + no
			if v.args.noCase {
				in = string(v.verb)
			}
			if got := ParseMember(in); got.Verb != v.verb {
				t.Errorf("ParseMember(%q).Verb = %q; want %q", in, got.Verb, v.verb)
			}
			for _, a := range v.aliases {
				if got := ParseMember(strings.ToUpper(a)); got.Verb != v.verb {
					t.Errorf("ParseMember(%q).Verb = %q; want %q", strings.ToUpper(a), got.Verb, v.verb)
				}
			}
		}
	})
	t.Run("citizen words parse", func(t *testing.T) {
		for _, v := range tab.citizen {
			for _, w := range append([]string{v.name}, v.aliases...) {
				got := ParseCitizen(w)
				if got.Verb != v.verb && got.Verb != VerbUsage {
					t.Errorf("ParseCitizen(%q).Verb = %d; want %d or a usage hint", w, got.Verb, v.verb)
				}
				if got.Verb == VerbUsage && usage(got) == "" {
					t.Errorf("ParseCitizen(%q) asks for a usage hint and has none", w)
				}
			}
		}
	})
}

// TestVerbButtons: every card button is the table's, with the label and
// style cards have always shown, and its key reads back into its verb.
func TestVerbButtons(t *testing.T) {
	const no = "20261121007"
	want := map[Verb]Button{
		VerbAssign:       {Key: "交办:" + no + ":cg", Text: "交办城管局", Style: 1},
		VerbAccept:       {Key: "签收:" + no, Text: "签收", Style: 1},
		VerbReturn:       {Key: "退回:" + no, Text: "退回", Style: 2},
		VerbApprove:      {Key: "同意:" + no, Text: "同意", Style: 1},
		VerbRevise:       {Key: "退回修改:" + no, Text: "退回修改", Style: 2},
		VerbExtApprove:   {Key: "批准延期:" + no, Text: "同意", Style: 1},
		VerbExtReject:    {Key: "驳回延期:" + no, Text: "不同意", Style: 2},
		VerbAck:          {Key: "知悉:" + no, Text: "知悉", Style: 1},
		VerbReopen:       {Key: "重办:" + no, Text: "重办", Style: 1},
		VerbClose:        {Key: "办结:" + no, Text: "办结", Style: 2},
		VerbInvalid:      {Key: "无效:" + no, Text: "无效", Style: 2},
		VerbDuplicate:    {Key: "重复:" + no, Text: "重复", Style: 2},
		VerbAppealUphold: {Key: "申诉成立:" + no, Text: "申诉成立", Style: 1},
		VerbAppealReject: {Key: "申诉驳回:" + no, Text: "申诉驳回", Style: 2},
	}
	unit := &models.Department{Code: "cg", Name: "城管局"}
	for _, v := range verbs().member {
		if v.button == nil {
			if _, ok := want[v.verb]; ok {
				t.Errorf("%q has no button; cards show one", v.verb)
			}
			if got := ParseButton(buttonKey(v.verb, no)); got.Err == "" {
				t.Errorf("ParseButton accepts %q, which has no button: %+v", v.verb, got)
			}
			continue
		}
		b, cmd := verbButton(v.verb, no), MemberCommand{Verb: v.verb, No: no}
		if v.button.unit {
			b, cmd.Lead = unitButton(v.verb, no, unit), unit.Code
		}
		if b != want[v.verb] {
			t.Errorf("button of %q = %+v; want %+v", v.verb, b, want[v.verb])
		}
		if got := ParseButton(b.Key); !reflect.DeepEqual(got, cmd) {
			t.Errorf("ParseButton(%q) = %+v; want %+v", b.Key, got, cmd)
		}
		if v.button.orig {
			const orig = "20261120003"
			ob, oc := origButton(v.verb, no, orig), MemberCommand{Verb: v.verb, No: no, Orig: orig}
			if want := (Button{Key: string(v.verb) + ":" + no + ":" + orig, Text: v.button.label + "→1120003", Style: v.button.style}); ob != want {
				t.Errorf("origButton(%q) = %+v; want %+v", v.verb, ob, want)
			}
			if got := ParseButton(ob.Key); !reflect.DeepEqual(got, oc) {
				t.Errorf("ParseButton(%q) = %+v; want %+v", ob.Key, got, oc)
			}
		}
	}
}

// TestButtonsFromTable reads the package's source: every card button is
// made by verbButton or unitButton for a verb whose row has a button (so its
// click maps back to a row), and no button key is written by hand.
func TestButtonsFromTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	consts := map[string]Verb{} // VerbAccept → 签收
	var calls []*ast.CallExpr
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Verb" && len(n.Values) == len(n.Names) {
					for i, nm := range n.Names {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok {
							s, _ := strconv.Unquote(lit.Value)
							consts[nm.Name] = Verb(s)
						}
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok {
					switch id.Name {
					case "verbButton", "unitButton", "origButton":
						if name != "verbs.go" {
							calls = append(calls, n)
						}
					case "buttonKey":
						if name != "verbs.go" {
							t.Errorf("%s: a button key written by hand; use verbButton", fset.Position(n.Pos()))
						}
					}
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Button" && name != "verbs.go" {
					t.Errorf("%s: a Button written by hand; use verbButton", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	if len(calls) == 0 {
		t.Fatal("found no card buttons")
	}
	for _, c := range calls {
		id, ok := c.Args[0].(*ast.Ident)
		if !ok {
			t.Errorf("%s: button for a verb that is not a constant", fset.Position(c.Pos()))
			continue
		}
		v, ok := consts[id.Name]
		if !ok {
			t.Errorf("%s: button for %s, which is no verb", fset.Position(c.Pos()), id.Name)
			continue
		}
		row := verbs().memberVerb(v)
		if row == nil || row.button == nil {
			t.Errorf("%s: button for %q, whose row has none", fset.Position(c.Pos()), v)
			continue
		}
		if unit := c.Fun.(*ast.Ident).Name == "unitButton"; unit != row.button.unit {
			t.Errorf("%s: button for %q made with %s; its key carries a unit: %v", fset.Position(c.Pos()), v, c.Fun.(*ast.Ident).Name, row.button.unit)
		}
		if c.Fun.(*ast.Ident).Name == "origButton" && !row.button.orig {
			t.Errorf("%s: button for %q made with origButton; its key carries no earlier case", fset.Position(c.Pos()), v)
		}
	}
}

// TestMemberHelpText keeps each role's help text as members have always read it.
func TestMemberHelpText(t *testing.T) {
	tests := []struct {
		role     models.Role
		deciders []models.Role
		want     string
	}{
		{models.RoleDispatcher, nil, "王问政（问政办）可用的命令：\n交办 编号 牵头单位 [协办 单位…] [即办|一般|复杂]\n无效 编号 理由\n重复 编号 原编号\n定级 编号 一般|较大|重大|特别重大\n督办 编号 要求\n查 编号\n待办\n不公开 编号 理由\n恢复公开 编号\n重办 编号 [要求]\n办结 编号 [说明]\n申诉成立 编号 [说明]\n申诉驳回 编号 理由"},
		{models.RoleLeader, nil, "王问政（领导）可用的命令：\n同意 编号\n退回修改 编号 意见\n批准延期 编号\n驳回延期 编号 理由\n批示 编号 内容\n知悉 编号\n督办 编号 要求\n查 编号\n待办"},
		{models.RoleLeader, []models.Role{models.RoleLeader}, "王问政（领导）可用的命令：\n同意 编号\n退回修改 编号 意见\n批准延期 编号\n驳回延期 编号 理由\n批示 编号 内容\n知悉 编号\n督办 编号 要求\n查 编号\n待办\n申诉成立 编号 [说明]\n申诉驳回 编号 理由"},
		{models.RoleHead, nil, "王问政（部门负责人）可用的命令：\n签收 编号\n退回 编号 理由\n进展 编号 内容\n答复 编号 内容\n同意 编号\n退回修改 编号 意见\n延期 编号 工作日数 理由\n查 编号\n待办\n申诉 编号 理由"},
		{models.RoleOfficer, nil, "王问政（承办人）可用的命令：\n签收 编号\n退回 编号 理由\n进展 编号 内容\n答复 编号 内容\n延期 编号 工作日数 理由\n查 编号\n待办\n申诉 编号 理由"},
		{models.RoleInformant, nil, "王问政（信息员）可用的命令：\n舆情 内容\n报平安 [说明]\n每周至少报送一次：发现情况发送“舆情 内容”（写明地点和情况）；本周没有情况，发送“报平安”。"},
	}
	for _, tt := range tests {
		b := &Bot{}
		b.Settings.Rating.AppealDeciders = tt.deciders
		if got := b.memberHelp(&models.Member{Name: "王问政", Role: tt.role}); got != tt.want {
			t.Errorf("memberHelp(%s, deciders %v) = %q; want %q", tt.role, tt.deciders, got, tt.want)
		}
	}
}

// TestPageVerbs: the case page may send what its buttons show, nothing else.
func TestPageVerbs(t *testing.T) {
	want := []Verb{VerbAccept, VerbProgress, VerbAnswer, VerbApprove, VerbRevise, VerbExtApprove, VerbExtReject, VerbInstruct, VerbAck, VerbSupervise}
	var got []Verb
	for _, v := range verbs().member {
		if pageVerb(v.verb) {
			got = append(got, v.verb)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("page verbs = %q; want %q", got, want)
	}
}

// TestWelcomeText keeps the citizens' help text as they have always read it.
func TestWelcomeText(t *testing.T) {
	const want = "欢迎使用网络问政平台。直接发送文字即可反映问题（可附图片、语音、位置），我们受理后会回复编号。\n" +
		"常用命令：\n" +
		"查询 编号 —— 查看办理进度和答复\n" +
		"补充 编号 内容 —— 补充情况\n" +
		"我的 —— 查看您反映过的问题\n" +
		"评价 编号 1-3 —— 评价答复（1 满意、2 基本满意、3 不满意）\n" +
		"帮助 —— 显示本说明\n" +
		"您的个人信息仅问政办可见，不会提供给承办单位。"
	if got := (&Bot{}).welcome(); got != want {
		t.Errorf("welcome() = %q; want %q", got, want)
	}
}
