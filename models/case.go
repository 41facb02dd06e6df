package models

import (
	"fmt"
	"time"
)

// Status is where a case stands in its life (DOMAIN.md, "The life of a case").
type Status string

// The statuses of a case. Overdue is not a status: it is a deadline in the past.
const (
	StatusReceived  Status = "received"  // 已受理: waiting for triage
	StatusAssigned  Status = "assigned"  // 已交办: waiting for the lead unit to accept
	StatusHandling  Status = "handling"  // 办理中
	StatusReviewing Status = "reviewing" // 审核中: an answer draft awaits approval
	StatusAnswered  Status = "answered"  // 已答复: delivered, waiting for the rating
	StatusClosed    Status = "closed"    // 办结归档
	StatusInvalid   Status = "invalid"   // 无效
	StatusDuplicate Status = "duplicate" // 重复反映, merged into an earlier case
)

// Label is the status in Chinese, as citizens and officers read it.
func (s Status) Label() string {
	switch s {
	case StatusReceived:
		return "已受理"
	case StatusAssigned:
		return "已交办"
	case StatusHandling:
		return "办理中"
	case StatusReviewing:
		return "审核中"
	case StatusAnswered:
		return "已答复"
	case StatusClosed:
		return "办结归档"
	case StatusInvalid:
		return "无效"
	case StatusDuplicate:
		return "重复反映"
	}
	return string(s)
}

// Open reports whether the case still waits for an answer from a unit.
func (s Status) Open() bool {
	switch s {
	case StatusReceived, StatusAssigned, StatusHandling, StatusReviewing:
		return true
	}
	return false
}

