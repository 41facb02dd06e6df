package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// Everything an intake writes with its case's number carries the number the
// case got: the case row, the stored reply, the returned receipt, outbox
// rows queued one by one and in a batch, and entries; and the case's entries
// keep the order they were written in.
func TestReceiveNumberReachesEveryRow(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		s.Now = modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0)).Now
		var k *models.Case
		r, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: "n1", OpenID: "oN", MsgType: "text", Content: "路灯坏了"},
			func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
				var err error
				if k, err = tx.OpenCase(c, models.NewCase{Content: "路灯坏了", Kind: "一般", AckWithin: time.Hour, Platform: "mp"}); err != nil {
					return models.Receipt{}, err
				}
				// Reads in the transaction see its own writes (one connection).
				if list, err := tx.CitizenCases(c, 10); err != nil || len(list) != 1 || list[0].ID != k.ID {
					t.Errorf("CitizenCases inside the transaction = %v, %v; want the new case %d", list, err, k.ID)
				}
				one := &models.Outbox{Platform: "wecom", Target: "member:1", Kind: "new_case", CaseID: k.ID,
					Payload: `{"title":"新问题 ` + k.No + `","buttons":[{"key":"assign:` + k.No + `:cg"}]}`, DedupKey: "n1-one"}
				if err := tx.Enqueue(one); err != nil {
					return models.Receipt{}, err
				}
				if err := tx.Record(k, models.SystemActor, models.EventSeverity, "", "", "重大（编号 "+k.No+"）"); err != nil {
					return models.Receipt{}, err
				}
				batch := []*models.Outbox{
					{Platform: "wecom", Target: "member:2", Kind: "serious", CaseID: k.ID, Payload: `{"text":"` + k.No + ` ` + k.No + `"}`, DedupKey: "n1-b1"},
					{Platform: "wecom", Target: "group:joint", Kind: "serious_joint", CaseID: k.ID, Payload: `{"text":"无编号"}`, DedupKey: "n1-b2"},
				}
				if err := tx.EnqueueAll(batch); err != nil {
					return models.Receipt{}, err
				}
				return models.Receipt{Reply: "受理。\n编号：" + k.No + "\n查询 " + k.No, Outcome: "case", CaseID: k.ID}, nil
			})
		modeltest.Must(t, err, "Receive")
		const no = "20261123001"
		if want := "受理。\n编号：" + no + "\n查询 " + no; r.Reply != want {
			t.Errorf("reply = %q; want %q", r.Reply, want)
		}
		got, err := s.CaseByNo(ctx, no)
		modeltest.Must(t, err, "CaseByNo(%s)", no)
		if got.ID != k.ID {
			t.Errorf("case %s is id %d; want %d", no, got.ID, k.ID)
		}
		var stored models.InboundMessage
		modeltest.Must(t, s.DB().Where("dedup_key = ?", "n1").First(&stored).Error, "inbound message")
		if stored.Reply != r.Reply || stored.CaseID != k.ID || stored.Outcome != "case" {
			t.Errorf("stored message = %q, case %d, %s; want the reply, case %d, case", stored.Reply, stored.CaseID, stored.Outcome, k.ID)
		}
		want := map[string]string{
			"n1-one": `{"title":"新问题 ` + no + `","buttons":[{"key":"assign:` + no + `:cg"}]}`,
			"n1-b1":  `{"text":"` + no + ` ` + no + `"}`,
			"n1-b2":  `{"text":"无编号"}`,
		}
		rows := outboxOf(t, s, k.ID)
		if len(rows) != len(want) {
			t.Fatalf("outbox rows = %d; want %d", len(rows), len(want))
		}
		for _, o := range rows {
			if o.Payload != want[o.DedupKey] || o.Status != models.OutboxPending {
				t.Errorf("outbox %s = %s, %s; want %s, pending", o.DedupKey, o.Payload, o.Status, want[o.DedupKey])
			}
		}
		var events []models.CaseEvent
		modeltest.Must(t, s.DB().Where("case_id = ?", k.ID).Order("id").Find(&events).Error, "events")
		if len(events) != 2 || events[0].Kind != models.EventReceived || events[0].Body != "路灯坏了" ||
			events[1].Kind != models.EventSeverity || events[1].Body != "重大（编号 "+no+"）" {
			t.Errorf("events = %+v; want received, then the severity entry with the number", events)
		}
		if r.CaseNo != no {
			t.Errorf("receipt case number = %q; want %q", r.CaseNo, no)
		}
	})
}

// A report that fails after its case was opened takes no number: the next
// one gets it, so the day's numbers have no gap. Past 999 a number gets a
// fourth digit.
func TestReceiveNumbersWithoutGaps(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		s.Now = modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0)).Now
		boom := errors.New("boom")
		_, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: "g1", OpenID: "oG", MsgType: "text", Content: "x"},
			func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
				if _, err := tx.OpenCase(c, models.NewCase{Content: "x", Kind: "一般", AckWithin: time.Hour, Platform: "mp"}); err != nil {
					return models.Receipt{}, err
				}
				return models.Receipt{}, boom
			})
		if !errors.Is(err, boom) {
			t.Fatalf("Receive = %v; want boom", err)
		}
		if got := openCase(t, s, "g2", "oG", "路灯坏了").Reply; got != "编号20261123001" {
			t.Errorf("after a failed intake: reply = %q; want 编号20261123001", got)
		}
		modeltest.Must(t, s.DB().Model(&models.CaseSequence{}).Where("day = ?", "20261123").Update("seq", 999).Error, "set sequence")
		for i, want := range []string{"编号202611231000", "编号202611231001"} {
			if got := openCase(t, s, fmt.Sprint("g", 3+i), "oG", fmt.Sprint("问题", i)).Reply; got != want {
				t.Errorf("reply = %q; want %q", got, want)
			}
		}
	})
}

