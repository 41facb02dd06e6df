package bot

import (
	"fmt"
	"strings"

	"minsheng/models"
)

// Relation is how a member's unit stands to a case.
type Relation int

// Relations of a member's unit to a case.
const (
	RelNone Relation = iota // the unit has no part in the case
	RelLead                 // the member's unit leads (牵头)
	RelCo                   // the member's unit co-handles (协办)
)

// Refusal is an action a member may not take, with the sentence they read.
type Refusal struct{ Msg string }

func (r *Refusal) Error() string { return r.Msg }

// Unwrap makes a refusal models.ErrForbidden.
func (r *Refusal) Unwrap() error { return models.ErrForbidden }

func refuse(format string, args ...any) error { return &Refusal{Msg: fmt.Sprintf(format, args...)} }

// Authorize decides whether a member with role, whose unit stands to the case
// as rel, may do v: the verb table's grants (memberVerb.may), and when they do
// not allow it, the first refusal that applies of refusalHead, the verb's
// own, then refusalTail. Verbs without a case take RelNone.
// A leader's scope and the approval chain's order are checked on the case
// itself (action.inScope and the review steps).
func Authorize(role models.Role, v Verb, rel Relation) error {
	var own []refusal
	if row := verbs().memberVerb(v); row != nil {
		if row.grants(role, rel) {
			return nil
		}
		own = row.refuse
	}
	for _, rules := range [][]refusal{refusalHead, own, refusalTail} {
		for _, r := range rules {
			if r.applies(role, rel) {
				return r.err(v)
			}
		}
	}
	return refusalTail[len(refusalTail)-1].err(v) // not reached: the tail's last applies to all
}

// err is the refusal of verb v.
func (r refusal) err(v Verb) error { return &Refusal{Msg: strings.ReplaceAll(r.msg, "%s", string(v))} }
