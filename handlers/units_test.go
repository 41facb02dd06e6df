package handlers_test

import (
	"context"
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

// TestNewCaseCardDecidesInOneTap: the dispatcher's new-case card offers the
// likely units (most keywords first, at most three) and 无效 and 重复 as
// buttons; 交办 to the third unit assigns in one tap; 无效 and 重复 ask for
// the reason and the original number and change nothing.
func TestNewCaseCardDecidesInOneTap(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := buildOffice(t, s, func(cfg *config.Config, _ string) {
			for i, d := range cfg.Org.Departments {
				if d.Code == "zj" {
					cfg.Org.Departments[i].Aliases = []string{"住建局", "住建"}
				}
			}
		})
		// cg: 路灯, 井盖 (2); hb: 噪音 (1); zj: 物业 (1); ties in the order of codes.
		no := o.citizen(t, "oA", "小区物业不管路灯，井盖也丢了，晚上还有噪音")
		o.flush(t)
		card := o.newCaseCard(t, no)
		keys := []string{"交办:" + no + ":cg", "交办:" + no + ":hb", "交办:" + no + ":zj", "无效:" + no, "重复:" + no}
		last := -1
		for _, k := range keys {
			i := strings.Index(card, `"`+k+`"`)
			if i < 0 || i < last {
				t.Errorf("new-case card lacks button %s in its place: %.2000s", k, card)
			}
			last = i
		}
		if !strings.Contains(card, `"text":"交办住建"`) {
			t.Errorf("the button of a unit with short names carries the shortest: %.2000s", card)
		}
		if !strings.Contains(card, "县城市管理局、县生态环境分局、县住房和城乡建设局") {
			t.Errorf("new-case card does not name the likely units in order: %.2000s", card)
		}
		for _, c := range []struct{ key, label, reply string }{
			{"无效:" + no, "请发送无效理由", "请发送：无效 " + no + " 理由"},
			{"重复:" + no, "请发送原编号", "请发送：重复 " + no + " 原编号"},
		} {
			if got := o.click(t, "dispatcher1", no, c.key); got != c.label {
				t.Errorf("click %s: the button reads %q; want %q", c.key, got, c.label)
			}
			o.flush(t)
			msgs := o.appTo("dispatcher1")
			if txt := string(mustJSON(msgs[len(msgs)-1].Raw)); !strings.Contains(txt, c.reply) {
				t.Errorf("click %s: the dispatcher was told %.300s; want %q", c.key, txt, c.reply)
			}
		}
		if k, _ := s.CaseByNo(context.Background(), no); k.Status != models.StatusReceived {
			t.Fatalf("after 无效 and 重复 clicks the case is %s; want it still 已受理", k.Status)
		}
		if got := o.click(t, "dispatcher1", no, "交办:"+no+":zj"); !strings.HasPrefix(got, "已交办") {
			t.Errorf("click 交办 to the second unit: the button reads %q", got)
		}
		k, _ := s.CaseByNo(context.Background(), no)
		var lead *models.Department
		if k.LeadDeptID != nil {
			lead, _ = s.Department(context.Background(), *k.LeadDeptID)
		}
		if k.Status != models.StatusAssigned || lead == nil || lead.Code != "zj" {
			t.Errorf("after 交办 zj the case is %s, lead %+v; want assigned to zj", k.Status, lead)
		}
	})
}