// Transitions is the state machine as data: from each status, where a case may go.
var Transitions = map[Status][]Status{
	StatusReceived:  {StatusAssigned, StatusInvalid, StatusDuplicate},
	StatusAssigned:  {StatusHandling, StatusReceived}, // accept (签收) or return (退回)
	StatusHandling:  {StatusReviewing, StatusReceived},
	StatusReviewing: {StatusAnswered, StatusHandling}, // approve or send back for changes
	StatusAnswered:  {StatusClosed, StatusHandling},   // rated, or reopened (重办)
	StatusClosed:    {},
	StatusInvalid:   {StatusReceived}, // a dispatcher may take an invalid mark back
	StatusDuplicate: {StatusReceived},
}

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to Status) bool {
	for _, s := range Transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Severity grades a case at triage.
type Severity string

// The severities of DOMAIN.md.
const (
	SeverityGeneral  Severity = "一般"
	SeverityLarge    Severity = "较大"
	SeverityMajor    Severity = "重大"
	SeverityCritical Severity = "特别重大"
)

// Case is one citizen's report (工单) and everything that follows from it.
type Case struct {
	ID uint64 `gorm:"primaryKey"`
	// No is the short number citizens type: YYYYMMDD and a daily sequence.
	No          string   `gorm:"size:20;uniqueIndex"`
	CitizenID   uint64   `gorm:"not null;index:idx_case_citizen,priority:1;index:idx_case_citizen_hash,priority:1"`
	Content     string   `gorm:"type:text;not null"`
	ContentHash string   `gorm:"size:64;not null;index:idx_case_citizen_hash,priority:2"`
	Status      Status   `gorm:"size:16;not null;index:idx_case_status_due,priority:1;index:idx_case_dept_status,priority:2"`
	Severity    Severity `gorm:"size:16;not null"`
	// Kind is the handling class: 即办, 一般 or 复杂.
	Kind       string     `gorm:"size:8;not null"`
	LeadDeptID *uint64    `gorm:"index:idx_case_dept_status,priority:1"`
	ReceivedAt time.Time  `gorm:"not null;index:idx_case_citizen,priority:2"`
	AckDueAt   time.Time  `gorm:"not null"`
	DueAt      *time.Time `gorm:"index:idx_case_status_due,priority:2"`
	// DuplicateOfID links a case merged into an earlier one.
	DuplicateOfID *uint64
	// Repeats counts later reports of the same problem linked to this case.
	Repeats    int    `gorm:"not null;default:0"`
	Answer     string `gorm:"type:text"`
	AnsweredAt *time.Time
	ClosedAt   *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// Rating is the citizen's verdict on the answer (满意, 基本满意 or
	// 不满意); NULL or empty until rated. RatedAt is when it was given.
	Rating  string `gorm:"size:16"`
	RatedAt *time.Time

	// Reopens counts the times the case was reopened for a second
	// handling (重办) after a 不满意 (models/rating.go).
	Reopens int `gorm:"not null;default:0"`

	// Source is where the report came from: SourceCitizen (the Official
	// Account) or SourceInformant (an information officer's 舆情, whose
	// member id is InformantID; models/informant.go).
	Source      string `gorm:"size:16;not null;default:''"`
	InformantID *uint64

	// RatingRows is set once a rating of the case is in the ratings table
	// (AddRating); a case rated before that table has Rating alone. The
	// statistics look for the ratings of a case only where it is not set
	// (stats.go).
	RatingRows bool `gorm:"not null;default:false"`
}

// Transition checks that the case may move to next; it changes nothing.
// It returns ErrInvalidTransition otherwise.
func (c *Case) Transition(next Status) error {
	if !CanTransition(c.Status, next) {
		return fmt.Errorf("case %s from %s to %s: %w", c.No, c.Status, next, ErrInvalidTransition)
	}
	return nil
}

// Overdue reports whether the case is open and past its deadline at now.
func (c *Case) Overdue(now time.Time) bool {
	return c.Status.Open() && c.DueAt != nil && now.After(*c.DueAt)
}

// EventKind names an entry of the case record.
type EventKind string

// The kinds of case events.
const (
	EventReceived   EventKind = "received"   // 受理
	EventRepeat     EventKind = "repeat"     // 重复反映 linked
	EventSupplement EventKind = "supplement" // 补充 from the citizen
	EventAttachment EventKind = "attachment" // image, voice or location
	EventStatus     EventKind = "status"     // a state change
	EventIdentity   EventKind = "identity"   // the dispatcher looked at the reporter
)

// Actor kinds of a case event.
const (
	ActorCitizen = "citizen"
	ActorMember  = "member"
	ActorSystem  = "system"
)

// CaseEvent is one append-only entry of a case's record: who, what, when, from where.
type CaseEvent struct {
	ID        uint64    `gorm:"primaryKey"`
	CaseID    uint64    `gorm:"not null;index:idx_event_case,priority:1"`
	Kind      EventKind `gorm:"size:32;not null"`
	ActorKind string    `gorm:"size:16;not null"`
	ActorID   uint64    `gorm:"not null;default:0"`
	// ActorName is the member's name or the citizen's alias, never an openid.
	ActorName string    `gorm:"size:64;not null"`
	Platform  string    `gorm:"size:16;not null"`
	FromState Status    `gorm:"size:16"`
	ToState   Status    `gorm:"size:16"`
	Body      string    `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null;index:idx_event_case,priority:2"`
}

// Attachment is an image, voice message or location a citizen sent.
type Attachment struct {
	ID          uint64 `gorm:"primaryKey"`
	CaseID      uint64 `gorm:"not null;index"`
	Kind        string `gorm:"size:16;not null"` // image | voice | location
	MediaID     string `gorm:"size:128"`
	URL         string `gorm:"size:512"`
	Format      string `gorm:"size:16"`
	Recognition string `gorm:"type:text"`
	Latitude    float64
	Longitude   float64
	Scale       int
	Label       string `gorm:"size:255"`
	CreatedAt   time.Time
}

// Actor is who did something: a citizen (by alias), a member, or the system.
type Actor struct {
	Kind     string
	ID       uint64
	Name     string
	Platform string
}

// CitizenActor names citizen c for the record, by alias only; the reporter
// row of an information officer names the officer (Citizen.ReportAs).
func CitizenActor(c *Citizen, platform string) Actor {
	if c.informant != nil {
		return MemberActor(c.informant)
	}
	return Actor{Kind: ActorCitizen, ID: c.ID, Name: c.Alias, Platform: platform}
}

// MemberActor names member m for the record.
func MemberActor(m *Member) Actor {
	return Actor{Kind: ActorMember, ID: m.ID, Name: m.Name, Platform: string(m.Platform)}
}

// SystemActor is the server itself (jobs, deliveries).
var SystemActor = Actor{Kind: ActorSystem, Name: "系统", Platform: "system"}
