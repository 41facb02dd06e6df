// Package bot is the conversation of 民声: citizens' messages and officers'
// commands and card actions come in, replies and cards go out. Each platform
// adapter (bot/mp, bot/wecom, bot/dingtalk) speaks its own protocol and hands
// plain messages to the Bot; the Bot decides and the store records.
package bot

import (
	"log/slog"
	"time"

	"minsheng/models"
)

// Settings are the numbers from config.yaml the conversation follows.
type Settings struct {
	MaxCasesPerHour int
	DuplicateWindow time.Duration
	MinLength       int
	MaxLength       int
	Acknowledge     time.Duration
	Simple          time.Duration
	GeneralWorkdays int
	ComplexWorkdays int
	// ExtensionWorkdays caps the extensions of a case in total.
	ExtensionWorkdays int
	// ReportUpMajor and ReportUpCritical are the report-up clocks of 重大 and 特别重大.
	ReportUpMajor    time.Duration
	ReportUpCritical time.Duration
	// ReportUpLarge is the optional report-up clock of 较大; 0: none.
	ReportUpLarge time.Duration
	// PublicURL is how cards link back to this server.
	PublicURL   string
	DefaultKind string
	OfficeHours models.OfficeHours
	// Joint is the joint-meeting group (联席会议群).
	Joint GroupAddress
	// Review is the answer drafts' automatic check and approval chains (bot/review.go).
	Review ReviewSettings
	// Leaders are the leaders' scopes and the chase of serious cases (bot/leader.go).
	Leaders LeaderSettings
	// Links sign the case-page links that cards carry (bot/link.go).
	Links LinkSettings
	// Rating is the citizen's rating, 重办 and appeals (bot/rating.go).
	Rating RatingSettings
	// Feedback are the recipients of the daily written feedback
	// (feedback.recipients; bot/feedback.go).
	Feedback []Recipient
	// UnitAliases maps the everyday short names of units (城管, 住建 …;
	// org.departments[].aliases) to their codes.
	UnitAliases map[string]string
	// Hot are similar cases and hot topics (hot_topics.*; bot/hottopics.go).
	Hot HotSettings
}

// GroupAddress is a group robot: WeCom key and/or DingTalk webhook.
type GroupAddress struct{ RobotKey, Webhook, Secret string }

// Bot answers citizens and officers.
type Bot struct {
	Store    *models.Store
	Calendar *models.Calendar
	Settings Settings
	Logger   *slog.Logger
	// Queued, when set, is called after a change that may have queued
	// messages was committed, to wake the delivery job.
	Queued func()
	// Routing, when set, ranks the units a new report may go to from the
	// office's own decisions (routing.go); nil means the keywords alone.
	Routing *Routing

	similar similarMemo // similar.go
}

func (b *Bot) queued() {
	if b.Queued != nil {
		b.Queued()
	}
}

// Location is the time zone dates are shown in.
func (b *Bot) Location() *time.Location {
	if b.Store.Location != nil {
		return b.Store.Location
	}
	return time.UTC
}

// Log is the bot's logger (slog.Default when none is set).
func (b *Bot) Log() *slog.Logger { return b.log() }

func (b *Bot) log() *slog.Logger {
	if b.Logger != nil {
		return b.Logger
	}
	return slog.Default()
}
