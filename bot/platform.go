package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minsheng/models"
)

// Address is where one message goes, resolved from the outbox target only at
// send time, so that the outbox itself holds no personal data.
type Address struct {
	// Kind is the kind of the outbox target: member, group, joint or citizen.
	Kind models.TargetKind
	// UserID is a member's user id on the platform.
	UserID string
	// RobotKey is a WeCom group robot's key; Webhook and Secret a DingTalk
	// group robot's URL and signing secret.
	RobotKey, Webhook, Secret string
	// OpenID is a citizen's openid in the Official Account.
	OpenID string
	// ResponseCode is what the platform returned for the card being updated.
	ResponseCode string
	// Purpose is the outbox message's kind (citizen_answer, …): which
	// template message stands for it in the Official Account.
	Purpose string
	// Key names the outbox message, the same on every attempt, for
	// platforms that drop a repeated send (the Official Account's
	// client_msg_id).
	Key string
}

// Address kinds, the kinds of outbox targets.
const (
	AddrMember  = models.TargetMember
	AddrGroup   = models.TargetGroup
	AddrJoint   = models.TargetJoint
	AddrCitizen = models.TargetCitizen
)

// Delivery is what a platform gave back for a delivered message.
type Delivery struct {
	// ResponseCode lets a sent card be updated later (WeCom).
	ResponseCode string
	// Fallback names how a message reached its reader when the first way
	// was closed (e.g. "template" outside the 48-hour window).
	Fallback string
}

// Platform delivers messages on one platform. Implementations live in
// bot/mp, bot/wecom and bot/dingtalk; the delivery job is their only caller.
type Platform interface {
	// Name is the platform's name in the outbox.
	Name() models.Platform
	// Deliver sends o to the address. It returns ErrUndeliverable (wrapped)
	// when trying again cannot help, and a *RateLimited when the platform
	// asks to slow down.
	Deliver(ctx context.Context, to Address, o Outgoing) (Delivery, error)
}

// ErrUndeliverable means trying again cannot help: a bad robot key, an
// unknown user, a citizen out of reach.
var ErrUndeliverable = errors.New("undeliverable")

// RateLimited means the platform refused for now; try after Wait.
type RateLimited struct {
	Wait time.Duration
	Err  error
}

func (e *RateLimited) Error() string {
	return fmt.Sprintf("rate limited, retry in %s: %v", e.Wait, e.Err)
}

// Unwrap returns the platform's error.
func (e *RateLimited) Unwrap() error { return e.Err }
