package bot

import (
	"fmt"
	"testing"

	"minsheng/models"
)

func TestSuggestions(t *testing.T) {
	deps := []models.Department{
		{Code: "a", Keywords: "路灯"}, {Code: "b", Keywords: "路灯,井盖"}, {Code: "c", Keywords: "噪音"},
		{Code: "d", Keywords: "物业"}, {Code: "e", Keywords: "燃气"},
	}
	text := "路灯坏了井盖丢了，物业不管，还有噪音"
	got := Suggestions(deps, text, 3)
	var codes []string
	for _, d := range got {
		codes = append(codes, d.Code)
	}
	if want := "[b a c]"; fmt.Sprint(codes) != want {
		t.Errorf("Suggestions(%q, 3) = %v; want %s (most matches first, ties in order, at most 3)", text, codes, want)
	}
	if got := Suggestions(deps, "没有关键词", 3); len(got) != 0 {
		t.Errorf("Suggestions of a text matching nothing = %v; want none", got)
	}
	if d := Suggest(deps, text); d == nil || d.Code != "b" {
		t.Errorf("Suggest = %v; want b", d)
	}
}

func TestShortName(t *testing.T) {
	b := &Bot{Settings: Settings{UnitAliases: map[string]string{"住建局": "zj", "住建": "zj", "城管": "cg"}}}
	for code, want := range map[string]string{"zj": "住建", "cg": "城管", "hb": ""} {
		if got := b.shortName(code); got != want {
			t.Errorf("shortName(%q) = %q; want %q", code, got, want)
		}
	}
}
