package bot

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// benchOpen opens a case of a new citizen with text on s; the case.
func benchOpen(tb testing.TB, s *models.Store, i int, text string) *models.Case {
	tb.Helper()
	var k *models.Case
	_, err := s.Receive(context.Background(), models.Inbound{Platform: "mp", DedupKey: fmt.Sprintf("sim-%d", i), OpenID: fmt.Sprintf("oSim%05d", i), MsgType: "text", Content: text},
		func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
			var err error
			k, err = tx.OpenCase(c, models.NewCase{Content: text, Kind: "一般", AckWithin: 24 * time.Hour, Platform: "mp"})
			if err != nil {
				return models.Receipt{}, err
			}
			return models.Receipt{Outcome: "case", CaseID: k.ID}, nil
		})
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// benchText is the i-th report of the look-up benchmarks: all about one
// road, as minsheng bench's (its street lights), with other problems among
// them.
func benchText(i int) string {
	problems := []string{"的路灯不亮了，已经%d天了，请尽快处理。", "路面塌陷，有个大坑，%d辆车爆胎。", "夜市占道经营，噪音扰民到%d点。"}
	return fmt.Sprintf("解放路%d号附近"+problems[i%len(problems)], i%97+1, i%9+2)
}

// The look-up of a dispatcher's card, off the callback: on a database with
// 300 cases about one road (all indexed), the look-up of a new case's
// similar cases as its first card is sent (its report read and indexed,
// 60 stored profiles compared; FirstCard), and again for a card of a case
// already indexed (Again; a retry or another instance — the cards of one
// instance share one look-up). MINSHENG_BENCH_DRIVER picks the database
// (sqlite, mysql, postgres; sqlite by default).
func BenchmarkSimilarLookUp(b *testing.B) {
	driver := os.Getenv("MINSHENG_BENCH_DRIVER")
	if driver == "" {
		driver = "sqlite"
	}
	s := modeltest.Open(b, driver)
	bot := &Bot{Store: s}
	ctx := context.Background()
	var last *models.Case
	for i := range 300 {
		last = benchOpen(b, s, i, benchText(i))
		if _, err := bot.lookUpSimilar(ctx, last.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("FirstCard", func(b *testing.B) {
		n := 300
		for b.Loop() {
			b.StopTimer()
			k := benchOpen(b, s, n, benchText(n))
			n++
			b.StartTimer()
			sims, err := bot.lookUpSimilar(ctx, k.ID)
			if err != nil || len(sims) == 0 {
				b.Fatalf("look-up of %s: %v, %v", k.No, sims, err)
			}
		}
	})
	b.Run("Again", func(b *testing.B) {
		for b.Loop() {
			if _, err := bot.lookUpSimilar(ctx, last.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
