package bot

import (
	"strings"
	"testing"

	"minsheng/models"
	"minsheng/triage"
)

// TestNewCaseButtons: the new-case card carries at most five buttons; with
// similar cases each gets its 重复 button and the later 交办 buttons give
// way, never the first.
func TestNewCaseButtons(t *testing.T) {
	const no = "20261123009"
	assign := func(n int) []Button {
		var out []Button
		for _, code := range []string{"cg", "zj", "hb"}[:n] {
			out = append(out, unitButton(VerbAssign, no, &models.Department{Code: code, Name: code}))
		}
		return out
	}
	sims := func(n int) []similarCase {
		var out []similarCase
		for _, s := range []string{"20261123001", "20261123002", "20261123003"}[:n] {
			out = append(out, similarCase{no: s, match: triage.Match{Place: "潇楚南路", Problem: "路面破损"}})
		}
		return out
	}
	tests := []struct {
		name           string
		units, similar int
		want           string
	}{
		{"no similar case", 3, 0, "交办:cg 交办:zj 交办:hb 无效 重复"},
		{"one similar case", 3, 1, "交办:cg 交办:zj 交办:hb 无效 重复:20261123001"},
		{"three similar cases", 3, 3, "交办:cg 无效 重复:20261123001 重复:20261123002 重复:20261123003"},
		{"no unit suggested", 0, 3, "无效 重复:20261123001 重复:20261123002 重复:20261123003"},
		{"two units, two similar", 2, 2, "交办:cg 交办:zj 无效 重复:20261123001 重复:20261123002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range newCaseButtons(assign(tt.units), no, sims(tt.similar)) {
				k := strings.ReplaceAll(b.Key, ":"+no, "")
				got = append(got, k)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("newCaseButtons(%d units, %d similar) = %v; want %s", tt.units, tt.similar, got, tt.want)
			}
		})
	}
	if l := (similarCase{no: "20261123001", match: triage.Match{Place: "潇楚南路", Problem: "路面破损"}}).label(); l != "20261123001（潇楚南路·路面破损）" {
		t.Errorf("label = %q", l)
	}
}

// TestWithSimilar: the card as sent gets the 相似件 line, the hint to merge
// by typing and a 重复 button into each similar case, within five buttons
// and keeping the first 交办; the queued card is left as it was; without
// similar cases the card goes as queued.
func TestWithSimilar(t *testing.T) {
	const no = "20261123009"
	var buttons []Button
	for _, code := range []string{"cg", "zj", "hb"} {
		buttons = append(buttons, unitButton(VerbAssign, no, &models.Department{Code: code, Name: code}))
	}
	buttons = append(buttons, verbButton(VerbInvalid, no), verbButton(VerbDuplicate, no))
	queued := Outgoing{Kind: KindCard, Title: "新问题 " + no, CaseNo: no, Text: "潇楚南路洋湖段大坑",
		Fields: []Field{{"编号", no}, {"建议承办", "cg、zj、hb"}}, Buttons: buttons}
	sims := []similarCase{
		{no: "20261123001", match: triage.Match{Place: "潇楚南路", Problem: "路面破损"}},
		{no: "20261123002", match: triage.Match{Place: "洋湖段"}},
	}
	got := withSimilar(queued, sims)
	var keys []string
	for _, b := range got.Buttons {
		keys = append(keys, b.Key)
	}
	want := []string{"交办:" + no + ":cg", "交办:" + no + ":zj", "无效:" + no, "重复:" + no + ":20261123001", "重复:" + no + ":20261123002"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("buttons = %v; want %v", keys, want)
	}
	if f := got.Fields[len(got.Fields)-1]; f.Key != "相似件" || f.Value != "20261123001（潇楚南路·路面破损）；20261123002（洋湖段）" {
		t.Errorf("last field = %+v; want the 相似件 line", f)
	}
	if !strings.HasSuffix(got.Text, "\n相似件并件：重复 "+no+" 20261123001") {
		t.Errorf("text = %q; want the hint to merge into the best similar case", got.Text)
	}
	if len(queued.Fields) != 2 || len(queued.Buttons) != 5 || queued.Buttons[2].Key != "交办:"+no+":hb" {
		t.Errorf("the queued card changed: %+v", queued)
	}
	if same := withSimilar(queued, nil); len(same.Fields) != 2 || same.Text != queued.Text || len(same.Buttons) != 5 {
		t.Errorf("without similar cases the card became %+v; want it as queued", same)
	}
}

// A place that holds the reporter's name (本人李娜，李娜小区门口) reaches
// the cards, alerts and topics masked; the places of a report without a
// name are kept as written.
func TestProfilePlacesMaskNames(t *testing.T) {
	tests := []struct {
		text, hidden, kept string
	}{
		{"本人李娜，李娜小区门口的路灯坏了一个月了", "李娜", ""},
		{"我叫周杰，周杰超市旁边潇楚南路路面破损", "周杰", "潇楚南路"},
		{"潇楚南路洋湖段路面破损严重", "", "潇楚南路"},
	}
	for _, tt := range tests {
		p := profileOf(tt.text)
		var names []string
		for _, pl := range p.Places {
			names = append(names, pl.Name)
		}
		all := strings.Join(names, " ")
		if len(names) == 0 {
			t.Errorf("profileOf(%q) has no place", tt.text)
		}
		if tt.hidden != "" && strings.Contains(all, tt.hidden) {
			t.Errorf("profileOf(%q) places %q carry the name %q", tt.text, all, tt.hidden)
		}
		if tt.kept != "" && !strings.Contains(all, tt.kept) {
			t.Errorf("profileOf(%q) places %q lack %q", tt.text, all, tt.kept)
		}
	}
}
