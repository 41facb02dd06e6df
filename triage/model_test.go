package triage

import (
	"slices"
	"strings"
	"testing"
)

var office = []Example{
	{"路灯不亮", "幸福路的路灯坏了一个月，晚上很黑", "城管局"},
	{"垃圾没人清运", "小区门口垃圾堆了三天没人清运，臭气熏天", "城管局"},
	{"占道经营", "菜市场门口占道经营严重，堵住了人行道", "城管局"},
	{"工资拖欠", "公司拖欠我们三个月工资，老板不见人", "人社局"},
	{"社保断缴", "单位没有给我缴社保，想问怎么补缴", "人社局"},
	{"劳动合同", "公司不签劳动合同，试用期一直延长", "人社局"},
	{"学校收费", "学校乱收补课费，每个学生五百元", "教育局"},
	{"校车超载", "校车每天超载，孩子们挤在一起很危险", "教育局"},
	{"入学难", "孩子入学报名系统打不开，学校也不给说法", "教育局"},
}

func trained(opts Options) *Model {
	m := New(opts)
	for _, e := range office {
		m.Learn(e)
	}
	return m
}

func TestSuggest(t *testing.T) {
	m := trained(Options{})
	tests := []struct {
		title, text string
		want        string
	}{
		{"路灯", "解放路路灯不亮好几天了", "城管局"},
		{"欠薪", "老板拖欠工资两个月", "人社局"},
		{"补课", "学校组织收费补课", "教育局"},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			got := m.Suggest(tt.title, tt.text, 3)
			if len(got) != 3 {
				t.Fatalf("Suggest(%q) = %d suggestions; want 3", tt.text, len(got))
			}
			if got[0].Unit != tt.want {
				t.Errorf("Suggest(%q)[0] = %s (%v); want %s", tt.text, got[0].Unit, got, tt.want)
			}
			if len(got[0].Reasons) == 0 {
				t.Errorf("Suggest(%q)[0] has no reasons", tt.text)
			}
			for _, r := range got[0].Reasons {
				if !strings.Contains(tt.title+tt.text, r) {
					t.Errorf("reason %q is not in the report", r)
				}
			}
			if got[0].Score < got[1].Score || got[1].Score < got[2].Score {
				t.Errorf("Suggest(%q) not ranked: %v", tt.text, got)
			}
		})
	}
}

// The same decisions in the same order give the same model: every instance
// of the server suggests the same units.
func TestDeterministic(t *testing.T) {
	a, b := trained(Options{}), trained(Options{})
	for _, e := range office {
		ga, gb := a.Suggest(e.Title, e.Text, 3), b.Suggest(e.Title, e.Text, 3)
		if !slices.EqualFunc(ga, gb, func(x, y Suggestion) bool {
			return x.Unit == y.Unit && x.Score == y.Score && slices.Equal(x.Reasons, y.Reasons)
		}) {
			t.Errorf("Suggest(%q) differs between two models of the same examples: %v vs %v", e.Text, ga, gb)
		}
	}
}

func TestSuggestNothingToGoOn(t *testing.T) {
	if got := New(Options{}).Suggest("路灯", "路灯坏了", 3); got != nil {
		t.Errorf("an empty model suggested %v; want nil", got)
	}
	m := trained(Options{})
	for _, text := range []string{"", "   ", "!!!", "ＸＹＺ"} {
		if got := m.Suggest("", text, 3); got != nil {
			t.Errorf("Suggest(%q) = %v; want nil (nothing in common with what was learned)", text, got)
		}
	}
	if got := m.Suggest("路灯", "路灯", 0); got != nil {
		t.Errorf("Suggest(k=0) = %v; want nil", got)
	}
}

// The keyword prior routes before any decision is learned, and decisions
// then outweigh it.
func TestKeywordPrior(t *testing.T) {
	m := New(Options{})
	m.AddKeywords("城管局", []string{"路灯", "垃圾", "占道"})
	m.AddKeywords("人社局", []string{"工资", "社保"})
	if got := m.Suggest("", "路口的路灯坏了", 1); len(got) != 1 || got[0].Unit != "城管局" {
		t.Fatalf("prior only: Suggest = %v; want 城管局", got)
	}
	for range 5 {
		m.Learn(Example{Title: "路灯电费", Text: "路灯的电费发票和工资一起报销", Unit: "财政局"})
	}
	if got := m.Suggest("路灯电费", "路灯电费报销", 1); len(got) != 1 || got[0].Unit != "财政局" {
		t.Errorf("after decisions: Suggest = %v; want 财政局", got)
	}
	if m.Examples() != 5 {
		t.Errorf("Examples() = %d; want 5 (the prior is not counted)", m.Examples())
	}
}

