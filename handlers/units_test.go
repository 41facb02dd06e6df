package handlers_test

import (
	"strings"
	"testing"

	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// TestUnitAliases: 交办 accepts a unit's everyday short names
// (org.departments[].aliases) for the lead and the co-units; a name that
// fits no unit is answered with the list of the valid ones.
func TestUnitAliases(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := buildOffice(t, s, func(cfg *config.Config, _ string) {
			aliases := map[string][]string{"cg": {"城管", "城管局"}, "zj": {"住建"}, "hb": {"环保"}}
			for i, d := range cfg.Org.Departments {
				cfg.Org.Departments[i].Aliases = aliases[d.Code]
			}
		})
		a := o.citizen(t, "oA", "小区门口路灯坏了，晚上漆黑一片")
		b := o.citizen(t, "oB", "楼下饭店油烟扰民很严重")
		steps := []struct{ say, want string }{
			{"交办 " + a + " 城管 协办 城建", "找不到协办单位“城建”。可用的单位：县城市管理局（城管、城管局、cg）；县生态环境分局（环保、hb）；县住房和城乡建设局（住建、zj）。"},
			{"交办 " + a + " 城管局 协办 住建", "县城市管理局（牵头）、县住房和城乡建设局（协办）"},
			{"交办 " + b + " 市场监管", "找不到单位“市场监管”。可用的单位：县城市管理局（城管、城管局、cg）"},
			{"交办 " + b + " 环保", "县生态环境分局"},
		}
		for i, st := range steps {
			if got := o.say(t, "dispatcher1", st.say); !strings.Contains(got, st.want) {
				t.Errorf("step %d: %q → %q; want %q", i, st.say, got, st.want)
			}
		}
	})
}
