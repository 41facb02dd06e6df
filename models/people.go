package models

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Citizen is a person who reports through the Official Account. The openid is
// kept here and nowhere else; everyone but the system sees the Alias.
type Citizen struct {
	ID     uint64 `gorm:"primaryKey"`
	OpenID string `gorm:"size:64;not null;uniqueIndex"`
	// Alias is a stable, meaningless name such as 群众K3F2Q for people to use.
	Alias string `gorm:"size:32;not null;default:''"`
	// Name and Phone are contact details the citizen chose to give.
	Name          string `gorm:"size:64"`
	Phone         string `gorm:"size:32"`
	LastMessageAt time.Time
	CreatedAt     time.Time

	// fresh is set while the row was created in the current transaction
	// and has no case yet, so the reads of its cases can be skipped.
	fresh bool
	// informant is set on the reporter row of an information officer
	// (ReportAs): its entries are recorded under the officer's name.
	informant *Member
}

// ReportAs makes c the reporter row of information officer m for the
// current transaction (InformantOpenID): the entries the intake records
// for it (受理, 重复反映) are m's, by name, as an official's.
func (c *Citizen) ReportAs(m *Member) { c.informant = m }

// AfterFind gives a citizen loaded from the store its alias: the intake does
// not write it (one round trip fewer per new citizen), since the id fixes it.
func (c *Citizen) AfterFind(*gorm.DB) error {
	if c.Alias == "" && c.ID != 0 {
		c.Alias = CitizenAlias(c.ID)
	}
	return nil
}

// aliasSpace is 36^5: five base-36 digits.
const (
	aliasSpace = 60466176
	base36     = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// CitizenAlias returns the stable alias of citizen id: a bijection of the id
// onto five base-36 digits, so two citizens never share one below 60 million.
func CitizenAlias(id uint64) string {
	// 7919 is prime and so coprime to 36^5: multiplication permutes the space.
	v := (id*7919 + 104729) % aliasSpace
	var b [5]byte
	for i := 4; i >= 0; i-- {
		b[i] = base36[v%36]
		v /= 36
	}
	return "群众" + string(b[:])
}

// Role is what a member may do.
type Role string

// The roles of DOMAIN.md.
const (
	RoleOfficer    Role = "officer"
	RoleHead       Role = "head"
	RoleDispatcher Role = "dispatcher"
	RoleLeader     Role = "leader"
	// RoleInformant is a 舆情信息员 of a village, community or enforcement
	// brigade: files reports (舆情) and a weekly 报平安, handles no case
	// (models/informant.go).
	RoleInformant Role = "informant"
)

// Label is the role in Chinese.
func (r Role) Label() string {
	switch r {
	case RoleOfficer:
		return "承办人"
	case RoleHead:
		return "部门负责人"
	case RoleDispatcher:
		return "问政办"
	case RoleLeader:
		return "领导"
	case RoleInformant:
		return "信息员"
	}
	return string(r)
}

// Department is a handling unit, kept in step with config.yaml.
type Department struct {
	ID   uint64 `gorm:"primaryKey"`
	Code string `gorm:"size:32;not null;uniqueIndex"`
	Name string `gorm:"size:64;not null"`
	// Keywords route a case to this unit; comma separated.
	Keywords        string   `gorm:"type:text"`
	Platform        Platform `gorm:"size:16;not null"`
	WeComRobotKey   string   `gorm:"size:128"`
	DingTalkWebhook string   `gorm:"size:512"`
	DingTalkSecret  string   `gorm:"size:128"`
	Active          bool     `gorm:"not null"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// KeywordList returns the routing keywords.
func (d *Department) KeywordList() []string {
	var out []string
	for _, k := range strings.Split(d.Keywords, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// Member is an officer, head, dispatcher, leader or information officer.
type Member struct {
	ID           uint64   `gorm:"primaryKey"`
	Name         string   `gorm:"size:64;not null"`
	Platform     Platform `gorm:"size:16;not null;uniqueIndex:idx_member_user,priority:1"`
	UserID       string   `gorm:"size:64;not null;uniqueIndex:idx_member_user,priority:2"`
	DepartmentID *uint64  `gorm:"index"`
	Role         Role     `gorm:"size:16;not null"`
	Active       bool     `gorm:"not null"`
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// Unit is where an information officer reports for, in the office's
	// words (潇楚街道洋湖社区, 城管执法一中队); empty for other roles.
	Unit string `gorm:"size:64"`
}

// String names the member for records and logs.
func (m *Member) String() string { return fmt.Sprintf("%s(%s)", m.Name, m.Role.Label()) }