// Many reports at once on two instances sharing one database, some of them
// failing after their case was opened: the committed cases are numbered
// 001 to n without a gap or a repeat, and every row written with a number
// (the cards in the outbox, the entries, the stored reply) carries the
// number of the case it belongs to.
func TestReceiveConcurrentNumbersReachTheirRows(t *testing.T) {
	for _, d := range modeltest.Drivers {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			driver, dsn := modeltest.DSN(t, d)
			clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
			var stores [2]*models.Store
			for i := range stores {
				s, err := models.Open(driver, dsn, modeltest.Shanghai)
				modeltest.Must(t, err, "open")
				modeltest.Cap(s)
				t.Cleanup(func() { s.Close() })
				modeltest.Must(t, s.Migrate(ctx), "migrate")
				s.Now = clock.Now
				stores[i] = s
			}
			const reports = 40
			boom := errors.New("boom")
			var wg sync.WaitGroup
			errs := make([]error, reports)
			for i := range reports {
				wg.Add(1)
				go func() {
					defer wg.Done()
					key := fmt.Sprint("r", i)
					_, errs[i] = stores[i%2].Receive(ctx, models.Inbound{Platform: "mp", DedupKey: key, OpenID: fmt.Sprint("o", i%9), MsgType: "text", Content: key},
						func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
							k, err := tx.OpenCase(c, models.NewCase{Content: key, Kind: "一般", AckWithin: time.Hour, Platform: "mp"})
							if err != nil {
								return models.Receipt{}, err
							}
							if err := tx.Enqueue(&models.Outbox{Platform: "wecom", Target: "member:1", Kind: "new_case", CaseID: k.ID,
								Payload: "新问题 " + k.No, DedupKey: key + "-one"}); err != nil {
								return models.Receipt{}, err
							}
							if err := tx.EnqueueAll([]*models.Outbox{
								{Platform: "wecom", Target: "member:2", Kind: "new_case", CaseID: k.ID, Payload: "新问题 " + k.No, DedupKey: key + "-b1"},
								{Platform: "dingtalk", Target: "member:3", Kind: "new_case", CaseID: k.ID, Payload: "新问题 " + k.No, DedupKey: key + "-b2"},
							}); err != nil {
								return models.Receipt{}, err
							}
							if err := tx.Record(k, models.SystemActor, models.EventSeverity, "", "", "编号 "+k.No); err != nil {
								return models.Receipt{}, err
							}
							if i%5 == 4 {
								return models.Receipt{}, boom
							}
							return models.Receipt{Reply: "编号" + k.No, Outcome: "case", CaseID: k.ID}, nil
						})
				}()
			}
			wg.Wait()
			committed := 0
			for i, err := range errs {
				if i%5 == 4 {
					if !errors.Is(err, boom) {
						t.Errorf("report %d: %v; want boom", i, err)
					}
					continue
				}
				modeltest.Must(t, err, "report %d", i)
				committed++
			}
			s := stores[0]
			var cases []models.Case
			modeltest.Must(t, s.DB().Order("no").Find(&cases).Error, "cases")
			if len(cases) != committed {
				t.Fatalf("%d cases; want %d", len(cases), committed)
			}
			for i, k := range cases {
				if want := fmt.Sprintf("20261123%03d", i+1); k.No != want {
					t.Errorf("case %d of the day is numbered %s; want %s (no gap, no repeat)", i+1, k.No, want)
				}
				if strings.HasPrefix(k.Content, "r") {
					var n int
					fmt.Sscanf(k.Content, "r%d", &n)
					if n%5 == 4 {
						t.Errorf("case %s is failed report %s", k.No, k.Content)
					}
				}
				out := outboxOf(t, s, k.ID)
				if len(out) != 3 {
					t.Errorf("case %s has %d outbox rows; want 3", k.No, len(out))
				}
				for _, o := range out {
					if o.Payload != "新问题 "+k.No || !strings.HasPrefix(o.DedupKey, k.Content+"-") {
						t.Errorf("outbox %s of case %s (%s) = %q; want its own number", o.DedupKey, k.No, k.Content, o.Payload)
					}
				}
				ev, err := s.Events(ctx, k.ID)
				modeltest.Must(t, err, "events of %s", k.No)
				if len(ev) != 2 || ev[0].Body != k.Content || ev[1].Body != "编号 "+k.No {
					t.Errorf("events of case %s = %+v; want received, then one with its number", k.No, ev)
				}
				var in models.InboundMessage
				modeltest.Must(t, s.DB().Where("dedup_key = ?", k.Content).First(&in).Error, "inbound %s", k.Content)
				if in.CaseID != k.ID || in.Reply != "编号"+k.No || in.Outcome != "case" || in.CitizenID != k.CitizenID {
					t.Errorf("inbound %s = case %d, %q, %s; want case %d, 编号%s", k.Content, in.CaseID, in.Reply, in.Outcome, k.ID, k.No)
				}
			}
			var rows, inbound int64
			modeltest.Must(t, s.DB().Model(&models.Outbox{}).Count(&rows).Error, "outbox")
			modeltest.Must(t, s.DB().Model(&models.InboundMessage{}).Count(&inbound).Error, "inbound")
			if rows != int64(3*committed) || inbound != int64(committed) {
				t.Errorf("%d outbox rows and %d inbound messages; want %d and %d (nothing of the failed reports)", rows, inbound, 3*committed, committed)
			}
		})
	}
}
