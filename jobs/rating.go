package jobs

import (
	"context"
	"fmt"
	"time"

	"minsheng/bot"
)

// JobRating is the rating job: reminders to rate, unrated cases closed,
// 不满意 without a reason carried on (bot.ChaseRatings).
const JobRating = "rating"

// Ratings is the rating job. Each run is one bot.ChaseRatings at now; a
// rerun for the same now queues nothing twice.
type Ratings struct {
	Bot *bot.Bot
}

// Run is one run of the rating job at now.
func (r *Ratings) Run(ctx context.Context, now time.Time) error {
	rep, err := r.Bot.ChaseRatings(ctx, now)
	if err != nil {
		return fmt.Errorf("%s: %w", JobRating, err)
	}
	r.Bot.Log().InfoContext(ctx, "ratings chased", "reminded", rep.Reminded, "closed_unrated", rep.Closed, "reasons_timed_out", rep.Reasons)
	return nil
}
