package jobs

import (
	"context"
	"fmt"
	"time"

	"minsheng/bot"
)

// JobHotTopics watches for hot topics (舆情热点) and runs their 24-hour
// response rule.
const JobHotTopics = "hot_topics"

// HotTopics is the hot_topics job: every run places the cases received
// since the last successful run in hot topics, raises the topics that
// became hot, and sends the 督办 of those whose response clock ran out
// unanswered (bot.HotTopics).
type HotTopics struct {
	Bot *bot.Bot
}

// Run is one run of the hot_topics job at now.
func (h *HotTopics) Run(ctx context.Context, now time.Time) error {
	since, err := LastSuccess(ctx, h.Bot.Store, JobHotTopics)
	if err != nil {
		return fmt.Errorf("hot topics: %w", err)
	}
	rep, err := h.Bot.HotTopics(ctx, now, since)
	if err != nil {
		return err
	}
	h.Bot.Log().InfoContext(ctx, "hot topics watched", "raised", rep.Raised, "joined", rep.Joined,
		"escalated", rep.Escalated, "responded", rep.Responded)
	return nil
}
