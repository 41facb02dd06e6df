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