func TestMaxExamples(t *testing.T) {
	m := New(Options{MaxExamples: 3})
	for _, e := range office {
		m.Learn(e)
	}
	if got := m.Examples(); got != 3 {
		t.Errorf("Examples() = %d; want 3", got)
	}
	// Only 教育局's three decisions are left.
	if got := m.Suggest("路灯", "路灯坏了", 3); len(got) != 1 && got != nil {
		for _, s := range got {
			if s.Unit != "教育局" && s.Score > 0 {
				t.Errorf("evicted unit %s still scores %v", s.Unit, s.Score)
			}
		}
	}
}

func TestConfident(t *testing.T) {
	tests := []struct {
		name string
		s    []Suggestion
		want bool
	}{
		{"none", nil, false},
		{"negative", []Suggestion{{Unit: "a", Score: -0.2}}, false},
		{"alone", []Suggestion{{Unit: "a", Score: 0.3}}, true},
		{"clear", []Suggestion{{Unit: "a", Score: 0.8}, {Unit: "b", Score: -0.4}}, true},
		{"close", []Suggestion{{Unit: "a", Score: 0.3}, {Unit: "b", Score: 0.2}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Confident(tt.s); got != tt.want {
				t.Errorf("Confident(%v) = %v; want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestEachGram(t *testing.T) {
	var got []string
	eachGram("A路灯，２0号!", func(g string) { got = append(got, g) })
	want := []string{"a", "路", "a路", "灯", "路灯", "0", "0", "00", "号", "0号"}
	if !slices.Equal(got, want) {
		t.Errorf("eachGram = %q; want %q", got, want)
	}
}

func TestReadLabelled(t *testing.T) {
	tests := []struct {
		name, csv string
		wantErr   string
		wantN     int
	}{
		{"ok", "id,title,received_at,detail,category\n1,路灯,2011/10/1 10:16:20,坏了,城乡建设\n2,工资,2011-10-02 08:00:00,拖欠,劳动和社会保障\n", "", 2},
		{"bom and no date column", "\ufefftitle,detail,category\n路灯,坏了,城乡建设\n", "", 1},
		{"missing column", "id,title,detail\n1,a,b\n", `no column "category"`, 0},
		{"empty category", "title,detail,category\na,b,\n", "line 2: empty category", 0},
		{"bad date", "title,detail,category,received_at\na,b,c,yesterday\n", "line 2: received_at", 0},
		{"header only", "title,detail,category\n", "no rows", 0},
		{"empty", "", "read header", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLabelled(strings.NewReader(tt.csv))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadLabelled error = %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != tt.wantN {
				t.Fatalf("ReadLabelled = %d rows, %v; want %d rows", len(got), err, tt.wantN)
			}
		})
	}
}

func TestReplayLearns(t *testing.T) {
	var reports []Labelled
	for range 4 {
		for _, e := range office {
			reports = append(reports, Labelled{Title: e.Title, Text: e.Text, Unit: e.Unit})
		}
	}
	r := Replay(reports, nil, Options{}, 9)
	if r.N != len(reports) || len(r.Curve) != 4 {
		t.Fatalf("Replay: N=%d curve=%d; want %d and 4", r.N, len(r.Curve), len(reports))
	}
	if first, last := r.Curve[0], r.Curve[3]; last.Top1 != 1 || first.Top1 >= last.Top1 {
		t.Errorf("learning curve %v: want the last block perfect and better than the first", r.Curve)
	}
}

// A server ranks with the last training and trains in the background:
// Ranked never trains, Train catches up, and both may run at once.
func TestRankedAndTrain(t *testing.T) {
	m := New(Options{})
	if got := m.Ranked("路灯", "路灯坏了", 3); got != nil || !m.Stale() {
		t.Fatalf("before training: Ranked = %v, Stale = %v; want nil and stale", got, m.Stale())
	}
	for _, e := range office {
		m.Learn(e)
	}
	m.Train()
	if m.Stale() {
		t.Errorf("Stale after Train")
	}
	before := m.Ranked("路灯", "解放路路灯不亮", 1)
	if len(before) != 1 || before[0].Unit != "城管局" {
		t.Fatalf("Ranked = %v; want 城管局", before)
	}
	m.Learn(Example{Title: "路灯", Text: "路灯", Unit: "交通局"})
	if !m.Stale() {
		t.Errorf("not stale after Learn")
	}
	if got := m.Ranked("路灯", "解放路路灯不亮", 1); got[0].Score != before[0].Score {
		t.Errorf("Ranked retrained: %v, before %v", got, before)
	}
	done := make(chan bool)
	go func() {
		for range 50 {
			m.Ranked("路灯", "解放路路灯不亮", 3)
		}
		done <- true
	}()
	for range 5 {
		m.Learn(office[0])
		m.Train()
	}
	<-done
}
