package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"minsheng/bot"
	"minsheng/models"
	"minsheng/reports"
)

// Names of the report jobs, for the scheduler and run-job.
const (
	JobWeeklySummary = "weekly_summary"
	JobMonthlyReport = "monthly_report"
)

// Weekly is the weekly summary job (weekly_summary): the summary of the
// last full ISO week (reports.Weekly) goes to the joint-meeting group.
//
// A rerun for the same week queues nothing: the messages' dedup keys are
// weekly:<ISO week>[:part].
type Weekly struct {
	Store *models.Store
	// Platform is the joint-meeting group's platform: wecom (table and
	// chart) or dingtalk (the table as a list; its robots take no pictures).
	Platform models.Platform
	// ReplyTarget and SatisfactionTarget are the targets, as fractions
	// (deadlines.reply_rate_target, deadlines.satisfaction_target).
	ReplyTarget, SatisfactionTarget float64
	// FlagRule names units under target (reports.flag_rule; "" is both).
	FlagRule models.FlagRule
	// RateDays is how many days of cases the rates are over (reports.rate_days).
	RateDays int
	// Overdue is how many of the longest-overdue cases are listed
	// (reports.overdue_list).
	Overdue int
	// TopTopics is how many hot topics 本周舆情 lists (hot_topics.weekly_top).
	TopTopics int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// platform is the joint-meeting group's platform, wecom unless set.
func (w *Weekly) platform() models.Platform {
	if w.Platform == "" {
		return models.PlatformWeCom
	}
	return w.Platform
}

func (w *Weekly) log() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

// summary is the weekly summary as w sets it.
func (w *Weekly) summary() *reports.Weekly {
	return &reports.Weekly{
		Store: w.Store, NoTables: !w.platform().Tables(),
		ReplyTarget: w.ReplyTarget, SatisfactionTarget: w.SatisfactionTarget, FlagRule: w.FlagRule, RateDays: w.RateDays, Overdue: w.Overdue,
		TopTopics: w.TopTopics,
	}
}

// Run sums up the week before the one of now and queues the summary for the
// joint-meeting group, once per week whatever the number of runs.
func (w *Weekly) Run(ctx context.Context, now time.Time) error {
	msgs, err := w.summary().Build(ctx, now)
	if err != nil {
		return err
	}
	kind := bot.KindTable
	if !w.platform().Tables() {
		kind = bot.KindMarkdown
	}
	queued := 0
	err = w.Store.Act(ctx, func(tx *models.Tx) error {
		for i, text := range msgs.Texts {
			key := "weekly:" + msgs.Week
			if i > 0 {
				key += fmt.Sprintf(":%d", i+1)
			}
			ok, err := queueMessage(tx, w.platform(), models.JointTarget(), "weekly_summary", key, bot.Outgoing{Kind: kind, Text: text})
			if err != nil {
				return err
			}
			if ok {
				queued++
			}
		}
		if msgs.Chart != nil {
			ok, err := queueMessage(tx, w.platform(), models.JointTarget(), "weekly_chart", "weekly:"+msgs.Week+":chart",
				bot.Outgoing{Kind: bot.KindImage, Image: msgs.Chart})
			if err != nil {
				return err
			}
			if ok {
				queued++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("weekly summary %s: %w", msgs.Week, err)
	}
	w.log().InfoContext(ctx, "weekly summary", "week", msgs.Week, "queued", queued, "already_sent", queued == 0)
	return nil
}

// queueMessage adds o to the outbox under dedup key, in tx; false when a
// message with that key was queued before (a rerun).
func queueMessage(tx *models.Tx, platform models.Platform, target models.Target, purpose, key string, o bot.Outgoing) (bool, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return false, fmt.Errorf("encode %s message: %w", purpose, err)
	}
	row := &models.Outbox{Platform: platform, Target: target.String(), Kind: purpose, Payload: string(b), DedupKey: key}
	if err := tx.Enqueue(row); err != nil {
		return false, fmt.Errorf("queue %s message to %s: %w", purpose, target, err)
	}
	return row.ID != 0, nil
}
