package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"minsheng/bot"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The dispatcher's card learns from the office's own decisions: reports
// about 井盖 go to cg by its keywords until the dispatcher keeps handing
// 小区 drains and their covers to zj; then a new such report offers zj first,
// with the words that weighed, and the other likely units as buttons. A
// second instance on the same database (or a restart) learns the same from
// the store.
func TestRoutingLearnsFromDecisions(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		ctx := context.Background()
		const report = "幸福小区里面的窨井盖板碎了，小区物业不管"

		_, first := o.report(t, "oRouting0", report)
		o.flush(t)
		if card := o.newCaseCard(t, first); !strings.Contains(card, "县城市管理局") {
			t.Fatalf("before any decision the card suggests no 县城市管理局 (keyword 井盖): %s", card)
		}
		o.say(t, "dispatcher1", "交办 "+first+" zj")
		for i := 1; i <= 6; i++ {
			_, no := o.report(t, fmt.Sprintf("oRouting%d", i), fmt.Sprintf("第%d栋旁边小区窨井盖板松动，小区化粪池外溢", i))
			o.say(t, "dispatcher1", "交办 "+no+" zj")
		}
		r := o.bot.Routing
		if _, err := r.Sync(ctx, s); err != nil {
			t.Fatalf("sync: %v", err)
		}
		r.Model.Train()

		_, no := o.report(t, "oRouting9", report)
		o.flush(t)
		card := o.newCaseCard(t, no)
		i, j := strings.Index(card, "县住房和城乡建设局"), strings.Index(card, "县城市管理局")
		if i < 0 || (j >= 0 && j < i) {
			t.Errorf("after 7 decisions for zj the card does not offer zj first:\n%s", card)
		}
		if !strings.Contains(card, "建议承办") || !strings.Contains(card, "县住房和城乡建设局（") {
			t.Errorf("the card gives no reason for its suggestion:\n%s", card)
		}
		if n := strings.Count(card, "交办 "+no) + strings.Count(card, `"key":"assign`); n == 0 {
			t.Errorf("the card has no one-tap 交办 button:\n%s", card)
		}

		// Another instance, or this one restarted: the same ranking from the store.
		deps, err := s.Departments(ctx)
		modeltest.Must(t, err, "departments")
		again := bot.NewRouting(deps)
		n, err := again.Sync(ctx, s)
		modeltest.Must(t, err, "sync again")
		again.Model.Train()
		a, b := r.Model.Ranked("", report, 3), again.Model.Ranked("", report, 3)
		if n != 7 || len(a) == 0 || len(b) == 0 || a[0].Unit != b[0].Unit || a[0].Score != b[0].Score {
			t.Errorf("restart: %d decisions, ranking %v; before %v", n, b, a)
		}
	})
}
