package models

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// TargetKind is who an outbox message is for: a member, a unit's group, the
// joint-meeting group or a citizen.
type TargetKind string

// Target kinds, as they begin the stored target.
const (
	TargetMember  TargetKind = "member"
	TargetGroup   TargetKind = "group"
	TargetJoint   TargetKind = "joint"
	TargetCitizen TargetKind = "citizen"
	// TargetUpper is an upper-level recipient of serious cases
	// (serious.report_up), by name: its group robot.
	TargetUpper TargetKind = "upper"
)

// Target names the recipient of an outbox message without personal data:
// a member or a citizen by row id, a unit's group by department code, or the
// joint-meeting group. It is stored in Outbox.Target as its String form
// (member:12, citizen:7, group:cg, joint), resolved to an address only at
// send time.
type Target struct {
	Kind TargetKind
	// ID is the member's or the citizen's row id.
	ID uint64
	// Code is the department code of a group target, the recipient's
	// name of an upper target.
	Code string
}

// MemberTarget is member id's chats.
func MemberTarget(id uint64) Target { return Target{Kind: TargetMember, ID: id} }

// GroupTarget is the group of the department with code.
func GroupTarget(code string) Target { return Target{Kind: TargetGroup, Code: code} }

// CitizenTarget is citizen id's chat in the Official Account.
func CitizenTarget(id uint64) Target { return Target{Kind: TargetCitizen, ID: id} }

// JointTarget is the joint-meeting group (联席会议群).
func JointTarget() Target { return Target{Kind: TargetJoint} }

// UpperTarget is the group robot of the upper-level recipient named name
// (serious.report_up).
func UpperTarget(name string) Target { return Target{Kind: TargetUpper, Code: name} }

// String encodes t as the outbox stores it; ParseTarget reads it back.
func (t Target) String() string {
	switch t.Kind {
	case TargetMember, TargetCitizen:
		return string(t.Kind) + ":" + strconv.FormatUint(t.ID, 10)
	case TargetGroup, TargetUpper:
		return string(t.Kind) + ":" + t.Code
	default:
		return string(t.Kind)
	}
}

// IsGroup reports whether t is a group chat (a unit's or the joint one),
// which the platforms rate-limit per group.
func (t Target) IsGroup() bool {
	return t.Kind == TargetGroup || t.Kind == TargetJoint || t.Kind == TargetUpper
}

// ErrBadTarget means a stored target could not be read.
var ErrBadTarget = errors.New("bad outbox target")

// ParseTarget reads a target as Target.String wrote it. It returns
// ErrBadTarget (wrapped) for an unknown kind or a malformed id.
func ParseTarget(s string) (Target, error) {
	kind, rest, hasRest := strings.Cut(s, ":")
	switch k := TargetKind(kind); k {
	case TargetMember, TargetCitizen:
		id, err := strconv.ParseUint(rest, 10, 64)
		if err != nil || !hasRest {
			return Target{}, fmt.Errorf("%w %q: not a row id", ErrBadTarget, s)
		}
		return Target{Kind: k, ID: id}, nil
	case TargetGroup, TargetUpper:
		if rest == "" {
			return Target{}, fmt.Errorf("%w %q: no department code or name", ErrBadTarget, s)
		}
		return Target{Kind: k, Code: rest}, nil
	case TargetJoint:
		return Target{Kind: k}, nil
	default:
		return Target{}, fmt.Errorf("%w %q: unknown kind %q", ErrBadTarget, s, kind)
	}
}
