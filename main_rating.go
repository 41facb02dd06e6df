package main

import (
	"minsheng/bot"
	"minsheng/config"
	"minsheng/models"
)

// ratingSettings turns rating.* into the bot's settings.
func ratingSettings(cfg *config.Config) bot.RatingSettings {
	r := cfg.Rating
	s := bot.RatingSettings{
		Unsatisfied: r.Unsatisfied, ReasonWithin: r.ReasonWithin.D(),
		RemindAfterWorkdays: r.RemindAfterWorkdays, CloseAfterWorkdays: r.CloseAfterWorkdays,
		ReopenWorkdays: r.ReopenWorkdays,
	}
	for _, role := range r.AppealDeciders {
		s.AppealDeciders = append(s.AppealDeciders, models.Role(role))
	}
	return s
}
