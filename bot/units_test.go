package bot

import (
	"testing"
)

func TestShortName(t *testing.T) {
	b := &Bot{Settings: Settings{UnitAliases: map[string]string{"住建局": "zj", "住建": "zj", "城管": "cg"}}}
	for code, want := range map[string]string{"zj": "住建", "cg": "城管", "hb": ""} {
		if got := b.shortName(code); got != want {
			t.Errorf("shortName(%q) = %q; want %q", code, got, want)
		}
	}
}
