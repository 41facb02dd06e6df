package models

import "time"

// InboundMessage is one callback message as it reached us, kept on record
// once: the unique (platform, dedup_key) makes a platform's retry find the
// first delivery and its reply, even across server instances.
type InboundMessage struct {
	ID       uint64 `gorm:"primaryKey"`
	Platform string `gorm:"size:16;not null;uniqueIndex:idx_inbound_dedup,priority:1"`
	// DedupKey is the MsgId, or sender+CreateTime+event for events.
	DedupKey  string `gorm:"size:128;not null;uniqueIndex:idx_inbound_dedup,priority:2"`
	CitizenID uint64 `gorm:"not null;default:0;index"`
	MsgType   string `gorm:"size:32;not null"`
	Content   string `gorm:"type:text"`
	// Outcome says what the message became: case, repeat, query, rate_limited…
	Outcome string `gorm:"size:32;not null"`
	CaseID  uint64 `gorm:"not null;default:0"`
	// Reply is the passive reply given, repeated verbatim to retries.
	Reply     string `gorm:"type:text"`
	CreatedAt time.Time
}

// OutboxStatus is the delivery state of an outbound message.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
)

// Outbox is a message to send, written in the same transaction as the change
// that causes it and delivered by a worker that retries until it is accepted
// or a person is told.
type Outbox struct {
	ID       uint64   `gorm:"primaryKey"`
	Platform Platform `gorm:"size:16;not null"`
	// Target names the recipient without personal data: citizen:<id>,
	// member:<id>, group:<department code>, joint.
	Target string `gorm:"size:128;not null"`
	Kind   string `gorm:"size:32;not null"`
	// Payload is the platform message as JSON; MEDIUMTEXT on MySQL, for
	// images and files (migration 202611220004_reports).
	Payload  string       `gorm:"type:mediumtext;not null"`
	CaseID   uint64       `gorm:"not null;default:0;index"`
	DedupKey string       `gorm:"size:191;not null;uniqueIndex"`
	Status   OutboxStatus `gorm:"size:16;not null;index:idx_outbox_due,priority:1"`
	Attempts int          `gorm:"not null;default:0"`
	// NextAttemptAt is when the worker may try (again).
	NextAttemptAt time.Time `gorm:"not null;index:idx_outbox_due,priority:2"`
	// Ref is the card's task id on the platform, to update it later.
	Ref string `gorm:"size:128;index"`
	// ResponseCode is what the platform gave back to update a sent card.
	ResponseCode string `gorm:"size:255"`
	LeaseOwner   string `gorm:"size:64"`
	LeaseUntil   *time.Time
	LastError    string `gorm:"type:text"`
	SentAt       *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CaseSequence hands out the daily part of case numbers.
type CaseSequence struct {
	Day string `gorm:"primaryKey;size:8"`
	Seq int64  `gorm:"not null"`
}
