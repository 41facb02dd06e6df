package handlers_test

import (
	"context"
	"encoding/json"
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

// TestNewCaseCardDecidesInOneTap: the dispatcher's new-case card has a
// 交办 button for each suggested unit (labelled with its shortest everyday
// name) and 无效 and 重复 buttons, five at most; 无效 and 重复 ask for the
// reason and the original number and change nothing; 交办 assigns in one
// tap.
func TestNewCaseCardDecidesInOneTap(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := buildOffice(t, s, func(cfg *config.Config, _ string) {
			for i, d := range cfg.Org.Departments {
				if d.Code == "cg" {
					cfg.Org.Departments[i].Aliases = []string{"城管局", "城管"}
				}
			}
		})
		no := o.citizen(t, "oA", "小区门口的路灯坏了，井盖也丢了，晚上很危险")
		o.flush(t)
		card := o.newCaseCard(t, no)
		var msg struct {
			Card struct {
				Buttons []struct{ Key, Text string } `json:"button_list"`
			} `json:"template_card"`
		}
		modeltest.Must(t, json.Unmarshal([]byte(card), &msg), "card")
		var keys, labels []string
		for _, b := range msg.Card.Buttons {
			keys, labels = append(keys, b.Key), append(labels, b.Text)
		}
		n := len(keys)
		if n < 3 || n > 5 || keys[0] != "交办:"+no+":cg" || labels[0] != "交办城管" || keys[n-2] != "无效:"+no || keys[n-1] != "重复:"+no {
			t.Fatalf("new-case card buttons %q %q; want 交办城管 (the likely unit, by its short name) first, then 无效 and 重复, five at most", keys, labels)
		}
		for _, k := range keys[:n-2] {
			if !strings.HasPrefix(k, "交办:"+no+":") {
				t.Errorf("button %s before 无效 is not a 交办 to a unit", k)
			}
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
		if got := o.click(t, "dispatcher1", no, "交办:"+no+":cg"); !strings.HasPrefix(got, "已交办") {
			t.Errorf("click 交办城管: the button reads %q", got)
		}
		k, _ := s.CaseByNo(context.Background(), no)
		var lead *models.Department
		if k.LeadDeptID != nil {
			lead, _ = s.Department(context.Background(), *k.LeadDeptID)
		}
		if k.Status != models.StatusAssigned || lead == nil || lead.Code != "cg" {
			t.Errorf("after 交办城管 the case is %s, lead %+v; want assigned to cg", k.Status, lead)
		}
	})
}
