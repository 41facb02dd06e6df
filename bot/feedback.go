package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"minsheng/models"
	"minsheng/redact"
)

// The written feedback of 003: each configured recipient (县信访局,
// 县委办督查室; feedback.recipients) gets once a day one digest of the
// cases' handling and replies since the last one — 交办, 进展, 延期, 批示,
// 督办, 答复, 重办, 办结 — until each case is closed, and each case records
// what was fed back to whom (models.EventFedBack), so the case page, which
// prints, is the case-by-case written record.

// feedbackBatch bounds the events of one digest; the rest go the next run.
const feedbackBatch = 2000

// feedbackTextMax keeps one digest message under the robots' 4096 bytes.
const feedbackTextMax = 3800

// feedbackFirst is how far back a recipient's first digest reaches.
const feedbackFirst = 24 * time.Hour

// feedbackLabel names an event kind in a digest.
var feedbackLabel = map[models.EventKind]string{
	models.EventAssigned: "交办", models.EventReturned: "退回", models.EventProgress: "进展",
	models.EventExtensionApproved: "延期", models.EventInstructed: "批示", models.EventSupervise: "督办",
	models.EventApproved: "答复", models.EventReopened: "重办", models.EventArchived: "办结",
}

// FeedbackDigest sends every feedback recipient the handling of the cases
// since its last digest. It is a scheduler job (jobs.feedback_digest). Each
// recipient is one transaction, compare-and-set on its mark, so two runs at
// once send a digest once.
func (b *Bot) FeedbackDigest(ctx context.Context, now time.Time) error {
	var errs []error
	sent := 0
	for _, r := range b.Settings.Feedback {
		err := b.Store.Act(ctx, func(tx *models.Tx) error {
			n, err := b.feedbackDigest(tx, r, now)
			sent += n
			return err
		})
		if err != nil && !errors.Is(err, models.ErrConflict) {
			errs = append(errs, fmt.Errorf("feedback digest to %s: %w", r.Name, err))
		}
	}
	if sent > 0 {
		b.log().InfoContext(ctx, "written feedback sent", "cases", sent)
		b.queued()
	}
	return errors.Join(errs...)
}

// feedbackDigest queues recipient r's digest and records it on each case;
// it returns how many cases it covered.
func (b *Bot) feedbackDigest(tx *models.Tx, r Recipient, now time.Time) (int, error) {
	mark, events, err := tx.FeedbackEvents(r.Name, now.Add(-feedbackFirst), feedbackBatch)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	loc := b.Location()
	var order []uint64
	byCase := map[uint64][]models.CaseEvent{}
	for _, e := range events {
		if _, ok := byCase[e.CaseID]; !ok {
			order = append(order, e.CaseID)
		}
		byCase[e.CaseID] = append(byCase[e.CaseID], e)
	}
	head := fmt.Sprintf("**书面反馈（%s）%s**\n以下为 %d 件问题自上次反馈以来的办理和答复情况，直到办结为止。\n", r.Name, date(now.In(loc)), len(order))
	var parts []string
	for _, id := range order {
		k, err := tx.CaseByID(id)
		if err != nil {
			return 0, err
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "\n**%s** %s，承办：%s，时限：%s\n", k.No, k.Status.Label(), orNone(tx.DepartmentName(k.LeadDeptID)), b.dueText(k))
		var what []string
		for _, e := range byCase[id] {
			label := feedbackLabel[e.Kind]
			fmt.Fprintf(&sb, "- %s %s（%s）：%s\n", e.CreatedAt.In(loc).Format("01-02 15:04"), label, e.ActorName,
				mdEscape(summary(redact.Identity(e.Body), 200)))
			what = append(what, label)
		}
		parts = append(parts, sb.String())
		body := fmt.Sprintf("书面反馈%s：%s（%d项）", r.Name, strings.Join(what, "、"), len(what))
		if err := tx.Record(k, models.SystemActor, models.EventFedBack, "", "", body); err != nil {
			return 0, err
		}
	}
	for _, text := range pack(head, parts, feedbackTextMax) {
		md := Outgoing{Kind: KindMarkdown, Text: text}
		if _, err := b.toRecipient(tx, r, 0, "feedback", md, Outgoing{Kind: KindText, Text: text}); err != nil {
			return 0, err
		}
	}
	return len(order), tx.AdvanceFeedback(r.Name, mark, events[len(events)-1].ID)
}

// toRecipient queues a message for an upper-level recipient r
// (serious.report_up, feedback.recipients): group to its group robot, on the
// platform the joint-group rule gives (models.JointPlatform), and member to
// each of its members. reached reports whether anything was queued.
func (b *Bot) toRecipient(tx *models.Tx, r Recipient, caseID uint64, purpose string, group, member Outgoing) (reached bool, err error) {
	if r.Group.RobotKey != "" || r.Group.Webhook != "" {
		platform := models.JointPlatform(r.Group.RobotKey, r.Group.Webhook)
		if err := enqueue(tx, platform, models.UpperTarget(r.Name), caseID, purpose, group); err != nil {
			return false, err
		}
		reached = true
	}
	for _, ref := range r.Members {
		m, err := tx.Member(ref.Platform, ref.UserID)
		if errors.Is(err, models.ErrNotFound) {
			b.log().Warn("recipient member not in the organisation", "recipient", r.Name, "user_id", ref.UserID, "purpose", purpose)
			continue
		}
		if err != nil {
			return false, err
		}
		if err := toMember(tx, m, caseID, purpose, member); err != nil {
			return false, err
		}
		reached = true
	}
	return reached, nil
}

// pack puts parts into messages of at most max bytes, each starting with head.
func pack(head string, parts []string, max int) []string {
	var out []string
	cur := head
	for _, p := range parts {
		if len(cur)+len(p) > max && cur != head {
			out = append(out, cur)
			cur = head
		}
		cur += p
	}
	return append(out, cur)
}

func orNone(s string) string {
	if s == "" {
		return "未交办"
	}
	return s
}
