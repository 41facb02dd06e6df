package app

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/config"
	"minsheng/models"
)

// leaderSettings turns review.*, serious.*, the leaders' scopes and the link
// secret into the bot's settings. Without server.link_secret a random secret
// is drawn, loudly: links then stop working at the next start.
func leaderSettings(cfg *config.Config, log *slog.Logger) (bot.ReviewSettings, bot.LeaderSettings, bot.LinkSettings) {
	roles := func(chain []string) []models.Role {
		var out []models.Role
		for _, r := range chain {
			out = append(out, models.Role(r))
		}
		return out
	}
	rv := bot.ReviewSettings{
		Default: roles(cfg.Review.Default), Units: map[string][]models.Role{},
		MinAnswerRunes: cfg.Review.MinAnswerLength, MinConcreteRunes: cfg.Review.MinConcreteLength,
		Sensitive: cfg.Review.SensitiveWords, Boilerplate: cfg.Review.BoilerplatePhrases,
	}
	for _, d := range cfg.Org.Departments {
		if len(d.Review) > 0 {
			rv.Units[d.Code] = roles(d.Review)
		}
	}
	ld := bot.LeaderSettings{
		Scopes: map[string][]string{}, ChaseEvery: cfg.Serious.ChaseEvery.D(),
		CriticalWords: cfg.Serious.CriticalKeywords, MajorWords: cfg.Serious.MajorKeywords,
	}
	ld.ReportUp = recipients(cfg, cfg.Serious.ReportUp)
	for _, m := range cfg.Org.Members {
		if m.Role == "leader" && len(m.Scope) > 0 {
			ld.Scopes[bot.ScopeKey(string(orWeCom(m.Platform)), m.UserID)] = m.Scope
		}
	}
	secret := []byte(cfg.Server.LinkSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
		log.Warn("server.link_secret is not set: case-page links are signed with a random secret and stop working at the next start, and on any other instance; set MINSHENG_LINK_SECRET, the same on every instance")
	}
	return rv, ld, bot.LinkSettings{Secret: secret, TTL: cfg.Server.LinkTTL.D()}
}

// newBot builds the bot from config: the calendar, the office hours, the
// numbers of the conversation, rating.*, the joint-meeting group and (from
// leaderSettings) review.*, serious.* and the link secret. The platforms'
// parts (Queued) are New's.
func newBot(cfg *config.Config, store *models.Store, log, warn *slog.Logger) (*bot.Bot, error) {
	cal, err := Calendar(cfg)
	if err != nil {
		return nil, err
	}
	hours, err := models.ParseOfficeHours(cfg.Deadlines.OfficeHours)
	if err != nil {
		return nil, fmt.Errorf("deadlines.office_hours: %w", err)
	}
	b := &bot.Bot{Store: store, Calendar: cal, Logger: log, Settings: bot.Settings{
		MaxCasesPerHour: cfg.Intake.MaxCasesPerHour, DuplicateWindow: cfg.Intake.DuplicateWindow.D(),
		MinLength: cfg.Intake.MinLength, MaxLength: cfg.Intake.MaxLength,
		Acknowledge: cfg.Deadlines.Acknowledge.D(), Simple: cfg.Deadlines.Simple.D(),
		GeneralWorkdays: cfg.Deadlines.GeneralWorkdays, ComplexWorkdays: cfg.Deadlines.ComplexWorkdays,
		DefaultKind: cfg.Deadlines.DefaultKind, OfficeHours: hours,
		ExtensionWorkdays: cfg.Deadlines.ExtensionWorkdays,
		ReportUpMajor:     cfg.Deadlines.ReportUpMajor.D(), ReportUpCritical: cfg.Deadlines.ReportUpCritical.D(),
		ReportUpLarge: cfg.Deadlines.ReportUpLarge.D(),
		PublicURL:     cfg.Server.PublicURL,
		Rating:        ratingSettings(cfg),
		Hot:           hotSettings(cfg),
		Joint: bot.GroupAddress{
			RobotKey: cfg.Org.JointMeeting.WeComRobotKey, Webhook: cfg.Org.JointMeeting.DingTalkWebhook, Secret: cfg.Org.JointMeeting.DingTalkSecret,
		},
	}}
	b.Settings.Review, b.Settings.Leaders, b.Settings.Links = leaderSettings(cfg, warn)
	b.Settings.Feedback = recipients(cfg, cfg.Feedback.Recipients)
	b.Settings.UnitAliases = map[string]string{}
	for _, d := range cfg.Org.Departments {
		for _, a := range d.Aliases {
			b.Settings.UnitAliases[strings.TrimSpace(a)] = d.Code
		}
	}
	return b, nil
}

// Calendar is the working-day calendar with the years of calendar.years
// added to the shipped ones.
func Calendar(cfg *config.Config) (*models.Calendar, error) {
	var extra []models.CalendarYear
	for _, y := range cfg.Calendar.Years {
		extra = append(extra, models.CalendarYear{Year: y.Year, Notice: y.Notice, Holidays: y.Holidays, Workdays: y.Workdays})
	}
	cal, err := models.NewCalendar(extra)
	if err != nil {
		return nil, fmt.Errorf("calendar.years: %w", err)
	}
	return cal, nil
}

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

// recipients turns serious.report_up or feedback.recipients into the bot's:
// members are named by user_id, on the platform org.members gives them.
func recipients(cfg *config.Config, list []config.Recipient) []bot.Recipient {
	platformOf := map[string]models.Platform{}
	for _, m := range cfg.Org.Members {
		platformOf[m.UserID] = models.Platform(m.Platform)
		if m.Platform == "" {
			platformOf[m.UserID] = models.PlatformWeCom
		}
	}
	var out []bot.Recipient
	for _, r := range list {
		up := bot.Recipient{Name: r.Name, Group: bot.GroupAddress{RobotKey: r.WeComRobotKey, Webhook: r.DingTalkWebhook, Secret: r.DingTalkSecret}}
		for _, u := range r.Members {
			up.Members = append(up.Members, bot.MemberRef{Platform: platformOf[u], UserID: u})
		}
		out = append(out, up)
	}
	return out
}

// mpTemplates translates mp.templates into the Official Account's templates.
func mpTemplates(in map[string]config.MPTemplate) map[string]mp.Template {
	out := make(map[string]mp.Template, len(in))
	for purpose, t := range in {
		out[purpose] = mp.Template{ID: t.ID, Fields: maps.Clone(t.Fields)}
	}
	return out
}

// hotSettings turns hot_topics.* into the bot's settings.
func hotSettings(cfg *config.Config) bot.HotSettings {
	h := cfg.HotTopics
	return bot.HotSettings{
		SimilarWithin: h.SimilarWithin.D(), MinCitizens: h.MinCitizens, Window: h.Window.D(),
		Rise: h.Rise, Baseline: h.Baseline.D(), RespondWithin: h.RespondWithin.D(), Quiet: h.Quiet.D(),
	}
}
