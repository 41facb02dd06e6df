package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"minsheng/bot/mp"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// TestCardResentAfterLostReplyRaisesNoAlarm: WeCom took the dispatcher's card
// but the answer was lost; the deliverer sends it again, WeCom answers 42014
// for the used task_id, and that counts as delivered: one card, no
// "消息投递失败" to any dispatcher, nothing failed in the outbox.
func TestCardResentAfterLostReplyRaisesNoAlarm(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		o.wc.LoseReplyNext(1)
		no := o.citizen(t, "oLostReply", "解放路井盖丢失，很危险")
		o.flush(t)

		var cards int
		for _, m := range o.wc.AppMessages() {
			if strings.Contains(m.Text, "投递失败") || strings.Contains(string(mustJSON(m.Raw)), "投递失败") {
				t.Errorf("%s got a failure notice: %s", m.ToUser, m.Text)
			}
			if m.ToUser == "dispatcher1" && m.MsgType == "template_card" {
				cards++
			}
		}
		if cards != 1 {
			t.Errorf("dispatcher1 has %d cards for %s; want 1", cards, no)
		}
		if len(o.failed) != 0 {
			t.Errorf("outbox messages failed: %+v; want none", o.failed)
		}
		var rows []models.Outbox
		modeltest.Must(t, s.DB().Where("platform = ? AND status <> ?", models.PlatformWeCom, models.OutboxSent).Find(&rows).Error, "outbox")
		for _, r := range rows {
			t.Errorf("outbox row %d (%s to %s) is %s after the 42014; want sent", r.ID, r.Kind, r.Target, r.Status)
		}
	})
}

// TestCombinedGroupMessageRendersInWeCom: the assignments a busy group gets
// in one message are separated by a line WeCom's markdown (v1) shows as a
// rule, not by "---", which it shows as typed.
func TestCombinedGroupMessageRendersInWeCom(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		nos := o.busyMorning(t, 3)
		o.drain(t, 5)
		msgs := o.wc.GroupMessages("key-cg")
		if len(msgs) != 1 || msgs[0].MsgType != "markdown" {
			t.Fatalf("cg group got %+v; want one markdown message combining %d assignments", msgs, len(nos))
		}
		if lit := wecomtest.ShownLiterally(msgs[0].Text); len(lit) != 0 {
			t.Errorf("combined message has lines WeCom shows as typed: %q", lit)
		}
		if n := strings.Count(msgs[0].Text, jobs.CombineSeparator); n != len(nos)-1 {
			t.Errorf("combined message has %d separators; want %d:\n%s", n, len(nos)-1, msgs[0].Text)
		}
	})
}

// TestDingTalkFilteredMemberIsToldToTheDispatcher: DingTalk's batchSend lists
// an officer in filteredStaffIdList; the card did not reach them and a retry
// would not either, so the outbox records it failed and the dispatcher is
// told, as for a member DingTalk does not know.
func TestDingTalkFilteredMemberIsToldToTheDispatcher(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		o.dt.FilterUsers("cg-officer1")
		no := o.citizen(t, "oFiltered", "幸福小区东门的路灯坏了一周")
		o.say(t, "dispatcher1", "交办 "+no+" cg")
		o.drain(t, 5)

		if got := o.robotTo("cg-officer1"); len(got) != 0 {
			t.Errorf("filtered officer got %d robot messages; want 0", len(got))
		}
		if got := o.robotTo("cg-officer2"); len(got) == 0 {
			t.Error("cg-officer2 got no card; want the assignment")
		}
		var failed bool
		for _, m := range o.failed {
			if m.CaseID != 0 && strings.Contains(m.LastError, "filtered") {
				failed = true
			}
		}
		if !failed {
			t.Errorf("failed outbox rows %+v; want the filtered officer's card, its error naming filtered", o.failed)
		}
		var told bool
		for _, m := range o.appTo("dispatcher1") {
			if strings.Contains(string(mustJSON(m.Raw)), "投递失败") && strings.Contains(string(mustJSON(m.Raw)), no) {
				told = true
			}
		}
		if !told {
			t.Errorf("dispatcher1 was not told that %s's card did not reach cg-officer1", no)
		}
	})
}

// TestLocationWithDecimalScale: WeChat documents Scale as a number; a
// location whose Scale has decimals is kept, not refused with the callback.
func TestLocationWithDecimalScale(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		no := h.send(t, h.safe, text("oScale", "人民路12号门口的井盖不见了"))
		if !strings.Contains(no.Content, "编号：") {
			t.Fatalf("report: %q; want a case number", no.Content)
		}
		loc := mp.Message{FromUser: "oScale", ToUser: "gh_account", MsgType: "location", LocationX: 30.1, LocationY: 120.2, Scale: 16.5, Label: "人民路12号"}
		r := h.send(t, h.safe, loc)
		if r.Status != http.StatusOK || !strings.Contains(r.Content, "位置附在编号") {
			t.Fatalf("location with Scale 16.5: status %d, %q; want it attached to the case", r.Status, r.Content)
		}
		var att []models.Attachment
		modeltest.Must(t, s.DB().Where("kind = ?", "location").Find(&att).Error, "attachments")
		if len(att) != 1 || att[0].Scale != 17 || att[0].Label != "人民路12号" {
			t.Errorf("location attachments = %+v; want one with zoom 17", att)
		}
	})
}

// TestDingTalkForeignSessionWebhookGetsNothing: DingTalk signs a callback's
// timestamp, not its body, so a replayed header pair can name any
// sessionWebhook. A reply goes only to the configured DingTalk hosts; for
// another, the member gets it 1:1 through the robot and the foreign host
// gets nothing.
func TestDingTalkForeignSessionWebhookGetsNothing(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newDingTalkOffice(t, s)
		var hits atomic.Int32
		foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
		}))
		t.Cleanup(foreign.Close)
		m := o.message("cg-officer1", "帮助", "")
		m.SessionWebhook = foreign.URL + "/robot/sendBySession?session=stolen"
		status, _, err := o.dtDriver.Send(context.Background(), m)
		modeltest.Must(t, err, "callback")
		if status != http.StatusOK {
			t.Errorf("callback status %d; want 200", status)
		}
		o.flush(t)
		if n := hits.Load(); n != 0 {
			t.Errorf("foreign session webhook got %d posts; want 0", n)
		}
		got := o.robotTo("cg-officer1")
		if len(got) != 1 || !strings.Contains(paramText(got[0]), "可用的命令") {
			t.Errorf("cg-officer1 got %+v; want the help 1:1 through the robot", got)
		}
	})
}
