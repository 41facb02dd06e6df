package jobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

func monthly(s *models.Store, dir string) *jobs.Monthly {
	return &jobs.Monthly{Workbook: &reports.Monthly{Store: s, Dir: dir, ReplyTarget: 0.9, SatisfactionTarget: 0.9,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
}

// TestMonthlyReport runs the monthly job on the seeded month: the workbook
// is made and recorded once (its contents: reports.TestMonthlyWorkbook) and
// goes to the dispatcher with its note, and a rerun sends nothing twice.
func TestMonthlyReport(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 12, 1, 9, 0)
		r := newReportRig(t, s, now)
		modeltest.SeedNovember2026(t, s)
		// A citizen who put their phone and ID number into the text.
		modeltest.SeedCases(t, s, modeltest.SeedCase{No: "20261129001", Received: modeltest.At(2026, 11, 29, 9, 0), Status: models.StatusInvalid,
			Content: "我叫李四，电话13912345678，身份证110101199003071234，楼下烧烤店油烟扰民"})
		dir := t.TempDir()
		m := monthly(s, dir)
		modeltest.Must(t, m.Run(ctx, now), "monthly report")

		rep, err := s.LatestReport(ctx, "2026-11", true)
		modeltest.Must(t, err, "recorded report")
		if filepath.Dir(rep.Path) != dir || !strings.HasPrefix(filepath.Base(rep.Path), "monthly-2026-11-") {
			t.Errorf("report written to %s; want under %s", rep.Path, dir)
		}
		data, err := os.ReadFile(rep.Path)
		modeltest.Must(t, err, "read the report")
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != rep.SHA256 || int64(len(data)) != rep.Size {
			t.Errorf("recorded sha256/size do not match the file")
		}
		// To the dispatcher: a note and the file.
		r.flush(t)
		var note, file bool
		for _, msg := range r.wc.AppMessages() {
			if msg.ToUser != "dispatcher1" {
				t.Errorf("%s got the report; only the dispatcher should", msg.ToUser)
				continue
			}
			switch msg.MsgType {
			case "markdown":
				note = true
				for _, want := range []string{"**网络问政月报（2026年11月）**", "受理 19 件，有效 14 件，交办 14 件，已答复 13 件，满意 5 件，未到期 0 件，当前超期 2 件，迟报 0 件。",
					"回复率 92.9%，满意率 35.7%（仅计已评价 83.3%），按期率 92.3%。", "网络问政月报-2026年11月.xlsx"} {
					if !strings.Contains(msg.Text, want) {
						t.Errorf("note lacks %q:\n%s", want, msg.Text)
					}
				}
				// cg's 回复率 (90.0%) is not under target: not named under
				// the regulation's rule (both rates under).
				if strings.Contains(msg.Text, "低于目标的单位") {
					t.Errorf("note names a unit under target:\n%s", msg.Text)
				}
			case "file":
				file = true
				media, ok := r.wc.Media(msg.MediaID)
				if !ok || media.Name != "网络问政月报-2026年11月.xlsx" || !bytes.Equal(media.Data, data) {
					t.Errorf("file message carries %q (%d bytes); want the report as written (%d bytes)", media.Name, len(media.Data), len(data))
				}
			}
		}
		if !note || !file {
			t.Errorf("dispatcher got note %v, file %v; want both", note, file)
		}

		// A rerun makes nothing new and sends nothing twice.
		before := len(outbox(t, s))
		r.clock.Add(time.Hour)
		modeltest.Must(t, m.Run(ctx, now.Add(time.Hour)), "monthly report again")
		if n := len(outbox(t, s)); n != before {
			t.Errorf("rerun queued %d more messages; want none", n-before)
		}
		if again, _ := s.LatestReport(ctx, "2026-11", false); again.ID != rep.ID {
			t.Errorf("rerun recorded a new report %s; want the first reused", again.Path)
		}
	})
}
