package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minsheng/models"
)

// RatingReport says what one ChaseRatings did.
type RatingReport struct {
	// Reminded counts the citizens reminded to rate an answer.
	Reminded int
	// Closed counts the cases closed unrated.
	Closed int
	// Reasons counts the 不满意 carried on without a reason, its time over.
	Reasons int
}

// ratingBatch is how many rows one transaction of ChaseRatings handles.
const ratingBatch = 200

// ChaseRatings is the rating job at now:
//   - a 不满意 whose reason did not come within rating.reason_within goes
//     ahead without one (重办, or the dispatchers' card);
//   - an answer not rated rating.remind_after_workdays working days after
//     it was given gets one reminder to the citizen;
//   - still not rated rating.close_after_workdays working days after that,
//     the case closes unrated (办结归档; counted as unrated, not satisfied).
//
// It is safe to run again for the same now, by this instance or another:
// the reminder's outbox row has a deterministic dedup key (per case and
// answer round), and the other steps are compare-and-set on the rows.
func (b *Bot) ChaseRatings(ctx context.Context, now time.Time) (RatingReport, error) {
	var rep RatingReport
	now = now.In(b.Location())
	for {
		var n, done int
		err := b.Store.Act(ctx, func(tx *models.Tx) error {
			n, done = 0, 0
			rs, err := tx.ReasonsDue(now, ratingBatch)
			if err != nil {
				return err
			}
			n = len(rs)
			for i := range rs {
				ok, err := b.reasonTimedOut(tx, &rs[i])
				if err != nil {
					return err
				}
				if ok {
					done++
				}
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("rating: reasons due: %w", err)
		}
		rep.Reasons += done
		if n < ratingBatch {
			break
		}
	}
	cur := models.Cursor{}
	for {
		var n, nReminded, closed int
		var stop bool
		next := cur
		err := b.Store.Act(ctx, func(tx *models.Tx) error {
			n, nReminded, closed, stop, next = 0, 0, 0, false, cur
			cases, err := tx.AwaitingRatings(cur, ratingBatch)
			if err != nil {
				return err
			}
			n = len(cases)
			for i := range cases {
				k := &cases[i]
				if now.Before(b.dueIn(k.AnsweredAt.In(now.Location()), b.Settings.Rating.RemindAfterWorkdays)) {
					stop = true // in answer order: the later ones are not due either
					break
				}
				next = models.Cursor{At: *k.AnsweredAt, ID: k.ID}
				// The case closes a number of working days after the
				// reminder: a citizen is never closed on without one.
				reminded, err := tx.RatingRemindedAt(k)
				if err != nil {
					return err
				}
				if reminded == nil {
					ok, err := b.remindRating(tx, k, b.dueIn(now, b.Settings.Rating.CloseAfterWorkdays))
					if err != nil {
						return err
					}
					if ok {
						nReminded++
					}
					continue
				}
				if now.Before(b.dueIn(reminded.In(now.Location()), b.Settings.Rating.CloseAfterWorkdays)) {
					continue
				}
				ok, err := b.closeUnrated(tx, k)
				if err != nil {
					return err
				}
				if ok {
					closed++
				}
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("rating: answers waiting for a rating: %w", err)
		}
		rep.Reminded += nReminded
		rep.Closed += closed
		cur = next
		if stop || n < ratingBatch {
			break
		}
	}
	if rep.Reminded+rep.Closed+rep.Reasons > 0 {
		b.queued()
	}
	return rep, nil
}

// reasonTimedOut carries on rating r, a 不满意 whose reason did not come in
// time; false when that was done before.
func (b *Bot) reasonTimedOut(tx *models.Tx, r *models.Rating) (bool, error) {
	k, err := tx.CaseIDForUpdate(r.CaseID)
	if err != nil {
		return false, err
	}
	if err := tx.GiveReason(r, ""); errors.Is(err, models.ErrConflict) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	note := fmt.Sprintf("群众评价不满意后%s内未说明理由", durationLabel(b.Settings.Rating.ReasonWithin))
	if err := tx.Record(k, models.SystemActor, models.EventRatingReason, "", "", note); err != nil {
		return false, err
	}
	if k.Status != models.StatusAnswered || k.Round() != r.Round {
		return true, nil // the dispatcher acted meanwhile
	}
	_, err = b.unsatisfied(tx, k, r, models.SystemActor, true)
	return err == nil, err
}

// remindRating reminds the citizen once to rate case k's answer; false when
// the reminder was queued before.
func (b *Bot) remindRating(tx *models.Tx, k *models.Case, closeAt time.Time) (bool, error) {
	loc := b.Location()
	msg := fmt.Sprintf("您反映的问题（编号 %s）已于%s答复，您还没有评价。请回复：评价 %s 1（满意）、2（基本满意）或 3（不满意）。%s前未评价的，将按未评价办结归档。",
		k.No, date(k.AnsweredAt.In(loc)), k.No, dateTime(closeAt.In(loc)))
	note := fmt.Sprintf("答复后%d个工作日未评价，已提醒群众评价", b.Settings.Rating.RemindAfterWorkdays)
	if k.InformantID != nil { // an information officer does not rate: told when it closes
		msg = fmt.Sprintf("您报送的舆情（编号 %s）已于%s答复，将于%s办结归档；如对办理结果有意见，请联系问政办。",
			k.No, date(k.AnsweredAt.In(loc)), dateTime(closeAt.In(loc)))
		note = fmt.Sprintf("答复后%d个工作日，已告知报送的信息员将办结归档", b.Settings.Rating.RemindAfterWorkdays)
	}
	key := fmt.Sprintf("rating_remind:%s:r%d", k.No, k.Round())
	row, err := reporterRow(tx, k, "citizen_rating_remind", key,
		Outgoing{Kind: KindText, Text: msg, CaseNo: k.No, Fields: []Field{{"编号", k.No}, {"评价", RateHint}}})
	if err != nil {
		return false, err
	}
	if err := tx.Enqueue(row); err != nil {
		return false, fmt.Errorf("queue rating reminder of case %s: %w", k.No, err)
	}
	if row.ID == 0 {
		return false, nil
	}
	return true, tx.Record(k, models.SystemActor, models.EventRatingReminded, "", "", note)
}

// closeUnrated closes case k, still not rated, as unrated (办结归档); false
// when it was rated or closed meanwhile.
func (b *Bot) closeUnrated(tx *models.Tx, k *models.Case) (bool, error) {
	k, err := tx.CaseIDForUpdate(k.ID)
	if err != nil {
		return false, err
	}
	if k.Status != models.StatusAnswered {
		return false, nil
	}
	if _, err := tx.RatingOf(k, k.Round()); err == nil {
		return false, nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return false, err
	}
	rs := b.Settings.Rating
	body := fmt.Sprintf("答复后%d个工作日未评价，提醒后%d个工作日仍未评价，按未评价办结归档", rs.RemindAfterWorkdays, rs.CloseAfterWorkdays)
	if err := tx.Archive(k, models.SystemActor, body); err != nil {
		if errors.Is(err, models.ErrConflict) {
			return false, nil
		}
		return false, err
	}
	msg := fmt.Sprintf("您反映的问题（编号 %s）答复后未收到您的评价，已办结归档。如仍有问题，欢迎重新反映。", k.No)
	if k.InformantID != nil {
		msg = fmt.Sprintf("您报送的舆情（编号 %s）已办结归档。", k.No)
	}
	key := fmt.Sprintf("rating_closed:%s:r%d", k.No, k.Round())
	row, err := reporterRow(tx, k, "citizen_rating_closed", key,
		Outgoing{Kind: KindText, Text: msg, CaseNo: k.No, Fields: []Field{{"编号", k.No}, {"结果", "已办结归档（未评价）"}}})
	if err != nil {
		return false, err
	}
	if err := tx.Enqueue(row); err != nil {
		return false, fmt.Errorf("queue closing notice of case %s: %w", k.No, err)
	}
	return true, nil
}

// durationLabel is a duration in Chinese: 24小时, 30分钟.
func durationLabel(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%d小时", int(d.Hours()))
	}
	return fmt.Sprintf("%d分钟", int(d.Minutes()))
}
